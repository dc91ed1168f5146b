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
    # A wish's photo: staff in scope only. No file sent: staff get the refusal (plain form: flashed, back to
    # the child, 302); removing is idempotent (302). The world's wish has no photo, so even staff get 404
    # on the photo itself; everyone else gets the very same 404 (tests/needs/test_photos.py sets a photo).
    "needs.replace_wish_photo": ("POST", "/wishes/{wish}/photo",
                                 {"anonymous": LOGIN, "coordinator": 302, "admin": 302, "outsider": 404,
                                  "default": 403}),
    "needs.remove_wish_photo": ("POST", "/wishes/{wish}/photo/delete",
                                {"anonymous": LOGIN, "coordinator": 302, "admin": 302, "outsider": 404,
                                 "default": 403}),
    "needs.wish_photo": ("GET", "/wishes/{wish}/photo", {"anonymous": LOGIN, "default": 404}),
    # The org admin takes the open need for their organisation and is sent back to the board.
    "needs.take": ("POST", "/needs/{need}/take", {"anonymous": LOGIN, "org_admin": 302, "default": 403}),
}
