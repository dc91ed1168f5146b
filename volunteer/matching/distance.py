"""Helper-to-child distance: the one measure every page and the API show, and the words naming its points.

    d = between(viewer, "home", (lat, lon), child)   # a Distance, or None without both points
    d.km, d.text, d.record()                         # 1.2, "About 1.2 km from your home", {"km", "from", "to"}
    nearest(viewer, "member", points, child)         # the nearest of several from-points (a team's members)
    team_from(viewer, org, member_homes, child)      # an organisation: its nearest member's home, or its district
    km_many(lat, lon, lats, lons) -> np.ndarray      # the same measure for many points (near me's hot path)
    shown_km(km) -> float                            # as shown: 0.1 km, at least 0.1

To-point, by the viewer: staff (the full view of children, the child in their scope) measure to the
child's real home, or to the privacy-card point when the child has no home point; everyone else
(volunteers, organisation users, caring units) always to the privacy-card point (a ~1.1 km grid-cell
centre), never the home, so no number they see can help locate a child.
From-point (origin): "home" (a helper's profile point), "gps" (the phone), "area" (a chosen district or
town), "member" (an organisation's member nearest the child), "district" (an organisation's district).
Measure: great circle on the mean-radius sphere (spatial.haversine_km), the numbers the spatial engine
sorts by; never geopy per row.
"""
from dataclasses import dataclass

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import access, units
from ..extensions import db
from .points import card_point
from .spatial import haversine_km

km_many = haversine_km

# The words naming both points, by (what the viewer is measured to, from where). {km} is the shown number.
PHRASES = {
    ("card", "home"): _l("About %(km)s km from your home"),
    ("card", "gps"): _l("About %(km)s km from your current location"),
    ("card", "area"): _l("About %(km)s km from the chosen area"),
    ("home", "home"): _l("%(km)s km from the volunteer's home"),
    ("home", "member"): _l("%(km)s km from the nearest member's home"),
    ("home", "district"): _l("about %(km)s km (by its district)"),
    ("staff_card", "home"): _l("About %(km)s km from the volunteer's home (to the child's approximate area)"),
    ("staff_card", "member"): _l("About %(km)s km from the nearest member's home (to the child's approximate "
                                 "area)"),
    ("staff_card", "district"): _l("about %(km)s km (by its district)"),
}
ABOUT = _l("About %(km)s km")
TWO_HOMES = _l("%(first)s km and %(second)s km from the two volunteers' homes")
RECORD_TO = {"card": "approximate_place", "staff_card": "approximate_place", "home": "child_home"}


def shown_km(km: float) -> float:
    """A distance as shown: to 0.1 km, never more precise (and never "0.0": at least 0.1)."""
    return max(0.1, round(float(km) + 1e-9, 1))


def km_text(km: float) -> str:
    """The number as written inside the phrases (one place for its format): no needless decimal."""
    return units.decimal(km, 1)


@dataclass(frozen=True)
class Distance:
    """A helper-to-child distance as shown: km rounded (shown_km), origin and target naming the points."""

    km: float
    origin: str  # "home", "gps", "area", "member", "district"
    target: str  # "home" (the child's home, staff only), "card" (the privacy-card point), "staff_card"

    @property
    def text(self) -> str:
        return str(PHRASES.get((self.target, self.origin), ABOUT)) % {"km": km_text(self.km)}

    def __str__(self) -> str:
        return self.text

    def record(self) -> dict:
        """For the API: codes, no words."""
        return {"km": self.km, "from": self.origin, "to": RECORD_TO[self.target]}


def target(viewer, child) -> tuple[float | None, float | None, str]:
    """(lat, lon, kind) of the point viewer's distances to child end at (see the module doc)."""
    if access.view_of(viewer, "child") == "full" and access.child_in_scope(viewer, child):
        if child.lat is not None and child.lon is not None:
            return float(child.lat), float(child.lon), "home"
        lat, lon = card_point(None, None, child.town_code, child.district_code)
        return lat, lon, "staff_card"
    lat, lon = card_point(child.lat, child.lon, child.town_code, child.district_code)
    return lat, lon, "card"


def nearest(viewer, origin: str, points, child, to=None) -> Distance | None:
    """The distance from the nearest of points [(lat, lon)] to child, as viewer may see it; None without
    a point at either end. to: target(viewer, child) when already known (a page of many helpers)."""
    lat, lon, kind = to or target(viewer, child)
    points = [p for p in points if p is not None and p[0] is not None and p[1] is not None]
    if lat is None or not points:
        return None
    km = km_many(lat, lon, [p[0] for p in points], [p[1] for p in points])
    return Distance(shown_km(float(np.min(km))), origin, kind)


def between(viewer, origin: str, point, child, to=None) -> Distance | None:
    """The distance from point (lat, lon) to child, as viewer may see it (see the module doc)."""
    return nearest(viewer, origin, [point], child, to)


def home_of(user) -> tuple[float, float] | None:
    """A helper's home point (their volunteer profile's), or None."""
    profile = getattr(user, "profile", None) if user is not None else None
    if profile is None or profile.lat is None or profile.lon is None:
        return None
    return float(profile.lat), float(profile.lon)


def from_home(viewer, helper, child) -> Distance | None:
    """From helper's home to child, as viewer may see it (a volunteer viewing themselves: to the card)."""
    return between(viewer, "home", home_of(helper), child)


def homes(user_ids) -> dict[int, tuple[float, float]]:
    """user id -> home point, for the users with a located profile (one query)."""
    from ..volunteers.models import VolunteerProfile

    if not user_ids:
        return {}
    rows = db.session.execute(select(VolunteerProfile.user_id, VolunteerProfile.lat, VolunteerProfile.lon)
                              .where(VolunteerProfile.user_id.in_(list(user_ids)),
                                     VolunteerProfile.lat.is_not(None), VolunteerProfile.lon.is_not(None)))
    return {uid: (float(lat), float(lon)) for uid, lat, lon in rows}


def team_from(viewer, org, member_homes, child, to=None) -> Distance | None:
    """An organisation's distance as find helpers shows it: from its nearest member's home, else about
    from its district's point."""
    from ..geo import services as geo

    if member_homes:
        return nearest(viewer, "member", member_homes, child, to)
    point = geo.district_point(org.district_code) if org is not None and org.district_code else None
    return between(viewer, "district", point, child, to)


def member_homes(org_ids) -> dict[int, list[tuple[float, float]]]:
    """organisation id -> its active members' home points (one query)."""
    from ..accounts.models import User
    from ..volunteers.models import VolunteerProfile

    out: dict = {}
    if not org_ids:
        return out
    for oid, lat, lon in db.session.execute(
            select(User.organisation_id, VolunteerProfile.lat, VolunteerProfile.lon)
            .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
            .where(User.organisation_id.in_(list(org_ids)), User.active.is_(True),
                   VolunteerProfile.lat.is_not(None), VolunteerProfile.lon.is_not(None))):
        out.setdefault(oid, []).append((float(lat), float(lon)))
    return out


def pair_text(first: Distance, second: Distance) -> str:
    """Two volunteers' distances in one phrase (a home visit's pair)."""
    if first.target == second.target == "home" and first.origin == second.origin == "home":
        return str(TWO_HOMES) % {"first": km_text(first.km), "second": km_text(second.km)}
    return " / ".join((first.text, second.text))
