"""Routes of auto-assignment (staff only). No run "none" exists: its pages answer 404 to staff."""
LOGIN = 302
EXPECTED = {
    "visits.autoassign_start": ("GET", "/visits/auto", {"anonymous": LOGIN, "coordinator": 200, "outsider": 200,
                                                         "admin": 200, "default": 403}),
    "visits.autoassign_run": ("GET", "/visits/auto/none", {"anonymous": LOGIN, "coordinator": 404,
                                                            "outsider": 404, "admin": 404, "default": 403}),
    "visits.autoassign_confirm": ("POST", "/visits/auto/none/confirm", {"anonymous": LOGIN, "coordinator": 404,
                                                                        "outsider": 404, "admin": 404,
                                                                        "default": 403}),
    "visits.autoassign_choose": ("POST", "/visits/auto/none/choices", {"anonymous": LOGIN, "coordinator": 404,
                                                                       "outsider": 404, "admin": 404,
                                                                       "default": 403}),
}
