"""Activities: create, publish, close, cancel; volunteers sign up (exact places, then a waitlist) and cancel.

A place is decided by one conditional UPDATE of activity.places_taken (fewer taken than places, published,
before the deadline); its rowcount says who got one. On PostgreSQL concurrent updaters wait on the row
lock and re-check the condition; on SQLite the UPDATE is the transaction's first write, so it takes the
write lock (waiting on busy_timeout). Waitlist positions come from activity.waitlist_seq, bumped by an
UPDATE in the same transaction, so they are distinct. UNIQUE(activity_id, volunteer_id) is the backstop:
a second sign-up by the same volunteer returns the existing row.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import access
from ..audit import services as audit
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.models import SERVICE_TYPES
from ..types import utcnow
from ..volunteers.skills import SKILLS
from . import eligibility
from .errors import ActivityError, ActivityNotFound  # noqa: F401 (the services' errors, named here too)
from .models import ACTIVITY_FLOW, Activity, ActivitySignup
from .notices import tell_cancelled, tell_promoted


NOT_FOUND = _l("No such activity, or you may not change it.")
NOT_ORGANISER = _l("Only a coordinator in the area or an organisation admin can organise an activity.")
BAD_MOVE = _l("This activity cannot move from its present state to that one.")
SIGNUP_CLOSED = _l("Sign-up for this activity is closed (not published, or past the deadline).")
NOT_VOLUNTEER = _l("Only volunteers can sign up for activities.")
TOO_LATE = _l("It is past the sign-up deadline: please tell the organiser that you cannot come.")
NOT_SIGNED_UP = _l("You are not signed up for this activity.")


def _aware(value, field, errors):
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors[field] = _l("Enter a date and time.")
        return None
    return value


def _validate(data: dict) -> dict:
    """The activity's fields from data, or InvalidInput with a message per field."""
    errors, out = {}, {}
    out["title"] = str(data.get("title") or "").strip()
    if not out["title"] or len(out["title"]) > 80:
        errors["title"] = _l("Enter a title of at most 80 characters.")
    out["service_type"] = data.get("service_type")
    if out["service_type"] not in SERVICE_TYPES:
        errors["service_type"] = _l("Choose a service type from the list.")
    for f in ("starts_at", "ends_at", "signup_deadline"):
        out[f] = _aware(data.get(f), f, errors)
    if out["starts_at"] and out["ends_at"] and out["ends_at"] <= out["starts_at"]:
        errors["ends_at"] = _l("The end must be after the start.")
    if out["starts_at"] and out["signup_deadline"] and out["signup_deadline"] > out["starts_at"]:
        errors["signup_deadline"] = _l("The sign-up deadline must be before the start.")
    out["venue"] = str(data.get("venue") or "").strip()
    if not out["venue"] or len(out["venue"]) > 120:
        errors["venue"] = _l("Enter the venue (at most 120 characters).")
    try:
        out["lat"], out["lon"] = float(data.get("lat")), float(data.get("lon"))
        if not (-90 <= out["lat"] <= 90 and -180 <= out["lon"] <= 180):
            raise ValueError
    except (TypeError, ValueError):
        errors["lat"] = _l("Put the venue on the map.")
    out["district_code"] = str(data.get("district_code") or "").strip()
    if not out["district_code"]:
        errors["district_code"] = _l("Choose the district.")
    out["town_code"] = str(data.get("town_code") or "").strip() or None
    skills = list(data.get("skills") or [])
    if any(s not in SKILLS for s in skills):
        errors["skills"] = _l("Choose skills from the list.")
    out["skills"] = " ".join(sorted(set(skills)))
    for f, low, high in (("places", 1, 1000), ("min_age", 0, 100), ("children_expected", 0, 10000)):
        value = data.get(f)
        if value in (None, "") and f != "places":
            out[f] = None if f == "min_age" else 0
            continue
        try:
            out[f] = int(value)
            if not low <= out[f] <= high:
                raise ValueError
        except (TypeError, ValueError):
            errors[f] = _l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
    if errors:
        raise InvalidInput(errors)
    return out


