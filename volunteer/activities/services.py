"""Activities: create, change, publish, close, mark done, cancel. Volunteers sign up (exact places, then a
waitlist) and cancel in signups.py; its functions are named here too (services.sign_up, ...)."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .. import access
from ..audit import services as audit
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.models import SERVICE_TYPES
from ..types import utcnow
from ..volunteers.skills import SKILLS
from . import reminders, signups
from .errors import ActivityError, ActivityNotFound  # noqa: F401 (the services' errors, named here too)
from .models import ACTIVITY_FLOW, Activity, ActivitySignup
from .notices import tell_cancelled, tell_changed
from .signups import (NOT_SIGNED_UP, NOT_VOLUNTEER, SIGNUP_CLOSED, TOO_LATE,  # noqa: F401 (named here too)
                      cancel_signup, sign_up)

NOT_FOUND = _l("No such activity, or you may not change it.")
NOT_ORGANISER = _l("Only a coordinator in the area or an organisation admin can organise an activity.")
BAD_MOVE = _l("This activity cannot move from its present state to that one.")
NOT_EDITABLE = _l("Only a draft or a published activity can be changed.")
EDITABLE = ("draft", "published")


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


def may_organise(user, activity_or_codes) -> bool:
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
    if not may_organise(user, activity):
        raise ActivityError(NOT_ORGANISER)
    db.session.add(activity)
    db.session.flush()
    audit.log(user, "update", "activity", activity.id, reason="create", commit=False)
    db.session.commit()
    return activity


def edit(user, activity_id: int, data: dict) -> Activity:
    """Change a draft or published activity organised by user. Places never drop below those taken; new
    places go to the waitlist in order; a new start or venue is told to those signed up (a new start also
    clears the reminders sent and schedules them for the new time)."""
    activity = organised(user, activity_id)
    fields = _validate(data)
    probe = Activity(**{k: fields[k] for k in ("district_code", "town_code")}, org_id=activity.org_id)
    if not may_organise(user, probe):
        raise ActivityError(NOT_ORGANISER)
    old_start, old_venue, now = activity.starts_at, activity.venue, utcnow()
    changed = db.session.execute(update(Activity).where(
        Activity.id == activity.id, Activity.status.in_(EDITABLE), Activity.places_taken <= fields["places"])
        .values(**fields, updated_at=now), execution_options={"synchronize_session": False}).rowcount
    if changed != 1:
        db.session.rollback()
        db.session.refresh(activity)
        if activity.status not in EDITABLE:
            raise ActivityError(NOT_EDITABLE)
        raise InvalidInput({"places": _l("%(num)s volunteers already have a place: keep at least that many.",
                                         num=activity.places_taken)})
    moved = fields["starts_at"] != old_start
    if moved:
        db.session.execute(update(ActivitySignup).where(ActivitySignup.activity_id == activity.id)
                           .values(reminded_24h_at=None, reminded_2h_at=None), execution_options={"synchronize_session": False})
    promoted = signups.fill_places(activity.id, now)
    audit.log(user, "update", "activity", activity.id, reason="edit", commit=False)
    db.session.commit()
    db.session.refresh(activity)
    signups.tell_filled(activity.id, promoted)
    if activity.status == "published" and (moved or activity.venue != old_venue):
        rows = db.session.execute(select(ActivitySignup.id, ActivitySignup.volunteer_id, ActivitySignup.status).where(
            ActivitySignup.activity_id == activity.id, ActivitySignup.status != "cancelled")).all()
        for signup_id, volunteer_id, status in rows:
            tell_changed(activity.id, volunteer_id)
            if moved and status == "confirmed" and volunteer_id not in promoted:
                reminders.schedule_reminders(signup_id)
    return activity


def organised(user, activity_id: int) -> Activity:
    """The activity if user may change it, else ActivityNotFound."""
    activity = db.session.get(Activity, activity_id) if isinstance(activity_id, int) else None
    if activity is None or not may_organise(user, activity):
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


