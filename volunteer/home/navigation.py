"""What each role's navigation holds: at most four tabs and 更多 on a phone, everything in the sidebar."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .kinds import home_kind


@dataclass(frozen=True)
class NavItem:
    """One destination: an endpoint, its icon in static/icons.svg and a label that fits a 360 px tab."""

    endpoint: str
    icon: str
    label: str
    badge: str | None = None  # the name of a count in the template context


def _i(endpoint, icon, label, badge=None):
    return NavItem(endpoint, icon, label, badge)


HOME = _i("home.index", "home", _l("Home"))
INBOX = _i("notifications.inbox", "inbox", _l("Inbox"), badge="unread_count")
ACCOUNT = _i("accounts.account", "account", _l("Account"))
# Activities come first under 更多 (the four tabs stay as they are); a group of people is their icon, a pin
# for staff (whose Children tab has the group).
ACTIVITIES = _i("activities.index", "children", _l("Activities"))
MY_HOURS = _i("activities.my_hours", "clock", _l("My hours"))  # and, from there, service certificates

STAFF = (
    [HOME, _i("children.index", "children", _l("Children")), _i("visits.index", "visit", _l("Visits")), INBOX],
    [_i("activities.index", "pin", _l("Activities")),
     _i("wishes.event_list", "gift", _l("Wishes")), _i("logistics.index", "package", _l("Gift packs")),
     _i("matching.offers", "hand", _l("Offers to help")), _i("volunteers.credentials", "badge", _l("Credentials")),
     _i("safeguarding.staff_list", "check", _l("Check certificates")),
     _i("orgs.index", "building", _l("Organisations")), _i("matching.coverage", "map", _l("Coverage")),
     _i("stats.index", "chart", _l("Statistics")), _i("activities.export", "clock", _l("Hours export")),
     _i("tasks.failed", "alert", _l("Failed jobs")),
     _i("api_tokens.tokens", "key", _l("API tokens")), ACCOUNT],
)
VOLUNTEER = (
    [HOME, _i("matching.near", "pin", _l("Nearby")), _i("visits.mine", "visit", _l("Visits")), INBOX],
    [ACTIVITIES, MY_HOURS, _i("needs.board", "list", _l("Children's needs")), _i("matching.offers", "hand", _l("My offers")),
     _i("wishes.index", "gift", _l("Wishes")), _i("volunteers.profile", "profile", _l("Profile")),
     _i("safeguarding.mine", "check", _l("My checks")),
     _i("logistics.deliveries", "package", _l("My deliveries")), ACCOUNT],
)
ORG = (
    [HOME, _i("needs.board", "list", _l("Needs")), _i("visits.mine", "visit", _l("Visits")), INBOX],
    [ACTIVITIES, MY_HOURS, _i("wishes.index", "gift", _l("Wishes")), _i("orgs.index", "building", _l("Organisation")),
     _i("safeguarding.mine", "check", _l("My checks")),
     _i("logistics.deliveries", "package", _l("My deliveries")), ACCOUNT],
)
DONOR = (
    [HOME, _i("wishes.index", "gift", _l("Wishes")), _i("wishes.mine", "hand", _l("My claims")), INBOX],
    [_i("wishes.event_list", "list", _l("Wish events")), ACTIVITIES, _i("orgs.index", "building", _l("Organisation")),
     _i("logistics.deliveries", "package", _l("My deliveries")), ACCOUNT],
)
GUEST = ([_i("accounts.login", "login", _l("Log in")), _i("accounts.signup", "signup", _l("Sign up"))], [])
MORE = _i("home.more", "more", _l("More"))


def nav_for(user) -> tuple[list[NavItem], list[NavItem]]:
    """(tabs, the rest) for a user: the tabs show on a phone's bottom bar, the rest under 更多."""
    if not user.is_authenticated:
        return GUEST
    return {"coordinator": STAFF, "admin": STAFF, "volunteer": VOLUNTEER, "donor": DONOR}.get(home_kind(user), ORG)