def _may_organise(user, activity_or_codes) -> bool:
    """A coordinator whose scope holds the activity's town or district, or an admin of its organisation."""
    a = activity_or_codes
    if user.role == "org_admin":
        return getattr(a, "org_id", user.organisation_id) == user.organisation_id and bool(user.organisation_id)
    if user.role in ("admin", "coordinator"):
        return access.in_scope(user, a.town_code) or access.in_scope(user, a.district_code)
    return False


def create(user, data: dict) -> Activity:
    """A draft activity organised by user (a coordinator in scope, or an organisation admin for their org)."""
    fields = _validate(data)
    org_id = user.organisation_id if user.role == "org_admin" else None
    activity = Activity(**fields, org_id=org_id, created_by_id=user.id, status="draft", places_taken=0,
                        waitlist_seq=0)
    if not _may_organise(user, activity):
        raise ActivityError(NOT_ORGANISER)
    db.session.add(activity)
    db.session.flush()
    audit.log(user, "update", "activity", activity.id, reason="create", commit=False)
    db.session.commit()
    return activity


def organised(user, activity_id: int) -> Activity:
    """The activity if user may change it, else ActivityNotFound."""
    activity = db.session.get(Activity, activity_id) if isinstance(activity_id, int) else None
    if activity is None or not _may_organise(user, activity):
        raise ActivityNotFound(NOT_FOUND)
    return activity


def _move(user, activity_id: int, to: str) -> Activity:
    activity = organised(user, activity_id)
    old = activity.status
    if to not in ACTIVITY_FLOW[old]:
        raise ActivityError(BAD_MOVE)
    moved = db.session.execute(update(Activity).where(Activity.id == activity.id, Activity.status == old)
                               .values(status=to, updated_at=utcnow()),
                               execution_options={"synchronize_session": False}).rowcount
    if moved != 1:
        db.session.rollback()
        raise ActivityError(BAD_MOVE)
    audit.log(user, "update", "activity", activity.id, reason=to, commit=False)
    db.session.commit()
    db.session.refresh(activity)
    return activity


def publish(user, activity_id: int) -> Activity:
    """Open the activity for sign-up."""
    return _move(user, activity_id, "published")


def close(user, activity_id: int) -> Activity:
    """Close sign-up (the activity still takes place)."""
    return _move(user, activity_id, "closed")


def mark_done(user, activity_id: int) -> Activity:
    """The activity took place."""
    return _move(user, activity_id, "done")


def cancel(user, activity_id: int) -> Activity:
    """Cancel the activity and tell everyone signed up (confirmed or waitlisted)."""
    activity = _move(user, activity_id, "cancelled")
    for volunteer_id in db.session.scalars(select(ActivitySignup.volunteer_id).where(
            ActivitySignup.activity_id == activity.id, ActivitySignup.status != "cancelled")).all():
        tell_cancelled(activity.id, volunteer_id)
    return activity


# --- signing up ---------------------------------------------------------------------------------------

def _mine(activity_id: int, volunteer_id: int) -> ActivitySignup | None:
    return db.session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                          ActivitySignup.volunteer_id == volunteer_id))


def _open(activity_id: int, now):
    return (Activity.id == activity_id, Activity.status == "published", Activity.signup_deadline > now)


def sign_up(user, activity_id: int, via: str = "web") -> ActivitySignup:
    """Sign user up: a confirmed place while any is left, else the next waitlist position. A second
    sign-up returns the same row; SIGNUP_CLOSED when the activity is not open; the activity's rules
    (eligibility: skills, minimum age) are checked before a place is taken."""
    if getattr(user, "role", None) != "volunteer":
        raise ActivityError(NOT_VOLUNTEER)
    user_id = user.id
    row = _mine(activity_id, user_id)
    if row is not None and row.status != "cancelled":
        return row
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise ActivityError(SIGNUP_CLOSED)
    eligibility.check(user_id, activity)
    row_id, now = (row.id if row is not None else None), utcnow()
    status, position = _place_or_position(activity_id, now)
    try:
        if row_id is None:
            db.session.add(ActivitySignup(activity_id=activity_id, volunteer_id=user_id, status=status,
                                          position=position, created_at=now, updated_at=now))
            db.session.flush()
        elif db.session.execute(update(ActivitySignup).where(ActivitySignup.id == row_id,
                                                             ActivitySignup.status == "cancelled")
                                .values(status=status, position=position, updated_at=now),
                                execution_options={"synchronize_session": False}).rowcount != 1:
            raise IntegrityError("re-sign-up", None, Exception("raced"))
    except IntegrityError:
        db.session.rollback()  # gives the place (or position) back: the first sign-up stands
        return _mine(activity_id, user_id)
    audit.log(user, "update", "activity", activity_id, reason=f"sign-up {status}", via=via, commit=False)
    db.session.commit()
    return _mine(activity_id, user_id)


