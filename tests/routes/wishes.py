"""Routes of micro-wishes: open wish cards, claiming, my claims, events and their live board, fulfilment.

The world's wish is a draft, so a donor's claim is refused (409) and nothing changes; events and claims
named here do not exist (999999), so they answer 404 to whoever may use the route at all.
tests/wishes/ covers the same routes with real events and claims.
"""
LOGIN = 302
DONORS_ONLY = {"anonymous": LOGIN, "volunteer": 404, "org_member": 404, "org_admin": 404, "default": 403}
STAFF_ONLY_404 = {"anonymous": LOGIN, "coordinator": 404, "outsider": 404, "admin": 404, "default": 403}
STAFF_IN_SCOPE = {"anonymous": LOGIN, "coordinator": 422, "admin": 422, "outsider": 404, "default": 403}
EXPECTED = {
    "wishes.index": ("GET", "/wishes", {"anonymous": LOGIN, "default": 200}),
    "wishes.claim": ("POST", "/wishes/{wish}/claim",
                     {"anonymous": LOGIN, "volunteer": 409, "org_member": 409, "org_admin": 409, "default": 403}),
    "wishes.mine": ("GET", "/my/wishes",
                    {"anonymous": LOGIN, "volunteer": 200, "org_member": 200, "org_admin": 200, "default": 403}),
    "wishes.bought": ("POST", "/my/claims/999999/bought", DONORS_ONLY),
    "wishes.release": ("POST", "/my/claims/999999/release", DONORS_ONLY),
    "wishes.delivered": ("POST", "/my/claims/999999/delivered", DONORS_ONLY),
    "wishes.renew_code": ("POST", "/my/claims/999999/code", DONORS_ONLY),
    "wishes.event_list": ("GET", "/wish-events", {"anonymous": LOGIN, "default": 200}),
    "wishes.event": ("GET", "/wish-events/999999", {"anonymous": LOGIN, "default": 404}),
    "wishes.board": ("GET", "/wish-events/999999/board", {"anonymous": LOGIN, "default": 404}),
    "wishes.new_event": ("GET", "/wish-events/new",
                         {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200, "default": 403}),
    "wishes.prepare": ("GET", "/wish-events/999999/wishes", STAFF_ONLY_404),
    "wishes.publish": ("POST", "/wish-events/999999/publish", STAFF_ONLY_404),
    "wishes.fulfilment": ("GET", "/wishes/fulfilment",
                          {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200, "default": 403}),
    # The world's wish was never claimed: staff in scope are told it is not delivered / not received (422).
    "wishes.receive": ("POST", "/wishes/{wish}/receive", STAFF_IN_SCOPE),
    "wishes.thanks": ("POST", "/wishes/{wish}/thanks", STAFF_IN_SCOPE),
}
