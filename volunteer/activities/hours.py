"""Service hours of activities: counted at sign-out, approved or corrected by the organiser, and summed for
a volunteer together with their visits.

    minutes_served(starts_at, ends_at, signed_in_at, signed_out_at) -> int
    approve(organiser, activity_id, signup_id, minutes=None, reason=None, now=None) -> ActivitySignup
    approve_all(organiser, activity_id, now=None) -> int
    roster(organiser, activity_id) -> (activity, [row])     # the organiser's attendance and hours page
    summary(user_id, today=None) -> dict                     # approved hours by year, type and item

Only approved minutes count. A sign-up's minutes run from the sign-in (not before the start) to the sign-out
(not after the end). The organiser approves them as they are, or gives other minutes with a reason (also for
a volunteer who signed in and never out); approving again with a reason corrects approved minutes.
Visits count as on the volunteer home: a helper's VisitAssignee.service_minutes of a visit that took place.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..accounts.models import User
from ..audit import services as audit
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.models import Need
from ..types import utcnow
from ..validation import _bad_char
from ..visits.models import Visit, VisitAssignee
from .models import Activity, ActivitySignup
from .errors import ActivityError, ActivityNotFound
from .services import organised

LOCAL = ZoneInfo("Asia/Shanghai")
REASON_MAX = 90  # two reasons fit the 200 characters of attendance_note
MAX_MINUTES = 24 * 60
SERVED = ("checked_in", "done", "flagged")  # a visit that took place, as statistics count it
OPTS = {"synchronize_session": False}

NO_SIGNUP = _l("No such sign-up for this activity.")
NOT_ATTENDED = _l("This volunteer did not sign in.")
CANCELLED = _l("This activity was cancelled.")


def clean_reason(reason, field: str = "reason") -> str:
    """A required short plain-text reason, else InvalidInput on field."""
    text = ("" if reason is None else str(reason)).strip()
    if not text:
        raise InvalidInput({field: _l("Give the reason.")})
    if len(text) > REASON_MAX or any(_bad_char(ch) for ch in text):
        raise InvalidInput({field: _l("Please keep the reason short, in plain text.")})
    return text


def minutes_served(starts_at, ends_at, signed_in_at, signed_out_at) -> int:
    """Whole minutes from the sign-in (not before the start) to the sign-out (not after the end)."""
    start, end = max(signed_in_at, starts_at), min(signed_out_at, ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def _minutes(value) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        n = -1
    if not 0 <= n <= MAX_MINUTES:
        raise InvalidInput({"minutes": _l("Enter the minutes as a whole number from 0 to %(max)s.",
                                          max=MAX_MINUTES)})
    return n


def _signup(organiser, activity_id, signup_id) -> tuple[Activity, ActivitySignup]:
    activity = organised(organiser, activity_id)
    row = db.session.get(ActivitySignup, signup_id) if isinstance(signup_id, int) else None
    if row is None or row.activity_id != activity.id or row.status != "confirmed":
        raise ActivityNotFound(NO_SIGNUP)
    if activity.status == "cancelled":
        raise ActivityError(CANCELLED)
    return activity, row


def approve(organiser, activity_id, signup_id, minutes=None, reason=None, now: datetime | None = None,
            via: str = "web") -> ActivitySignup:
    """Approve a sign-up's pending minutes as counted, or set other minutes with a reason."""
    now = now or utcnow()
    activity, row = _signup(organiser, activity_id, signup_id)
    if row.signed_in_at is None:
        raise ActivityError(NOT_ATTENDED)
    n = _minutes(minutes)
    if n is not None and row.hours_status == "pending" and n == row.minutes:
        n = None  # the counted minutes, sent back by the form: a plain approval
    row_id, S = row.id, ActivitySignup
    if n is None:
        if row.hours_status != "pending":
            if row.hours_status == "approved":
                return row
            raise InvalidInput({"minutes": _l("This volunteer never signed out: enter the minutes served and the "
                                              "reason.")})
        db.session.rollback()
        done = db.session.execute(update(S).where(S.id == row_id, S.hours_status == "pending").values(
            approved_minutes=S.minutes, hours_status="approved", approved_by_id=organiser.id, approved_at=now,
            hours_reason=None, updated_at=now), execution_options=OPTS).rowcount
        what = "hours approved"
    else:
        text = clean_reason(reason)
        what = "hours corrected" if row.signed_out_at is not None else "hours by hand"
        db.session.rollback()
        done = db.session.execute(update(S).where(S.id == row_id, S.signed_in_at.is_not(None)).values(
            approved_minutes=n, hours_status="approved", approved_by_id=organiser.id, approved_at=now,
            hours_reason=text, updated_at=now), execution_options=OPTS).rowcount
    if done == 1:
        audit.log(organiser, "update", "activity", activity_id, reason=what, via=via, commit=False)
        db.session.commit()
    else:
        db.session.rollback()
    return db.session.get(ActivitySignup, row_id)