def _place_or_position(activity_id: int, now) -> tuple[str, int | None]:
    """In the caller's transaction: ("confirmed", None) if the conditional UPDATE took a place, else
    ("waitlisted", the next position). The waitlist UPDATE is conditional on the activity being full, so
    a place freed in between (a cancel with nobody waiting) sends us back to take it."""
    opts = {"synchronize_session": False}
    for _ in range(5):
        if db.session.execute(update(Activity).where(*_open(activity_id, now), Activity.places_taken < Activity.places)
                              .values(places_taken=Activity.places_taken + 1), execution_options=opts).rowcount:
            return "confirmed", None
        if db.session.execute(update(Activity).where(*_open(activity_id, now), Activity.places_taken >= Activity.places)
                              .values(waitlist_seq=Activity.waitlist_seq + 1), execution_options=opts).rowcount:
            return "waitlisted", db.session.scalar(select(Activity.waitlist_seq).where(Activity.id == activity_id))
        if not db.session.scalar(select(Activity.id).where(*_open(activity_id, now))):
            break
    db.session.rollback()
    raise ActivityError(SIGNUP_CLOSED)


def cancel_signup(user, activity_id: int, via: str = "web") -> ActivitySignup:
    """Withdraw user's sign-up before the deadline; a freed place goes to the first waitlisted volunteer."""
    user_id, now = user.id, utcnow()
    row = _mine(activity_id, user_id)
    if row is None or row.status == "cancelled":
        raise ActivityError(NOT_SIGNED_UP)
    activity = db.session.get(Activity, activity_id)
    if activity.status not in ("published", "closed") or activity.signup_deadline <= now:
        raise ActivityError(TOO_LATE)
    row_id, old = row.id, row.status
    db.session.rollback()
    done = db.session.execute(update(ActivitySignup).where(ActivitySignup.id == row_id,
                                                           ActivitySignup.status == old)
                              .values(status="cancelled", position=None, updated_at=now),
                              execution_options={"synchronize_session": False}).rowcount
    if done != 1:
        db.session.rollback()
        return _mine(activity_id, user_id)
    promoted = _promote(activity_id, now) if old == "confirmed" else None
    audit.log(user, "update", "activity", activity_id, reason=f"cancel sign-up {old}", via=via, commit=False)
    db.session.commit()
    if promoted is not None:
        tell_promoted(activity_id, promoted)
    return _mine(activity_id, user_id)


def _promote(activity_id: int, now) -> int | None:
    """Hand a freed confirmed place to the first waitlisted volunteer (by position); if nobody waits,
    the place stays free. Returns the promoted volunteer's id. The place is given back first, which locks
    the activity row: sign-ups joining the waitlist update that row too, so none slips in unseen."""
    opts = {"synchronize_session": False}
    db.session.execute(update(Activity).where(Activity.id == activity_id, Activity.places_taken > 0)
                       .values(places_taken=Activity.places_taken - 1), execution_options=opts)
    while True:
        first = db.session.execute(select(ActivitySignup.id, ActivitySignup.volunteer_id).where(
            ActivitySignup.activity_id == activity_id, ActivitySignup.status == "waitlisted")
            .order_by(ActivitySignup.position, ActivitySignup.id).limit(1)).first()
        if first is None:
            return None
        if db.session.execute(update(ActivitySignup).where(ActivitySignup.id == first.id,
                                                           ActivitySignup.status == "waitlisted")
                              .values(status="confirmed", position=None, updated_at=now),
                              execution_options=opts).rowcount == 1:
            db.session.execute(update(Activity).where(Activity.id == activity_id)
                               .values(places_taken=Activity.places_taken + 1), execution_options=opts)
            return first.volunteer_id
