"""Routes of geographic matching: near me and help offers (volunteers), offers to answer (staff);
find helpers and coverage (staff) are listed below them."""
LOGIN = 302
EXPECTED = {
    # Volunteers only. The world's volunteer has no home point: the page asks for a district (200).
    "matching.near": ("GET", "/near", {"anonymous": LOGIN, "volunteer": 200, "default": 403}),
    # The world's need has no need_point row until the worker ran its event: not offerable (404).
    "matching.offer": ("POST", "/near/needs/{need}/offer", {"anonymous": LOGIN, "volunteer": 404, "default": 403}),
    # A volunteer's own offers; staff's pending offers in scope (every coordinator gets the page).
    "matching.offers": ("GET", "/offers", {"anonymous": LOGIN, "volunteer": 200, "coordinator": 200,
                                           "outsider": 200, "admin": 200, "default": 403}),
    # No offer 0: the volunteer's / staff's answer is the not-found one.
    "matching.withdraw": ("POST", "/offers/0/withdraw", {"anonymous": LOGIN, "volunteer": 404, "default": 403}),
    "matching.decide": ("POST", "/offers/0/decide", {"anonymous": LOGIN, "coordinator": 404, "outsider": 404,
                                                     "admin": 404, "default": 403}),
    # Find helpers (staff, inside their scope: the outsider's answer is the missing record's 404) and
    # coverage (every coordinator gets the page for their own scope).
    "matching.need_helpers": ("GET", "/needs/{need}/helpers", {"anonymous": LOGIN, "coordinator": 200,
                                                               "admin": 200, "outsider": 404, "default": 403}),
    "matching.child_helpers": ("GET", "/children/{child}/helpers", {"anonymous": LOGIN, "coordinator": 200,
                                                                    "admin": 200, "outsider": 404, "default": 403}),
    "matching.coverage": ("GET", "/coverage", {"anonymous": LOGIN, "coordinator": 200, "outsider": 200,
                                               "admin": 200, "default": 403}),
}
