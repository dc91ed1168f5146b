"""What the activity pages show: cards near a volunteer, a volunteer's own sign-ups, an organiser's lists,
one activity's sign-ups, and who may open an activity at all.

    visible(user, activity_id) -> Activity          # or ActivityNotFound (the same answer as missing)
    near_cards(user, filters) -> [card]             # published, upcoming, nearest first, numbered
    my_signups(user) -> [(activity, signup)]        # upcoming, not cancelled
    organised_by_status(user) -> {status: [activity]}
    signup_lists(activity) -> {"confirmed", "waitlisted", "cancelled": [(signup, user)]}
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import false, func, or_, select

from .. import access
from ..accounts.models import User
from ..extensions import db
from ..matching.spatial import haversine_km
from ..types import utcnow
from . import services
from .errors import ActivityNotFound
from .models import ACTIVITY_STATUSES, Activity, ActivitySignup
from .nearby import nearby, point_of

LOCAL = ZoneInfo("Asia/Shanghai")
RADIUS_KM = 30.0  # activities draw people from further than a home visit; Qingdao's urban area fits
NEAR_K = 50
PUBLIC = ("published", "closed", "done")
ORGANISER_LIMIT = 30  # per state on the organiser's list


@dataclass
class Filters:
    """The list's filters, as parsed from the query string (bad values give errors, not a 500)."""

    date_from: date | None = None
    date_to: date | None = None
    service_type: str = ""
    errors: dict = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.service_type)


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL)


def may_organise(user, activity) -> bool:
    """Whether user organises the activity (services' rule)."""
    return services.may_organise(user, activity)


def had_signed_up(user, activity_id: int) -> bool:
    return db.session.scalar(select(ActivitySignup.id).where(ActivitySignup.activity_id == activity_id,
                                                             ActivitySignup.volunteer_id == user.id)) is not None


def visible(user, activity_id: int) -> Activity:
    """The activity if user may open it: published, closed or done ones any logged-in user; drafts their
    organisers; cancelled ones their organisers and whoever had signed up. Else ActivityNotFound."""
    activity = db.session.get(Activity, activity_id)
    if activity is not None and (activity.status in PUBLIC or may_organise(user, activity) or (
            activity.status == "cancelled" and had_signed_up(user, activity.id))):
        return activity
    raise ActivityNotFound(services.NOT_FOUND)


def mine(user, activity_id: int) -> ActivitySignup | None:
    """user's sign-up for the activity (any status), or None."""
    if user.role != "volunteer":
        return None
    return db.session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                          ActivitySignup.volunteer_id == user.id))


def places_left(activity) -> int:
    return max(0, activity.places - activity.places_taken)


def _statuses(user, ids) -> dict[int, ActivitySignup]:
    if not ids or user.role != "volunteer":
        return {}
    rows = db.session.scalars(select(ActivitySignup).where(ActivitySignup.volunteer_id == user.id,
                                                           ActivitySignup.activity_id.in_(ids))).all()
    return {r.activity_id: r for r in rows}


def near_cards(user, filters: Filters) -> list[dict]:
    """Published activities ahead within RADIUS_KM of the volunteer's home, nearest first:
    [{"num", "activity", "km", "signup"}]; [] without a home point."""
    start = max(utcnow(), local_day_start(filters.date_from)) if filters.date_from else None
    before = local_day_start(filters.date_to + timedelta(days=1)) if filters.date_to else None
    found = nearby(user, RADIUS_KM, NEAR_K, starts_from=start, starts_before=before,
                   service_types=[filters.service_type] if filters.service_type else None)
    if not found:
        return []
    ids = [i for i, _km in found]
    by_id = {a.id: a for a in db.session.scalars(select(Activity).where(Activity.id.in_(ids)))}
    signups = _statuses(user, ids)
    return [{"num": n, "activity": by_id[i], "km": km, "signup": signups.get(i)}
            for n, (i, km) in enumerate(found, 1) if i in by_id]


def has_home(user) -> bool:
    return point_of(user) is not None


