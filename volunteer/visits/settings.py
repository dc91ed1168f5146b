"""Visit settings with their defaults; each can be overridden in the app config (and the environment)."""
from flask import current_app

DEFAULTS = {
    "VISIT_OFFER_HOURS": 48,          # an unanswered offer expires and the need goes back to the pool
    "VISIT_TWO_ADULTS": True,         # a home visit is made by two adults (a pair or an organisation team)
    "VISIT_CHILD_ONE_PER_DAY": True,  # a child has at most one visit a (Qingdao) day; always one at a time
    "VISIT_CHECKIN_RADIUS_M": 300,    # check-in is accepted within this distance of the child's home
    "VISIT_CHECKIN_TRIES_PER_HOUR": 10,  # check-ins refused as too far a helper may make on a visit in an hour
    "VISIT_CHECKIN_TRIES_PER_VISIT": 30,  # ...and in all (then the coordinator checks them in)
    "VISIT_STALE_HOURS": 24,          # a visit still open this long after check-in is closed and flagged
    "VISIT_OVERDUE_HOURS": 2,         # an accepted visit not checked in this long after its end is overdue
    "VISIT_NO_CONTACT_DAYS": 30,      # alert when a child had no visit for this many days...
    "VISIT_NO_CONTACT_DAYS_BY_CATEGORY": {},  # ...or this many for a category, e.g. {"orphan": 14}
    "VISIT_REMINDERS_HOURS": (24, 2),  # reminders this many hours before a visit
    "VISIT_SWEEP_SECONDS": 600,       # how often the follow-up sweep runs
}


def setting(name: str):
    """The configured value of a visit setting, else its default."""
    return current_app.config.get(name, DEFAULTS[name])


def no_contact_days(category: str) -> int:
    """Days without contact after which coordinators are alerted, for a child's category."""
    return int(setting("VISIT_NO_CONTACT_DAYS_BY_CATEGORY").get(category, setting("VISIT_NO_CONTACT_DAYS")))
