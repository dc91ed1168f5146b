"""Routes of safeguarding checks: a volunteer's (and organisation member's) own page and upload, staff's list
and decisions, and the proof's file (its owner and staff in scope; an unknown check is not found)."""
LOGIN = 302  # anonymous users are sent to the login page
OWN = {"anonymous": LOGIN, "volunteer": 200, "org_member": 200, "org_admin": 200, "default": 403}
STAFF = {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200, "default": 403}
STAFF_404 = {"anonymous": LOGIN, "coordinator": 404, "outsider": 404, "admin": 404, "default": 403}
EXPECTED = {
    "safeguarding.mine": ("GET", "/my/checks", OWN),
    # No file sent: the page again with the message (422).
    "safeguarding.upload": ("POST", "/my/checks/no_criminal_record",
                            {**OWN, "volunteer": 422, "org_member": 422, "org_admin": 422}),
    "safeguarding.file": ("GET", "/checks/999999/file", {"anonymous": LOGIN, "default": 404}),
    "safeguarding.staff_list": ("GET", "/checks", STAFF),
    "safeguarding.verify": ("POST", "/checks/999999/verify", STAFF_404),
    "safeguarding.reject": ("POST", "/checks/999999/reject", STAFF_404),
}
