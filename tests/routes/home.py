"""Routes of the home pages' own actions (the home page itself is in foundation.py)."""
LOGIN = 302  # anonymous users are sent to the login page
EXPECTED = {
    # Answering a visit offer in place: helpers only; an unknown visit is not found.
    "home.answer_offer": ("POST", "/home/visits/999/answer",
                          {"anonymous": LOGIN, "volunteer": 404, "org_member": 404, "org_admin": 404,
                           "default": 403}),
}
