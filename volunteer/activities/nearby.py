"""Published activities near a volunteer or a point, nearest first.

    nearby(user_or_point, radius_km=10.0, k=20, service_types=None, starts_from=None, starts_before=None)
        -> [(activity_id, km), ...]

The same approach as near me (matching.spatial): widening lat/lon boxes (1-2-4-... km up to radius_km)
on the (status, lat, lon) index of activity, then the vectorised haversine and a sort by (km, id), so
its distances agree with every other page. Activities are few next to needs (thousands), so the btree
box scan is enough (about 0.2 ms for 10,000 in performance-facts.md); no point table is needed.
"""
import numpy as np
from sqlalchemy import select

from ..extensions import db
from ..matching.spatial import _check, _sorted, bounding_box, haversine_km, radii
from ..types import utcnow
from .models import Activity


def point_of(user_or_point) -> tuple[float, float] | None:
    """(lat, lon) of a (lat, lon) pair, or of a volunteer's home point (None when not set)."""
    if isinstance(user_or_point, (tuple, list)):
        return float(user_or_point[0]), float(user_or_point[1])
    profile = getattr(user_or_point, "profile", None)
    if profile is None or profile.lat is None or profile.lon is None:
        return None
    return profile.lat, profile.lon


def nearby(user_or_point, radius_km: float = 10.0, k: int = 20, *, service_types=None, starts_from=None,
           starts_before=None) -> list[tuple[int, float]]:
    """The k published activities nearest the point within radius_km that have not started yet (or start
    in [starts_from, starts_before)), optionally of the given service types: [(activity_id, km)]."""
    point = point_of(user_or_point)
    if point is None:
        return []
    lat, lon = point
    _check(lat, lon, float(radius_km), k)
    conds = [Activity.status == "published", Activity.starts_at >= (starts_from or utcnow())]
    if starts_before is not None:
        conds.append(Activity.starts_at < starts_before)
    if service_types is not None:
        conds.append(Activity.service_type.in_(sorted(set(service_types)) or [""]))
    for r in radii(float(radius_km)):
        b = bounding_box(lat, lon, r)
        rows = db.session.execute(select(Activity.id, Activity.lat, Activity.lon).where(
            Activity.lat.between(b[0], b[1]), Activity.lon.between(b[2], b[3]), *conds)).all()
        if not rows:
            continue
        a = np.array(rows, dtype=float)
        ids, dist = a[:, 0].astype(np.int64), haversine_km(lat, lon, a[:, 1], a[:, 2])
        if r >= radius_km or int(np.count_nonzero(dist <= r)) >= k:
            return _sorted(ids, dist, min(r, float(radius_km)), k)
    return []
