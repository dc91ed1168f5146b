"""Demo activities (synthetic) in 沙子口街道, 崂山区, a few km from the demo volunteer's home: two published
ones ahead with sign-ups (the demo volunteer has a place in the first; the second has a waitlist), one with
sign-up closed, and two done in the past with the volunteers who came, their approved hours and registered
children taking part, so /activities, /my/hours, a child's page and /stats all show something.

Rows are inserted directly, like the rest of the demo, in the states the services would leave them in
(places_taken = the confirmed sign-ups, waitlist positions 1, 2, ... from waitlist_seq, attendance and
approved minutes on the sign-ups of a done activity). The same set in the small and the full build.
"""
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import delete, insert, select

from ..accounts.models import User
from ..activities.models import Activity, ActivityChild, ActivitySignup
from ..children.models import Child
from ..extensions import db
from ..geo import services as geo
from ..matching.spatial import haversine_km
from ..visits.present import LOCAL
from ..volunteers.models import VolunteerProfile
from .places import LAOSHAN, SHAZIKOU

NEAR_KM = 4.0  # venues lie within this distance of the demo volunteer's home
# (title, service type, days from today, start hour, minute, hours long, venue, places, children expected, status)
ACTIVITIES = (
    ("周末亲子阅读会", "group_service", 6, 9, 30, 2, "沙子口街道社区服务中心", 8, 12, "published"),
    ("海边环保小卫士", "community_activity", 13, 14, 0, 2.5, "流清河海滩", 6, 20, "published"),
    ("心理健康小课堂", "safety_education", 2, 15, 0, 1.5, "南窑社区活动室", 5, 10, "closed"),
    ("趣味运动会", "community_activity", -24, 9, 0, 3, "崂山区青少年活动中心", 10, 25, "done"),
    ("科学探索营", "camp", -52, 8, 30, 7, "沙子口小学", 6, 15, "done"),
)
# Sign-ups of each activity, in the order of ACTIVITIES: (confirmed besides the demo volunteer, waitlisted,
# whether the demo volunteer has a place). A done activity's confirmed volunteers all came but one.
SIGNUPS = ((4, 0, True), (6, 2, False), (4, 0, False), (7, 0, True), (5, 0, True))
CHILDREN_TAKING_PART = {"done": 5, "closed": 3}


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL).astimezone(timezone.utc)


def _venue(rng, home: tuple[float, float] | None) -> tuple[float, float]:
    """A point of 崂山区 within NEAR_KM of home (a few hundred draws at most), else home itself."""
    for _ in range(400):
        lat, lon = geo.random_point_in_district(LAOSHAN, rng)
        if home is None or float(haversine_km(home[0], home[1], [lat], [lon])[0]) <= NEAR_KM:
            return round(lat, 6), round(lon, 6)
    return home


def delete_all() -> None:
    """Delete every activity with its sign-ups and children (demo databases only, like the children)."""
    from .services import _clear_other_references

    ids = select(Activity.id)
    db.session.execute(delete(ActivitySignup))
    db.session.execute(delete(ActivityChild))
    _clear_other_references(Activity, ids)
    db.session.execute(delete(Activity))


def add_activities(rng, staff_ids: dict, volunteer_id: int, now) -> dict:
    """Insert the demo activities; returns {"activities": n, "signups": n}."""
    organiser = staff_ids["coordinator_district"]
    today = now.astimezone(LOCAL).date()
    home = db.session.execute(select(VolunteerProfile.lat, VolunteerProfile.lon)
                              .where(VolunteerProfile.user_id == volunteer_id)).first()
    home = (home.lat, home.lon) if home and home.lat is not None else None
    # Laoshan's volunteers first, then everyone else (the small build has few in Laoshan).
    pool = list(db.session.scalars(
        select(User.id).join(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(User.role == "volunteer", User.active.is_(True), User.id != volunteer_id)
        .order_by(VolunteerProfile.district_code != LAOSHAN, User.id).limit(60)))
    kids = list(db.session.scalars(select(Child.id).where(Child.district_code == LAOSHAN).order_by(Child.id)))
    signups = 0
    for (title, kind, days, hour, minute, length, venue, places, expected, status), (n, waiting, mine) in zip(
            ACTIVITIES, SIGNUPS):
        starts = _at(today + timedelta(days=days), hour, minute)
        ends = starts + timedelta(hours=length)
        deadline = starts - timedelta(days=1) if status != "closed" else min(now, starts) - timedelta(hours=2)
        lat, lon = _venue(rng, home)
        people = ([volunteer_id] if mine else []) + rng.sample(pool, min(n + waiting, len(pool)))
        confirmed, waitlisted = people[:len(people) - waiting], people[len(people) - waiting:]
        created = min(now, starts) - timedelta(days=rng.randint(10, 20))
        activity_id = db.session.execute(insert(Activity).returning(Activity.id), [{
            "title": title, "service_type": kind, "starts_at": starts, "ends_at": ends, "signup_deadline": deadline,
            "venue": venue, "lat": lat, "lon": lon, "district_code": LAOSHAN, "town_code": SHAZIKOU,
            "places": max(places, len(confirmed)), "places_taken": len(confirmed), "waitlist_seq": len(waitlisted),
            "skills": "", "min_age": None, "children_expected": expected, "status": status,
            "created_by_id": organiser, "created_at": created, "updated_at": min(now, ends)}]).scalar()
        rows = []
        for i, user_id in enumerate(confirmed):
            at = created + timedelta(hours=rng.randint(1, 72))
            row = {"activity_id": activity_id, "volunteer_id": user_id, "status": "confirmed", "position": None,
                   "created_at": at, "updated_at": at}
            if status == "done" and (user_id == volunteer_id or i < len(confirmed) - 1):  # the last did not come
                signed_in = starts + timedelta(minutes=rng.randint(-10, 15))
                minutes = int(length * 60) - rng.choice((0, 0, 15, 30))
                row.update(signed_in_at=signed_in, signed_out_at=max(signed_in, starts) + timedelta(minutes=minutes),
                           minutes=minutes, hours_status="approved", approved_minutes=minutes,
                           approved_by_id=organiser, approved_at=ends + timedelta(days=1))
            rows.append(row)
        for position, user_id in enumerate(waitlisted, start=1):
            at = created + timedelta(hours=80 + position)
            rows.append({"activity_id": activity_id, "volunteer_id": user_id, "status": "waitlisted",
                         "position": position, "created_at": at, "updated_at": at})
        db.session.execute(insert(ActivitySignup), rows)
        signups += len(rows)
        taking_part = rng.sample(kids, min(CHILDREN_TAKING_PART.get(status, 0), len(kids)))
        if taking_part:
            db.session.execute(insert(ActivityChild), [
                {"activity_id": activity_id, "child_id": c, "created_at": created} for c in sorted(taking_part)])
    return {"activities": len(ACTIVITIES), "signups": signups}
