"""Check-in (GPS near the child's home, or a coordinator's override) and check-out with service hours.

    check_in(user, visit_id, lat, lon, accuracy=None, recorded_at=None) -> Visit
    override_check_in(staff, visit_id, reason) -> Visit
    check_out(user, visit_id, recorded_at=None) -> Visit
    check_in_state(visit, now=None) -> "closed" | "early" | "open" | "over"   # pages and API ask this

The child's exact point stays on the server: the helper only learns whether the check-in worked (a refusal
says "more than VISIT_CHECKIN_RADIUS_M away", never how far), and refusals are limited per visit and helper
(VISIT_CHECKIN_TRIES_PER_HOUR, VISIT_CHECKIN_TRIES_PER_VISIT), so repeated tries cannot trilaterate the home.

recorded_at: the action was taken without signal and sent later with the phone's time (and, for a check-in,
its fix); delayed.recorded_time decides whether that time is accepted, and the visit notes when it arrived.
"""
import math
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from .. import units
from . import delayed
from ..audit import services as audit
from ..audit.models import AuditEntry
from ..children.validation import InvalidInput
from ..database import atomic
from ..extensions import db
from ..matching.spatial import haversine_km
from ..needs.rules import NotAllowed, emit, is_staff
from ..types import utcnow
from ..validation import _bad_char
from .models import VisitAssignee
from .services import VisitNotFound, visit_for
from .settings import setting

EARLY = timedelta(hours=1)
HOUR = timedelta(hours=1)
MAX_ACCURACY_M = 500
REASON_MIN, REASON_MAX = 4, 200
FAR = "checkin:far"  # the audit reason of a refusal that compared the position: these count as tries


class TooManyTries(InvalidInput):
    """The helper used up their check-in tries on this visit; wait_seconds until the next (None: no more)."""

    def __init__(self, message, wait_seconds=None):
        super().__init__({"location": message})
        self.wait_seconds = wait_seconds


class TooFar(InvalidInput):
    """The phone's position is farther from the home than the radius (a try that counts)."""


def _number(value):
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _helper_row(user, visit) -> VisitAssignee | None:
    """The user's accepted place on the visit; None for a team member without one yet (made on check-in)."""
    row = next((a for a in visit.assignees if a.user_id == user.id), None)
    if row is None and visit.org_id and user.organisation_id == visit.org_id:
        return None
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


def check_in_opens_at(visit):
    """When check-in opens: an hour before the visit starts."""
    return visit.starts_at - EARLY


def check_in_state(visit, now=None) -> str:
    """Whether a visit takes check-ins now: "closed" (not waiting for one), "early" (before
    check_in_opens_at), "open", or "over" (VISIT_STALE_HOURS after its end)."""
    now = now or utcnow()
    if visit.status not in ("accepted", "checked_in"):
        return "closed"
    if now < check_in_opens_at(visit):
        return "early"
    if now > visit.ends_at + timedelta(hours=float(setting("VISIT_STALE_HOURS"))):
        return "over"
    return "open"


def _check_time(visit, now) -> None:
    state = check_in_state(visit, now)
    if state == "closed":
        raise InvalidInput({"status": _l("This visit is not waiting for a check-in.")})
    if state == "early":
        raise InvalidInput({"status": _l("Check-in opens at %(when)s, one hour before the visit starts.",
                                         when=units.day_time(check_in_opens_at(visit)))})
    if state == "over":
        raise InvalidInput({"status": _l("This visit is over; ask the coordinator to record it.")})


def check_in(user, visit_id, lat, lon, accuracy=None, via="web", recorded_at=None):
    """Check a helper in when their phone's position is within the radius of the child's home.

    Refused (InvalidInput, nothing saved but the audit row) with no GPS fix, an imprecise one, or too far
    away (saying only "more than the radius"); TooManyTries once the helper's refusals as too far on this
    visit reach the limits. The count and the new refusal are one transaction, serialised per visit and
    helper, so several processes together never allow more tries."""
    refusal = None
    with atomic():
        _serialise(visit_id, user.id)
        visit = visit_for(user, visit_id)
        try:
            _check_in(user, visit, lat, lon, accuracy, via, recorded_at)
        except InvalidInput as exc:
            if "location" not in exc.errors:
                raise
            refusal = exc
            kind = FAR if isinstance(exc, TooFar) else "checkin:limit" if isinstance(exc, TooManyTries) else ""
            audit.log(user, "deny", "visit", visit.id, reason=kind or "checkin:refused", via=via, commit=False)
    if refusal is not None:
        raise refusal
    return visit


def _serialise(visit_id, user_id) -> None:
    """Make check-ins of one helper on one visit take turns (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers). An advisory lock, not a row lock: it never joins a cycle with other writers."""
    if db.engine.dialect.name == "postgresql" and isinstance(visit_id, int):
        db.session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": visit_id, "b": user_id})


