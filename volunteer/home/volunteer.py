"""The volunteer home: what waits for the user, with counts from the services behind the lists they open.

    (a) visit offers to answer in place, (b) the next visit   -> home/visits.py (the lists of /my/visits)
    (c) needs near my home: the count and the three nearest   -> matching.nearme, as /near asks it
    (d) care events open for claiming, my live claims         -> home/wishes.py
    (e) my service hours this year                            -> activities.hours.summary (as /my/hours)
    (f) my next activities, and how many are near home       -> home/activities.py (as /activities lists)
"""
from datetime import date, datetime, time, timezone

from ..activities import hours
from .activities import activities_part
from ..matching import nearme
from ..visits.present import LOCAL
from .visits import visits_part
from .wishes import claims_part, events_part

NEAREST = 3


def near_part(user) -> dict:
    """Open needs near the volunteer's home, counted and the nearest few, exactly as /near finds them with
    no arguments (the home point, the profile's radius, matching skills, only when available); "args" ask
    /near for the same results. An incomplete profile gets the call to complete it instead."""
    profile = getattr(user, "profile", None)
    if profile is None or not profile.completed:
        return {"complete_profile": True}
    q = nearme.parse_query(user, {})
    found = nearme.near_needs(user, q, per_page=NEAREST)
    return {"complete_profile": False, "has_point": q.has_point, "no_slots": found.no_slots,
            "total": found.total, "nearest": list(found), "radius_km": q.radius_km, "args": q.args(),
            "labels": nearme.card_labels()}


def year_start(today: date | None = None) -> datetime:
    """1 January of this year, 00:00 Qingdao time, as aware UTC."""
    today = today or datetime.now(LOCAL).date()
    return datetime.combine(date(today.year, 1, 1), time(0), LOCAL).astimezone(timezone.utc)


def summary(user) -> dict:
    """Template context of templates/home/_volunteer.html."""
    return {"profile": getattr(user, "profile", None), **visits_part(user), "near": near_part(user),
            **events_part(user), **claims_part(user), **activities_part(user),
            "year_minutes": hours.summary(user.id)["year_minutes"]}
