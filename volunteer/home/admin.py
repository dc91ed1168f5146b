"""The admin home: the whole city's "today" (the coordinator home's counts, each from the service behind the
list it opens) and its month, then the pages that manage users and settings."""
from flask_babel import lazy_gettext as _l

from . import coordinator

# (endpoint, icon, label): every administration page there is. Accounts are made by sign-up (volunteers),
# invitations (organisation members and admins) and `flask create-admin`; there is no page listing users.
ADMIN_LINKS = (
    ("orgs.index", "building", _l("Organisations and their members")),
    ("logistics.index", "package", _l("Gift packs: hubs and pack kinds")),
    ("tasks.failed", "alert", _l("Failed jobs")),
    ("api_tokens.tokens", "key", _l("API tokens")),
    ("stats.index", "chart", _l("Statistics")),
    ("accounts.account", "account", _l("My account: password and sessions")),
)


def summary(user) -> dict:
    """Template context of templates/home/_admin.html."""
    return {**coordinator.summary(user), "admin_links": ADMIN_LINKS}