def _check_tries(user, visit, now) -> None:
    """Raise TooManyTries when the helper's refusals as too far on this visit reached either limit."""
    times = db.session.scalars(select(AuditEntry.at).where(
        AuditEntry.user_id == user.id, AuditEntry.collection == "visit", AuditEntry.object_id == visit.id,
        AuditEntry.action == "deny", AuditEntry.reason == FAR).order_by(AuditEntry.at)).all()
    total = int(setting("VISIT_CHECKIN_TRIES_PER_VISIT"))
    if len(times) >= total:
        raise TooManyTries(_l("You have used all %(n)s check-in tries for this visit. Ask the coordinator to "
                              "check you in.", n=total))
    hourly = int(setting("VISIT_CHECKIN_TRIES_PER_HOUR"))
    recent = [t for t in times if t > now - HOUR]
    if len(recent) >= hourly:
        wait = max(60, math.ceil((recent[len(recent) - hourly] + HOUR - now).total_seconds()))
        raise TooManyTries(_l("Too many check-in tries for this visit. Try again in %(wait)s, or ask the "
                              "coordinator to check you in.", wait=units.duration(math.ceil(wait / 60))), wait)


def _check_in(user, visit, lat, lon, accuracy, via, recorded_at=None):
    """check_in's checks and writes, inside its transaction; a refusal raises before anything is written."""
    if is_staff(user):
        raise NotAllowed(_l("Coordinators check helpers in with an override and a reason."))
    now = utcnow()
    at = now if recorded_at is None else delayed.recorded_time(visit, user, recorded_at, now)
    row = _helper_row(user, visit)
    if row is not None and row.checked_in_at is not None:
        return
    _check_time(visit, at)
    _check_tries(user, visit, now)
    lat, lon, acc = _number(lat), _number(lon), _number(accuracy)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput({"location": _l("Your phone gave no location. Allow location for this site, go "
                                           "outdoors or near a window, and try again.")})
    if acc is not None and acc > MAX_ACCURACY_M:
        raise InvalidInput({"location": _l("Your phone's location is too imprecise (about %(distance)s). Wait "
                                           "a moment and try again.", distance=units.distance(acc))})
    child = visit.child
    if child.lat is None or child.lon is None:
        raise InvalidInput({"location": _l("The child's home has no location on file; ask the coordinator to "
                                           "check you in.")})
    metres = float(haversine_km(child.lat, child.lon, [lat], [lon])[0]) * 1000
    radius = float(setting("VISIT_CHECKIN_RADIUS_M"))
    if metres > radius:  # how far is never said: distances from a few points would give the home away
        raise TooFar({"location": _l("You are not at the child's home yet (more than %(radius)s away). Go to "
                                     "the home, or ask the coordinator to check you in.",
                                     radius=units.distance(radius))})
    if row is None:  # a team member's first check-in
        row = VisitAssignee(user_id=user.id, status="accepted", offered_at=now, responded_at=now)
        visit.assignees.append(row)
    row.checked_in_at = at
    if visit.check_in_method is None:
        visit.check_in_method, visit.check_in_distance_m, visit.checked_in_by_id = "gps", round(metres, 1), user.id
        visit.check_in_synced_at = None if recorded_at is None else now
    _start(visit, at)
    if visit.checked_in_at is not None and at < visit.checked_in_at:  # sent late, but in before the others
        visit.checked_in_at = at
    audit.log(user, "update", "visit", visit.id, reason="checkin" if recorded_at is None else "checkin:offline",
              via=via, commit=False)


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


def check_out(user, visit_id, via="web", recorded_at=None):
    """A checked-in helper checks out; their service minutes are counted. When the last one is out the
    visit is done and the need moves on (once: done; recurring: open again for the next visit)."""
    visit = visit_for(user, visit_id)
    now = utcnow()
    at = now if recorded_at is None else delayed.recorded_time(visit, user, recorded_at, now)
    row = next((a for a in visit.assignees if a.user_id == user.id), None)
    if row is None or row.checked_in_at is None or visit.status != "checked_in":
        raise InvalidInput({"status": _l("Check in first.")})
    if row.checked_out_at is not None:
        return visit
    if at < row.checked_in_at - delayed.SKEW:
        raise InvalidInput({"recorded_at": _l("The check-out time on your phone is before your check-in; set the "
                                              "phone's clock right and ask the coordinator to record it.")})
    at = max(at, row.checked_in_at)
    row.checked_out_at, row.service_minutes = at, _minutes(row.checked_in_at, at)
    if recorded_at is not None:
        visit.check_out_synced_at = now
    if all(a.checked_out_at is not None for a in visit.assignees if a.checked_in_at is not None):
        finish(visit, at)
    audit.log(user, "update", "visit", visit.id, reason="checkout" if recorded_at is None else "checkout:offline",
              via=via, commit=False)
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


def service_minutes(user_id: int, since=None) -> int:
    """A helper's total counted service minutes (since: only visits checked into from that moment on)."""
    from sqlalchemy import func, select

    stmt = select(func.coalesce(func.sum(VisitAssignee.service_minutes), 0)).where(VisitAssignee.user_id == user_id)
    if since is not None:
        stmt = stmt.where(VisitAssignee.checked_in_at >= since)
    return int(db.session.scalar(stmt) or 0)
