"""Routes of the activity pages (list, activity page, sign-up) and of organising them.

No activity exists in the world: the pages of one (999999) answer 404 to whoever may use the route at
all, 403 to the other roles. tests/activities/test_pages.py and test_organise.py cover them with real
activities (drafts, cancelled ones, organisers out of scope).
"""
LOGIN = 302
VOLUNTEERS_404 = {"anonymous": LOGIN, "volunteer": 404, "default": 403}
ORGANISERS_404 = {"anonymous": LOGIN, "coordinator": 404, "outsider": 404, "admin": 404, "org_admin": 404,
                  "default": 403}
EXPECTED = {
    "activities.index": ("GET", "/activities", {"anonymous": LOGIN, "default": 200}),
    "activities.show": ("GET", "/activities/999999", {"anonymous": LOGIN, "default": 404}),
    "activities.sign_up": ("POST", "/activities/999999/signup", VOLUNTEERS_404),
    "activities.cancel_signup": ("POST", "/activities/999999/signup/cancel", VOLUNTEERS_404),
    "activities.new": ("GET", "/activities/new",
                       {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200, "org_admin": 200,
                        "default": 403}),
    "activities.edit": ("GET", "/activities/999999/edit", ORGANISERS_404),
    "activities.move": ("POST", "/activities/999999/state", ORGANISERS_404),
    "activities.children": ("GET", "/activities/999999/children", ORGANISERS_404),
}
