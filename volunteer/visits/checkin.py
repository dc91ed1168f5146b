"""Check-in (GPS near the child's home, or a coordinator's override) and check-out with service hours.

    check_in(user, visit_id, lat, lon, accuracy=None) -> Visit
    override_check_in(staff, visit_id, reason) -> Visit
    check_out(user, visit_id) -> Visit

The child's exact point stays on the server: the helper only learns whether the check-in worked and,
when refused, roughly how far off they are.
"""
import math
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from ..audit import services as audit
from ..children.validation import InvalidInput
from ..extensions import db
from ..matching.spatial import haversine_km
from ..needs.rules import NotAllowed, emit, is_staff
from ..types import utcnow
from ..validation import _bad_char
from .models import VisitAssignee
from .services import VisitNotFound, visit_for
from .settings import setting

EARLY = timedelta(hours=1)
MAX_ACCURACY_M = 500
REASON_MIN, REASON_MAX = 4, 200


def _number(value):
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _helper_row(user, visit) -> VisitAssignee:
    """The user's accepted place on the visit (a team member gets one on first check-in)."""
    row = next((a for a in visit.assignees if a.user_id == user.id), None)
    if row is None and visit.org_id and user.organisation_id == visit.org_id:
        row = VisitAssignee(user_id=user.id, status="accepted", offered_at=utcnow(), responded_at=utcnow())
        visit.assignees.append(row)
    if row is None or row.status != "accepted":
        raise VisitNotFound(visit.id)
    return row


def _start(visit, now) -> None:
    if visit.status == "accepted":
        visit.status, visit.checked_in_at = "checked_in", now
        need = visit.need
        if need.status == "assigned":
            need.status = "in_progress"
            emit("need.updated", need.child, need_id=need.id)


def _check_time(visit, now) -> None:
    if visit.status not in ("accepted", "checked_in"):
        raise InvalidInput({"status": _l("This visit is not waiting for a check-in.")})
    if now < visit.starts_at - EARLY:
        raise InvalidInput({"status": _l("Check-in opens one hour before the visit starts.")})
    if now > visit.ends_at + timedelta(hours=float(setting("VISIT_STALE_HOURS"))):
        raise InvalidInput({"status": _l("This visit is over; ask the coordinator to record it.")})


def _far_text(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 995 else f"{int(round(metres, -1))} m"


def check_in(user, visit_id, lat, lon, accuracy=None, via="web"):
    """Check a helper in when their phone's position is within the radius of the child's home.

    Refused (InvalidInput, nothing saved) with no GPS fix, an imprecise one, or too far away."""
    try:
        return _check_in(user, visit_id, lat, lon, accuracy, via)
    except InvalidInput as exc:
        db.session.rollback()
        if "location" in exc.errors:
            audit.log(user, "deny", "visit", visit_id if isinstance(visit_id, int) else None,
                      reason="checkin:refused", via=via)
        raise


def _check_in(user, visit_id, lat, lon, accuracy, via):
    visit = visit_for(user, visit_id)
    if is_staff(user):
        raise NotAllowed(_l("Coordinators check helpers in with an override and a reason."))
    row = _helper_row(user, visit)
    if row.checked_in_at is not None:
        return visit
    now = utcnow()
    _check_time(visit, now)
    lat, lon, acc = _number(lat), _number(lon), _number(accuracy)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput({"location": _l("Your phone gave no location. Allow location for this site, go "
                                           "outdoors or near a window, and try again.")})
    if acc is not None and acc > MAX_ACCURACY_M:
        raise InvalidInput({"location": _l("Your phone's location is too imprecise (about %(m)s m). Wait a "
                                           "moment and try again.", m=int(acc))})
    child = visit.child
    if child.lat is None or child.lon is None:
        raise InvalidInput({"location": _l("The child's home has no location on file; ask the coordinator to "
                                           "check you in.")})
    metres = float(haversine_km(child.lat, child.lon, [lat], [lon])[0]) * 1000
    radius = float(setting("VISIT_CHECKIN_RADIUS_M"))
    if metres > radius:
        raise InvalidInput({"location": _l("You are about %(far)s from the child's home; check-in works within "
                                           "%(radius)s m. Go to the home, or ask the coordinator to check you in.",
                                           far=_far_text(metres), radius=int(radius))})
    row.checked_in_at = now
    if visit.check_in_method is None:
        visit.check_in_method, visit.check_in_distance_m, visit.checked_in_by_id = "gps", round(metres, 1), user.id
    _start(visit, now)
    audit.log(user, "update", "visit", visit.id, reason="checkin", via=via, commit=False)
    db.session.commit()
    return visit


def clean_reason(reason) -> str:
    text = ("" if reason is None else str(reason)).strip()
    if len(text) < REASON_MIN:
        raise InvalidInput({"reason": _l("Give the reason for the override.")})
    if len(text) > REASON_MAX or any(_bad_char(ch) for ch in text):
        raise InvalidInput({"reason": _l("Please keep the reason short, in plain text.")})
    return text


def override_check_in(staff, visit_id, reason, via="web"):
    """A coordinator checks the accepted helpers in without GPS, with a reason (audited)."""
    if not is_staff(staff):
        raise NotAllowed(_l("Only a coordinator can override a check-in."))
    visit = visit_for(staff, visit_id)
    text = clean_reason(reason)
    now = utcnow()
    _check_time(visit, now)
    helpers = [a for a in visit.assignees if a.status == "accepted"]
    if not helpers:
        raise InvalidInput({"reason": _l("Nobody has accepted this visit yet.")})
    for a in helpers:
        a.checked_in_at = a.checked_in_at or now
    visit.check_in_method, visit.override_reason, visit.override_by_id = "override", text, staff.id
    visit.check_in_distance_m = None
    _start(visit, now)
    audit.log(staff, "update", "visit", visit.id, reason="checkin:override", via=via, commit=False)
    db.session.commit()
    return visit


def _minutes(start, end) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def check_out(user, visit_id, via="web"):
    """A checked-in helper checks out; their service minutes are counted. When the last one is out the
    visit is done and the need moves on (once: done; recurring: open again for the next visit)."""
    visit = visit_for(user, visit_id)
    row = next((a for a in visit.assignees if a.user_id == user.id), None)
    if row is None or row.checked_in_at is None or visit.status != "checked_in":
        raise InvalidInput({"status": _l("Check in first.")})
    if row.checked_out_at is not None:
        return visit
    now = utcnow()
    row.checked_out_at, row.service_minutes = now, _minutes(row.checked_in_at, now)
    if all(a.checked_out_at is not None for a in visit.assignees if a.checked_in_at is not None):
        finish(visit, now)
    audit.log(user, "update", "visit", visit.id, reason="checkout", via=via, commit=False)
    db.session.commit()
    return visit


def finish(visit, now) -> None:
    """Mark a visit done and move its need on (no commit)."""
    visit.status, visit.checked_out_at = "done", now
    visit.service_minutes = _minutes(visit.checked_in_at, now) if visit.checked_in_at else 0
    need = visit.need
    target = "done" if need.rhythm == "once" else "open"
    if need.status == "in_progress":
        need.status = target
        emit("need.updated", need.child, need_id=need.id)


def service_minutes(user_id: int) -> int:
    """A helper's total counted service minutes."""
    from sqlalchemy import func, select

    return int(db.session.scalar(select(func.coalesce(func.sum(VisitAssignee.service_minutes), 0))
                                 .where(VisitAssignee.user_id == user_id)) or 0)
