"""Routes of needs and micro-wishes: the volunteers' board, forms on a child, status moves, taking a need."""
LOGIN = 302
STAFF_ON_CHILD = {"anonymous": LOGIN, "coordinator": 200, "admin": 200, "outsider": 404, "default": 403}
EXPECTED = {
    "needs.board": ("GET", "/needs", {"anonymous": LOGIN, "default": 200}),
    "needs.new_need": ("GET", "/children/{child}/needs/new", STAFF_ON_CHILD),
    "needs.new_wish": ("GET", "/children/{child}/wishes/new", STAFF_ON_CHILD),
    "needs.edit_need": ("GET", "/needs/{need}/edit", STAFF_ON_CHILD),
    # No status sent: staff in scope get 422 (the refused move); the org admin's team did not take it: 404.
    "needs.move_need": ("POST", "/needs/{need}/status",
                        {"anonymous": LOGIN, "coordinator": 422, "admin": 422, "outsider": 404, "org_admin": 404,
                         "default": 403}),
    "needs.move_wish": ("POST", "/wishes/{wish}/status",
                        {"anonymous": LOGIN, "coordinator": 422, "admin": 422, "outsider": 404, "default": 403}),
    # The org admin takes the open need for their organisation and is sent back to the board.
    "needs.take": ("POST", "/needs/{need}/take", {"anonymous": LOGIN, "org_admin": 302, "default": 403}),
}