def km_from_home(user, activity) -> float | None:
    """A volunteer's distance from home to the venue (the same haversine as the list), or None."""
    home = point_of(user) if user.role == "volunteer" else None
    return None if home is None else float(haversine_km(home[0], home[1], activity.lat, activity.lon))


def my_signups(user, limit: int = 10) -> list[tuple[Activity, ActivitySignup]]:
    """The volunteer's sign-ups (confirmed or waitlisted) for activities not over yet, soonest first."""
    rows = db.session.execute(select(Activity, ActivitySignup).join(
        ActivitySignup, ActivitySignup.activity_id == Activity.id).where(
        ActivitySignup.volunteer_id == user.id, ActivitySignup.status != "cancelled",
        Activity.status.in_(("published", "closed")), Activity.ends_at > utcnow())
        .order_by(Activity.starts_at, Activity.id).limit(limit)).all()
    return [(a, s) for a, s in rows]


def upcoming(limit: int = NEAR_K) -> list[Activity]:
    """Published activities ahead, soonest first (for users without a home point on the map)."""
    return db.session.scalars(select(Activity).where(Activity.status == "published", Activity.starts_at > utcnow())
                              .order_by(Activity.starts_at, Activity.id).limit(limit)).all()


def _organised_clause(user):
    if user.role == "org_admin":
        return Activity.org_id == user.organisation_id if user.organisation_id else None
    prefix = access.scope_prefix(user) if user.is_staff else None
    if prefix is None:
        return None
    if prefix == "":
        return Activity.id.isnot(None)
    return or_(Activity.district_code.startswith(prefix), Activity.town_code.startswith(prefix))


def organised_clause(user):
    """SQL: the activities user may organise (services.may_organise for one), false() for nobody's."""
    clause = _organised_clause(user)
    return false() if clause is None else clause


def organised_by_status(user) -> dict[str, list[Activity]]:
    """The activities user organises, by state (drafts and live ones soonest first, others latest first)."""
    clause = _organised_clause(user)
    out = {s: [] for s in ACTIVITY_STATUSES}
    if clause is None:
        return out
    for status in ACTIVITY_STATUSES:
        order = (Activity.starts_at, Activity.id) if status in ("draft", "published", "closed") else (
            Activity.starts_at.desc(), Activity.id.desc())
        out[status] = db.session.scalars(select(Activity).where(clause, Activity.status == status)
                                         .order_by(*order).limit(ORGANISER_LIMIT)).all()
    return out


def waitlist_counts(ids) -> dict[int, int]:
    """Waitlisted sign-ups per activity."""
    if not ids:
        return {}
    return dict(db.session.execute(select(ActivitySignup.activity_id, func.count(ActivitySignup.id)).where(
        ActivitySignup.activity_id.in_(ids), ActivitySignup.status == "waitlisted")
        .group_by(ActivitySignup.activity_id)).all())


def signup_lists(activity) -> dict[str, list[tuple[ActivitySignup, User]]]:
    """The activity's sign-ups with their volunteers: confirmed (in sign-up order), the waitlist in
    order, cancelled (latest first)."""
    rows = db.session.execute(select(ActivitySignup, User).join(User, User.id == ActivitySignup.volunteer_id)
                              .where(ActivitySignup.activity_id == activity.id)
                              .order_by(ActivitySignup.position, ActivitySignup.created_at, ActivitySignup.id)).all()
    out = {"confirmed": [], "waitlisted": [], "cancelled": []}
    for s, u in rows:
        out[s.status].append((s, u))
    out["cancelled"].sort(key=lambda r: (r[0].updated_at, r[0].id), reverse=True)
    return out


def is_live_for_signup(activity, now=None) -> bool:
    """Whether sign-up is open now (published, before the deadline)."""
    return activity.status == "published" and activity.signup_deadline > (now or utcnow())


def cancellable(activity, now=None) -> bool:
    """Whether a volunteer may still withdraw (signups.cancel_signup's rule)."""
    return activity.status in ("published", "closed") and activity.signup_deadline > (now or utcnow())
