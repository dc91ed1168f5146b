"""Routes of the installable app: the manifest, the service worker and the offline page (everyone), the
session and the visits kept on a helper's phone, and the actions a phone sends late (helpers)."""
LOGIN = 302
HELPERS = {"anonymous": LOGIN, "volunteer": 200, "org_member": 200, "org_admin": 200, "default": 403}
# Without an Idempotency-Key header a helper's late action is refused before anything else.
ACTION = {"anonymous": LOGIN, "volunteer": 400, "org_member": 400, "org_admin": 400, "default": 403}
EXPECTED = {
    "offline.manifest": ("GET", "/manifest.webmanifest", {"default": 200}),
    "offline.worker": ("GET", "/sw.js", {"default": 200}),
    "offline.page": ("GET", "/offline", {"default": 200}),
    "offline.session_state": ("GET", "/offline/session", {"anonymous": LOGIN, "default": 200}),
    "offline.visits": ("GET", "/offline/visits.json", HELPERS),
    "offline.check_in": ("POST", "/offline/visits/0/checkin", ACTION),
    "offline.check_out": ("POST", "/offline/visits/0/checkout", ACTION),
    "offline.report": ("POST", "/offline/visits/0/report", ACTION),
}
