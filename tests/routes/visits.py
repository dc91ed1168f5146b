"""Routes of visits: planning and follow-up (staff), answering, check-in/out and reports (helpers),
message channels (everyone logged in), failed jobs with retry (staff)."""
LOGIN = 302
HELPERS_404 = {"anonymous": LOGIN, "volunteer": 404, "org_member": 404, "org_admin": 404, "default": 403}
STAFF_404 = {"anonymous": LOGIN, "coordinator": 404, "outsider": 404, "admin": 404, "default": 403}
EXPECTED = {
    # Plan a visit for a need in scope (the outsider's answer is the missing need's 404).
    "visits.new": ("GET", "/needs/{need}/visits/new", {"anonymous": LOGIN, "coordinator": 200, "admin": 200,
                                                        "outsider": 404, "default": 403}),
    "visits.index": ("GET", "/visits", {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200,
                                        "default": 403}),
    # There is no visit 0: everyone allowed gets the not-found answer.
    "visits.no_contact": ("GET", "/visits/no-contact", {"anonymous": LOGIN, "coordinator": 200, "outsider": 200,
                                                        "admin": 200, "default": 403}),
    "visits.show": ("GET", "/visits/0", {"anonymous": LOGIN, "default": 404}),
    "visits.cancel": ("POST", "/visits/0/cancel", STAFF_404),
    "visits.override": ("POST", "/visits/0/override", STAFF_404),
    "visits.review": ("POST", "/visits/0/review", STAFF_404),
    "visits.photo": ("GET", "/visits/photos/0", STAFF_404),
    "visits.mine": ("GET", "/my/visits", {"anonymous": LOGIN, "volunteer": 200, "org_member": 200,
                                          "org_admin": 200, "default": 403}),
    "visits.respond": ("POST", "/visits/0/respond", HELPERS_404),
    "visits.check_in": ("POST", "/visits/0/checkin", HELPERS_404),
    "visits.check_out": ("POST", "/visits/0/checkout", HELPERS_404),
    "visits.report": ("GET", "/visits/0/report", HELPERS_404),
    "visits.channel_choice": ("GET", "/my/channels", {"anonymous": LOGIN, "default": 200}),
    "tasks.failed": ("GET", "/jobs/failed", {"anonymous": LOGIN, "coordinator": 200, "outsider": 200,
                                             "admin": 200, "default": 403}),
    "tasks.retry_job": ("POST", "/jobs/nosuchjob/retry", STAFF_404),
}
