"""Routes of activities' attendance and hours: the organiser's QR code, the volunteer's scan, by hand, hours.

Activity 999999 does not exist: organisers (coordinators, admins, organisation admins) are told it is not
found (404), everyone else may not use the route at all (403). tests/activities/test_attendance_pages.py
covers the same routes with real activities."""
LOGIN = 302
ORGANISERS_404 = {"anonymous": LOGIN, "volunteer": 403, "org_member": 403, "default": 404}
EXPECTED = {
    "activities.qr": ("GET", "/activities/999999/qr", ORGANISERS_404),
    "activities.qr_code": ("GET", "/activities/999999/qr/code", ORGANISERS_404),
    "activities.scan": ("GET", "/activities/scan", {"anonymous": LOGIN, "volunteer": 200, "default": 403}),
    "activities.attend_by_hand": ("POST", "/activities/999999/attendance/1", ORGANISERS_404),
    "activities.hours_review": ("GET", "/activities/999999/hours", ORGANISERS_404),
    "activities.approve_hours": ("POST", "/activities/999999/hours/1", ORGANISERS_404),
    "activities.approve_all_hours": ("POST", "/activities/999999/hours/approve-all", ORGANISERS_404),
    "activities.my_hours": ("GET", "/my/hours",
                            {"anonymous": LOGIN, "volunteer": 200, "org_member": 200, "org_admin": 200,
                             "default": 403}),
}
