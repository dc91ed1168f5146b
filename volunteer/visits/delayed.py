"""Actions a helper took without signal and the phone sent later: the phone's recorded time is believed
within limits, and the action is marked as arrived late (check_in_synced_at, check_out_synced_at,
VisitReport.synced_at) for the coordinator.

    recorded_time(visit, user, recorded_at, now) -> datetime   # the time to record; InvalidInput if refused

Refused: after the visit was cancelled; more than LATE after it was recorded; a recorded time in the
future (beyond a phone clock's SKEW) or before the visit was offered to the helper.
"""
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from ..children.validation import InvalidInput

LATE = timedelta(hours=48)
SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead of the server's


def offered_at(visit, user) -> datetime:
    """When the visit was offered to the user (a team member: when it was planned)."""
    row = next((a for a in visit.assignees if a.user_id == user.id), None)
    return (row.offered_at if row is not None and row.offered_at else None) or visit.created_at


def recorded_time(visit, user, recorded_at, now) -> datetime:
    """The phone's recorded time of an action sent late, if the server can accept it (never after now)."""
    if visit.status == "cancelled":
        raise InvalidInput({"status": _l("This visit was cancelled before your phone could send this, so it "
                                         "was not recorded.")})
    if not isinstance(recorded_at, datetime) or recorded_at.tzinfo is None:
        raise InvalidInput({"recorded_at": _l("Your phone sent no time for this action.")})
    if recorded_at > now + SKEW:
        raise InvalidInput({"recorded_at": _l("The time on your phone is ahead of the real time; set the phone's "
                                              "clock right and ask the coordinator to record this.")})
    if now - recorded_at > LATE:
        raise InvalidInput({"recorded_at": _l("This was saved on your phone more than 48 hours ago and arrived "
                                              "too late to count; ask the coordinator to record it.")})
    offered = offered_at(visit, user)
    if offered is not None and recorded_at < offered - SKEW:
        raise InvalidInput({"recorded_at": _l("The time on your phone is before the visit was offered to you; "
                                              "set the phone's clock right and ask the coordinator to record "
                                              "this.")})
    return min(recorded_at, now)
