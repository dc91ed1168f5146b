"""Signing up for an activity and cancelling: exact places, then a waitlist, promotion in its order.

A place is decided by one conditional UPDATE of activity.places_taken (fewer taken than places, published,
before the deadline); its rowcount says who got one. On PostgreSQL concurrent updaters wait on the row
lock and re-check the condition; on SQLite the UPDATE is the transaction's first write, so it takes the
write lock (waiting on busy_timeout). Waitlist positions come from activity.waitlist_seq, bumped by an
UPDATE in the same transaction, so they are distinct. UNIQUE(activity_id, volunteer_id) is the backstop:
a second sign-up by the same volunteer returns the existing row. A confirmed place (or a promotion)
schedules its reminders (reminders.py).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..audit import services as audit
from ..extensions import db
from ..types import utcnow
from . import eligibility, reminders
from .errors import ActivityError
from .models import Activity, ActivitySignup
from .notices import tell_promoted

SIGNUP_CLOSED = _l("Sign-up for this activity is closed (not published, or past the deadline).")
NOT_VOLUNTEER = _l("Only volunteers can sign up for activities.")
TOO_LATE = _l("It is past the sign-up deadline: please tell the organiser that you cannot come.")
NOT_SIGNED_UP = _l("You are not signed up for this activity.")
OPTS = {"synchronize_session": False}



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
    from ..safeguarding.services import check_signup; check_signup(user_id, activity)  # noqa: E702 (issue 19)
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
    row = _mine(activity_id, user_id)
    if row.status == "confirmed":
        reminders.schedule_reminders(row.id)
    return row


def _place_or_position(activity_id: int, now) -> tuple[str, int | None]:
    """In the caller's transaction: ("confirmed", None) if the conditional UPDATE took a place, else
    ("waitlisted", the next position). The waitlist UPDATE is conditional on the activity being full, so
    a place freed in between (a cancel with nobody waiting) sends us back to take it."""
    opts = OPTS
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
        _tell_promoted(activity_id, [promoted])
    return _mine(activity_id, user_id)


def _tell_promoted(activity_id: int, volunteer_ids) -> None:
    """Tell the promoted volunteers and schedule their reminders (after the commit)."""
    for volunteer_id in volunteer_ids:
        tell_promoted(activity_id, volunteer_id)
        reminders.schedule_reminders(_mine(activity_id, volunteer_id).id)


def _promote(activity_id: int, now) -> int | None:
    """Hand a freed confirmed place to the first waitlisted volunteer (by position); if nobody waits,
    the place stays free. Returns the promoted volunteer's id. The place is given back first, which locks
    the activity row: sign-ups joining the waitlist update that row too, so none slips in unseen."""
    opts = OPTS
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


def fill_places(activity_id: int, now) -> list[int]:
    """In the caller's transaction: give free places (more places than taken) to waitlisted volunteers in
    order; return who got one (the caller commits, then calls tell_filled)."""
    promoted = []
    while True:
        first = db.session.execute(select(ActivitySignup.id, ActivitySignup.volunteer_id).where(
            ActivitySignup.activity_id == activity_id, ActivitySignup.status == "waitlisted")
            .order_by(ActivitySignup.position, ActivitySignup.id).limit(1)).first()
        if first is None or not db.session.execute(update(Activity).where(
                Activity.id == activity_id, Activity.places_taken < Activity.places)
                .values(places_taken=Activity.places_taken + 1), execution_options=OPTS).rowcount:
            return promoted
        if db.session.execute(update(ActivitySignup).where(ActivitySignup.id == first.id,
                                                           ActivitySignup.status == "waitlisted")
                              .values(status="confirmed", position=None, updated_at=now),
                              execution_options=OPTS).rowcount == 1:
            promoted.append(first.volunteer_id)
        else:
            db.session.execute(update(Activity).where(Activity.id == activity_id)
                               .values(places_taken=Activity.places_taken - 1), execution_options=OPTS)


def tell_filled(activity_id: int, volunteer_ids) -> None:
    """After fill_places' commit: tell each promoted volunteer and schedule their reminders."""
    _tell_promoted(activity_id, volunteer_ids)
