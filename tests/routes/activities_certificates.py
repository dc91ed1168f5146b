"""Routes of service certificates and the national system's export.

Whoever serves (volunteers, organisation members and admins) has certificates; a number that is not the
user's own is not found (404). The public check answers everyone, anonymous included: 404 for an unknown
number. The export: coordinators and admins (their area's activities), organisation admins (their
organisation's); an out-of-area coordinator gets an empty sheet, not a refusal."""
LOGIN = 302
SERVERS = {"anonymous": LOGIN, "volunteer": 200, "org_member": 200, "org_admin": 200, "default": 403}
EXPORTERS = {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200, "org_admin": 200,
             "default": 403}
EXPECTED = {
    "activities.certificates": ("GET", "/my/certificates", SERVERS),
    "activities.certificate_pdf": ("GET", "/my/certificates/HH2026-AAAAAAAA.pdf",
                                   {**SERVERS, "volunteer": 404, "org_member": 404, "org_admin": 404}),
    "activities.verify": ("GET", "/verify/HH2026-AAAAAAAA", {"default": 404}),
    "activities.export": ("GET", "/activities/export", EXPORTERS),
    "activities.export_xlsx": ("GET", "/activities/export.xlsx", EXPORTERS),
}
