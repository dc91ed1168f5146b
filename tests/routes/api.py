"""Routes of the JSON API, its docs and the token pages.

The matrix client logs in with the session cookie, which the API never accepts: every /api/v1 route
answers 401 to every role here (token-based role checks are in tests/api/). Only the OpenAPI document
and the docs page are public.
"""
LOGIN = 302
NO_TOKEN = {"default": 401}
EXPECTED = {
    "api.children": ("GET", "/api/v1/children", NO_TOKEN),
    "api.children_create": ("POST", "/api/v1/children", NO_TOKEN),
    "api.child": ("GET", "/api/v1/children/{child}", NO_TOKEN),
    "api.child_update": ("PATCH", "/api/v1/children/{child}", NO_TOKEN),
    "api.child_delete": ("DELETE", "/api/v1/children/{child}", NO_TOKEN),
    "api.needs": ("GET", "/api/v1/needs", NO_TOKEN),
    "api.needs_create": ("POST", "/api/v1/children/{child}/needs", NO_TOKEN),
    "api.need": ("GET", "/api/v1/needs/{need}", NO_TOKEN),
    "api.need_status": ("POST", "/api/v1/needs/{need}/status", NO_TOKEN),
    "api.wishes": ("GET", "/api/v1/wishes", NO_TOKEN),
    "api.wishes_create": ("POST", "/api/v1/children/{child}/wishes", NO_TOKEN),
    "api.wish": ("GET", "/api/v1/wishes/{wish}", NO_TOKEN),
    "api.wish_claim": ("POST", "/api/v1/wishes/{wish}/claim", NO_TOKEN),
    "api.my_claims": ("GET", "/api/v1/my/claims", NO_TOKEN),
    "api.my_claim_release": ("POST", "/api/v1/my/claims/0/release", NO_TOKEN),
    "api.my_visits": ("GET", "/api/v1/my/visits", NO_TOKEN),
    "api.visits": ("GET", "/api/v1/visits", NO_TOKEN),
    "api.visits_create": ("POST", "/api/v1/visits", NO_TOKEN),
    "api.visit": ("GET", "/api/v1/visits/0", NO_TOKEN),
    "api.visit_respond": ("POST", "/api/v1/visits/0/respond", NO_TOKEN),
    "api.visit_checkin": ("POST", "/api/v1/visits/0/checkin", NO_TOKEN),
    "api.visit_checkout": ("POST", "/api/v1/visits/0/checkout", NO_TOKEN),
    "api.visit_report": ("POST", "/api/v1/visits/0/report", NO_TOKEN),
    "api.visit_cancel": ("POST", "/api/v1/visits/0/cancel", NO_TOKEN),
    "api.stats": ("GET", "/api/v1/stats", NO_TOKEN),
    "api.activities": ("GET", "/api/v1/activities", NO_TOKEN),
    "api.activity": ("GET", "/api/v1/activities/0", NO_TOKEN),
    "api.activity_signup": ("POST", "/api/v1/activities/0/signup", NO_TOKEN),
    "api.activity_signup_cancel": ("POST", "/api/v1/activities/0/signup/cancel", NO_TOKEN),
    "api.my_hours": ("GET", "/api/v1/me/hours", NO_TOKEN),
    "api.organisations": ("GET", "/api/v1/organisations", NO_TOKEN),
    "api.organisation": ("GET", "/api/v1/organisations/{org}", NO_TOKEN),
    "api.volunteers": ("GET", "/api/v1/volunteers", NO_TOKEN),
    "api.volunteer": ("GET", "/api/v1/volunteers/{volunteer}", NO_TOKEN),
    "api.me": ("GET", "/api/v1/me", NO_TOKEN),
    "api.tokens": ("GET", "/api/v1/tokens", NO_TOKEN),
    "api.tokens_create": ("POST", "/api/v1/tokens", NO_TOKEN),
    "api.token_revoke": ("DELETE", "/api/v1/tokens/{token}", NO_TOKEN),
    "api.openapi_json": ("GET", "/api/v1/openapi.json", {"default": 200}),
    "api_docs.docs": ("GET", "/api/docs", {"default": 200}),
    "api_tokens.tokens": ("GET", "/account/tokens", {"anonymous": LOGIN, "default": 200}),
    # An empty name is refused.
    "api_tokens.create": ("POST", "/account/tokens", {"anonymous": LOGIN, "default": 422}),
    # {token} is the coordinator's: only its owner and admins may revoke it; others get 404.
    "api_tokens.revoke": ("POST", "/account/tokens/{token}/revoke",
                          {"anonymous": LOGIN, "coordinator": 302, "admin": 302, "default": 404}),
}