def approve_all(organiser, activity_id, now: datetime | None = None, via: str = "web") -> int:
    """Approve every pending sign-up of the activity as counted; how many were approved."""
    now = now or utcnow()
    activity = organised(organiser, activity_id)
    if activity.status == "cancelled":
        raise ActivityError(CANCELLED)
    activity_id, S = activity.id, ActivitySignup
    db.session.rollback()
    done = db.session.execute(update(S).where(S.activity_id == activity_id, S.status == "confirmed",
                                              S.hours_status == "pending").values(
        approved_minutes=S.minutes, hours_status="approved", approved_by_id=organiser.id, approved_at=now,
        hours_reason=None, updated_at=now), execution_options=OPTS).rowcount
    if done:
        audit.log(organiser, "update", "activity", activity_id, reason=f"hours approved all {done}", via=via,
                  commit=False)
    db.session.commit()
    return done


def roster(organiser, activity_id) -> tuple[Activity, list]:
    """The activity and its confirmed sign-ups with the volunteer's name: (signup, name) rows, the signed
    in first (by sign-in time), then the others by name."""
    activity = organised(organiser, activity_id)
    S = ActivitySignup
    rows = db.session.execute(select(S, User.name).join(User, User.id == S.volunteer_id).where(
        S.activity_id == activity.id, S.status == "confirmed")
        .order_by(S.signed_in_at.is_(None), S.signed_in_at, User.name, S.id)).all()
    return activity, [(r[0], r[1]) for r in rows]


# --- a volunteer's hours ------------------------------------------------------------------------------

def _day(moment) -> date:
    return moment.astimezone(LOCAL).date()


def summary(user_id: int, today: date | None = None) -> dict:
    """A volunteer's approved service minutes (activities and visits): this year's, in all, by year (newest
    first), by service type (most first) and item by item (newest first); activities not approved yet
    apart, under "pending" (counted minutes, or None while signed in), not counted. Plain values only
    (dates as ISO strings), so the API can send it as it is."""
    today = today or datetime.now(LOCAL).date()
    S = ActivitySignup
    items, pending = [], []
    for a, s in db.session.execute(select(Activity, S).join(S, S.activity_id == Activity.id).where(
            S.volunteer_id == user_id, S.status == "confirmed", S.signed_in_at.is_not(None),
            Activity.status != "cancelled")).all():
        item = {"kind": "activity", "id": a.id, "title": a.title, "service_type": a.service_type,
                "date": _day(a.starts_at).isoformat()}
        if s.hours_status == "approved":
            items.append({**item, "minutes": int(s.approved_minutes or 0), "status": "approved"})
        else:
            pending.append({**item, "minutes": s.minutes, "status": s.hours_status or "signed_in"})
    for visit_id, at, minutes, service_type in db.session.execute(
            select(VisitAssignee.visit_id, VisitAssignee.checked_in_at, VisitAssignee.service_minutes,
                   Need.service_type).join(Visit, Visit.id == VisitAssignee.visit_id)
            .join(Need, Need.id == Visit.need_id).where(
                VisitAssignee.user_id == user_id, VisitAssignee.service_minutes.is_not(None),
                VisitAssignee.checked_in_at.is_not(None), Visit.status.in_(SERVED))).all():
        items.append({"kind": "visit", "id": visit_id, "title": None, "service_type": service_type,
                      "date": _day(at).isoformat(), "minutes": int(minutes), "status": "approved"})
    items.sort(key=lambda i: (i["date"], i["kind"], i["id"]), reverse=True)
    pending.sort(key=lambda i: (i["date"], i["id"]), reverse=True)
    by_year, by_type = {}, {}
    for i in items:
        year = int(i["date"][:4])
        by_year[year] = by_year.get(year, 0) + i["minutes"]
        by_type[i["service_type"]] = by_type.get(i["service_type"], 0) + i["minutes"]
    return {"year": today.year, "year_minutes": by_year.get(today.year, 0),
            "total_minutes": sum(by_year.values()),
            "by_year": [{"year": y, "minutes": m} for y, m in sorted(by_year.items(), reverse=True)],
            "by_type": [{"service_type": t, "minutes": m}
                        for t, m in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))],
            "items": items, "pending": pending}
