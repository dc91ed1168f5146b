"""The spatial engine: open needs near a point, and volunteers near a need. One interface, three backends.

    eng = engine()                        # picked for the current db.engine (cached per engine)
    eng.nearest_needs(lat, lon, k=20, max_km=10.0, skills_mask=..., service_types=..., exclude_ids=...)
        -> [(need_id, km), ...]           # sorted by km, then need_id
    eng.needs_within(lat, lon, km, page=1, per_page=20, skills_mask=...) -> ([(need_id, km), ...], total)
    eng.volunteers_near(lat, lon, km, limit=50) -> [(user_id, km), ...]

Backends (all read need_point through the caller's db.session, so they see its uncommitted changes):
- SqliteRtree: SQLite with the need_point_rtree R*Tree; widening boxes (1-2-4-8-...-max km) on the R*Tree,
  joined to need_point for the exact point and the filters.
- PostGIS: PostgreSQL whose need_point has the geography column: ST_DWithin (sphere) + ORDER BY <->.
- BoxScan: anything else (SQLite without R*Tree, PostgreSQL without PostGIS): the same widening boxes on
  the btree index on (lat, lon).
Every backend computes the returned distances with the same vectorised haversine (numpy, mean Earth
radius) from need_point's stored lat/lon, and sorts by (distance, id), so all agree on the same data.
Points are privacy-card points (~1.1 km grid-cell centres): many needs share a point, so ties are common
and broken by id. A need matches skills when it requires nothing the volunteer lacks:
need.skills_mask & ~volunteer_mask == 0.
geopy's geodesic only in display_km(), never in a loop (~85 us a call); pages show helper-to-child
distances through matching.distance (this haversine), so every page shows the same number.
Input validation (a point in Qingdao) is the views' job (volunteer.geo.services.parse_point); here only
km in (0, 50], k in [1, 200] and finite numbers are enforced (ValueError).
"""
import math
import re
import weakref

import numpy as np
from geopy.distance import geodesic

from ..extensions import db
from .models import GEOG_COLUMN, RTREE
from .points import ALL_SKILLS

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius; PostGIS's sphere is 6371.0087714 km
KM_PER_DEG = math.pi * EARTH_RADIUS_KM / 180.0
MAX_KM = 50.0
MAX_K = 200
MAX_PER_PAGE = 100
_SLACK = 1e-7  # relative: PostGIS's sphere radius differs from ours by 4.5e-9; numpy has the last word
_EXTRA = 16  # PostGIS: rows fetched past k to see whether the k-th is tied with the next ones
_BOX_MARGIN_DEG = 1e-6  # > float32 rounding of the R*Tree (it rounds outwards anyway) and float noise


def haversine_km(lat: float, lon: float, lats, lons) -> np.ndarray:
    """Great-circle distances (km) from one point to arrays of points (vectorised)."""
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    p1 = math.radians(lat)
    p2 = np.radians(lats)
    a = np.sin((p2 - p1) * 0.5) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def display_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """One distance on the WGS-84 ellipsoid, rounded to 0.1 km. Never call it in a loop; a helper-to-child
    distance shown on a page comes from matching.distance instead (the same sphere on every page)."""
    return round(geodesic((lat1, lon1), (lat2, lon2)).km, 1)


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) holding every point within km of (lat, lon)."""
    delta = km / EARTH_RADIUS_KM
    dlat = math.degrees(delta)
    s = math.sin(delta) / max(math.cos(math.radians(lat)), 1e-12)
    dlon = 180.0 if s >= 1 else math.degrees(math.asin(s))
    m = _BOX_MARGIN_DEG
    return (lat - dlat - m, lat + dlat + m, lon - dlon - m, lon + dlon + m)


def radii(max_km: float) -> list[float]:
    """The widening search radii: 1, 2, 4, 8, ... km, ending with max_km."""
    out, r = [], 1.0
    while r < max_km:
        out.append(r)
        r *= 2
    out.append(max_km)
    return out


def _check(lat, lon, km, k=1):
    for v in (lat, lon, km):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            raise ValueError("latitude, longitude and distance must be finite numbers")
    if not 0 < km <= MAX_KM:
        raise ValueError(f"distance must be more than 0 and at most {MAX_KM:g} km")
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise ValueError(f"k must be between 1 and {MAX_K}")


def _sorted(ids, dist, km, limit=None) -> list[tuple[int, float]]:
    """(id, km) pairs within km, by distance then id, at most limit."""
    keep = dist <= km
    ids, dist = ids[keep], dist[keep]
    order = np.lexsort((ids, dist))
    if limit is not None:
        order = order[:limit]
    return [(int(i), float(d)) for i, d in zip(ids[order].tolist(), dist[order].tolist())]


class Engine:
    """The interface; subclasses give the candidate queries."""

    name = "engine"

    # --- SQL plumbing: the raw DB-API cursor of db.session's connection (same transaction) -----------
    def _cursor(self):
        return db.session.connection().connection.driver_connection.cursor()

    _NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")

    def _sql(self, sql: str) -> str:
        return sql  # sqlite3 takes :name

    def _fetch(self, sql: str, params: dict) -> list[tuple]:
        cur = self._cursor()
        try:
            cur.execute(self._sql(sql), params)
            return cur.fetchall()
        finally:
            cur.close()

    @staticmethod
    def _filters(params, skills_mask=None, service_types=None, exclude_ids=(), alias="p") -> str:
        sql = ""
        if skills_mask is not None:
            params["inv"] = ALL_SKILLS & ~int(skills_mask) | ~ALL_SKILLS & 0x7FFFFFFF
            sql += f" AND ({alias}.skills_mask & :inv) = 0"
        if service_types is not None:
            types = sorted(set(service_types))
            if not types:
                return " AND 1 = 0"
            names = []
            for n, t in enumerate(types):
                params[f"st{n}"] = str(t)
                names.append(f":st{n}")
            sql += f" AND {alias}.service_type IN ({', '.join(names)})"
        ex = sorted({int(i) for i in exclude_ids or ()})
        if ex:
            names = []
            for n, i in enumerate(ex):
                params[f"ex{n}"] = i
                names.append(f":ex{n}")
            sql += f" AND {alias}.need_id NOT IN ({', '.join(names)})"
        return sql

    # --- box candidates (SqliteRtree, BoxScan) -------------------------------------------------------
    def _box_rows(self, box, params, where) -> list[tuple]:
        """(id, lat, lon) rows of need_point inside box matching where."""
        raise NotImplementedError

    def _box_nearest(self, fetch, lat, lon, k, max_km) -> list[tuple[int, float]]:
        """The k nearest within max_km, by boxes of widening radius: once a radius r holds k matches,
        nothing outside r can be nearer, so the answer is exact."""
        for r in radii(max_km):
            rows = fetch(bounding_box(lat, lon, r))
            if not rows:
                continue
            a = np.array(rows, dtype=float)
            ids, dist = a[:, 0].astype(np.int64), haversine_km(lat, lon, a[:, 1], a[:, 2])
            if r >= max_km or int(np.count_nonzero(dist <= r)) >= k:
                return _sorted(ids, dist, min(r, max_km), k)
        return []

    # --- the interface --------------------------------------------------------------------------------
    def nearest_needs(self, lat, lon, *, k=20, max_km=10.0, skills_mask=None, service_types=None,
                      exclude_ids=()) -> list[tuple[int, float]]:
        """The k open needs nearest to (lat, lon) within max_km: [(need_id, km)] by km, then need_id."""
        _check(lat, lon, max_km, k)
        params = {}
        where = self._filters(params, skills_mask, service_types, exclude_ids)
        return self._box_nearest(lambda box: self._box_rows(box, params, where), lat, lon, k, max_km)

    def needs_within(self, lat, lon, km, *, page=1, per_page=20, skills_mask=None):
        """Every open need within km, by distance then id, paged: ([(need_id, km)], total)."""
        _check(lat, lon, km)
        page, per_page = _page(page, per_page)
        params = {}
        where = self._filters(params, skills_mask)
        rows = self._box_rows(bounding_box(lat, lon, km), params, where)
        if not rows:
            return [], 0
        a = np.array(rows, dtype=float)
        result = _sorted(a[:, 0].astype(np.int64), haversine_km(lat, lon, a[:, 1], a[:, 2]), km)
        start = (page - 1) * per_page
        return result[start:start + per_page], len(result)

    _VOLUNTEERS = ("SELECT v.user_id, v.lat, v.lon FROM volunteer_profile v JOIN \"user\" u ON u.id = v.user_id "
                   "WHERE v.lat BETWEEN :lat1 AND :lat2 AND v.lon BETWEEN :lon1 AND :lon2 "
                   "AND v.completed = :yes AND u.active = :yes")

    def volunteers_near(self, lat, lon, km, limit=50) -> list[tuple[int, float]]:
        """Active volunteers with a completed profile and a home point within km: [(user_id, km)],
        nearest first (ties by id), at most limit. A box scan on the (lat, lon) index, every backend."""
        _check(lat, lon, km, limit)

        def fetch(box):
            return self._fetch(self._VOLUNTEERS, {"lat1": box[0], "lat2": box[1], "lon1": box[2],
                                                  "lon2": box[3], "yes": True})

        return self._box_nearest(fetch, lat, lon, limit, km)

    def __repr__(self):
        return f"<{type(self).__name__}>"


def _page(page, per_page) -> tuple[int, int]:
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise ValueError("page must be a whole number from 1")
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    return page, per_page


class _PsycopgParams:
    """psycopg takes %(name)s."""

    def _sql(self, sql: str) -> str:
        if self._dialect() == "postgresql":
            return self._NAMED.sub(r"%(\1)s", sql)
        return sql

    @staticmethod
    def _dialect() -> str:
        return db.session.get_bind().dialect.name


class BoxScan(_PsycopgParams, Engine):
    """Plain (lat, lon) btree index: boxes of widening radius, then exact haversine."""

    name = "boxscan"

    def _box_rows(self, box, params, where):
        return self._fetch("SELECT p.need_id, p.lat, p.lon FROM need_point p "  # nosec B608 # fixed names, values bound
                           "WHERE p.lat BETWEEN :lat1 AND :lat2 AND p.lon BETWEEN :lon1 AND :lon2" + where,
                           {**params, "lat1": box[0], "lat2": box[1], "lon1": box[2], "lon2": box[3]})


class SqliteRtree(Engine):
    """SQLite's R*Tree over the points, joined to need_point for exact points and filters."""

    name = "sqlite-rtree"

    def _box_rows(self, box, params, where):
        return self._fetch(f"SELECT p.need_id, p.lat, p.lon FROM {RTREE} r JOIN need_point p ON p.need_id = r.id "  # nosec B608 # fixed names, values bound
                           "WHERE r.max_lat >= :lat1 AND r.min_lat <= :lat2 AND r.max_lon >= :lon1 "
                           "AND r.min_lon <= :lon2" + where,
                           {**params, "lat1": box[0], "lat2": box[1], "lon1": box[2], "lon2": box[3]})


class PostGIS(_PsycopgParams, Engine):
    """need_point.geog (geography, GiST): ST_DWithin on the sphere, KNN ordering with <->."""

    name = "postgis"
    _Q = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography"

    def _sql(self, sql: str) -> str:
        return self._NAMED.sub(r"%(\1)s", sql)

    def nearest_needs(self, lat, lon, *, k=20, max_km=10.0, skills_mask=None, service_types=None,
                      exclude_ids=()) -> list[tuple[int, float]]:
        _check(lat, lon, max_km, k)
        params = {"lat": float(lat), "lon": float(lon), "m": max_km * 1000.0 * (1 + _SLACK), "k": k + _EXTRA}
        where = self._filters(params, skills_mask, service_types, exclude_ids)
        rows = self._fetch(f"SELECT p.need_id, p.lat, p.lon FROM need_point p WHERE "  # nosec B608 # fixed names, values bound
                           f"ST_DWithin(p.{GEOG_COLUMN}, {self._Q}, :m, false){where} "
                           f"ORDER BY p.{GEOG_COLUMN} <-> {self._Q} LIMIT :k", params)
        if not rows:
            return []
        a = np.array(rows, dtype=float)
        dist = haversine_km(lat, lon, a[:, 1], a[:, 2])
        if len(rows) == k + _EXTRA and dist[-1] <= np.sort(dist)[k - 1] * (1 + _SLACK):
            # KNN order has no tie-break and the extra rows are all as near as the k-th (needs sharing
            # a grid point): take in every need that near, so the cut by (km, id) is the others' cut.
            params["m"] = min(float(dist.max()), max_km) * 1000.0 * (1 + _SLACK)
            del params["k"]
            rows = self._fetch(f"SELECT p.need_id, p.lat, p.lon FROM need_point p WHERE "  # nosec B608 # fixed names, values bound
                               f"ST_DWithin(p.{GEOG_COLUMN}, {self._Q}, :m, false){where}", params)
            a = np.array(rows, dtype=float)
            dist = haversine_km(lat, lon, a[:, 1], a[:, 2])
        return _sorted(a[:, 0].astype(np.int64), dist, max_km, k)

    def needs_within(self, lat, lon, km, *, page=1, per_page=20, skills_mask=None):
        _check(lat, lon, km)
        page, per_page = _page(page, per_page)
        params = {"lat": float(lat), "lon": float(lon), "m": km * 1000.0 * (1 + _SLACK)}
        where = self._filters(params, skills_mask)
        base = f"FROM need_point p WHERE ST_DWithin(p.{GEOG_COLUMN}, {self._Q}, :m, false){where}"
        total = self._fetch("SELECT count(*) " + base, params)[0][0]
        if total == 0 or (page - 1) * per_page >= total:
            return [], int(total)
        # The first page*per_page by KNN order (and a few more, to see ties at the cut), cut by (km, id).
        lim = page * per_page
        params.update(lim=lim + _EXTRA)
        rows = self._fetch(f"SELECT p.need_id, p.lat, p.lon {base} ORDER BY p.{GEOG_COLUMN} <-> {self._Q} "
                           "LIMIT :lim", params)
        a = np.array(rows, dtype=float)
        dist = haversine_km(lat, lon, a[:, 1], a[:, 2])
        if len(rows) == lim + _EXTRA and dist[-1] <= np.sort(dist)[lim - 1] * (1 + _SLACK):
            params["m"] = min(float(dist.max()), km) * 1000.0 * (1 + _SLACK)
            rows = self._fetch(f"SELECT p.need_id, p.lat, p.lon FROM need_point p WHERE "  # nosec B608 # fixed names, values bound
                               f"ST_DWithin(p.{GEOG_COLUMN}, {self._Q}, :m, false){where}", params)
            a = np.array(rows, dtype=float)
            dist = haversine_km(lat, lon, a[:, 1], a[:, 2])
        result = _sorted(a[:, 0].astype(np.int64), dist, km, page * per_page)
        return result[(page - 1) * per_page:], int(total)


BACKENDS = {"sqlite-rtree": SqliteRtree, "postgis": PostGIS, "boxscan": BoxScan}
_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def detect(bind=None) -> str:
    """Which backend the database behind bind (db.engine) supports: a BACKENDS key."""
    bind = bind or db.engine
    with bind.connect() as conn:
        if bind.dialect.name == "sqlite":
            found = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (RTREE,)).scalar()
            return "sqlite-rtree" if found else "boxscan"
        if bind.dialect.name == "postgresql":
            found = conn.exec_driver_sql(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = 'need_point' AND column_name = %(c)s", {"c": GEOG_COLUMN}).scalar()
            return "postgis" if found else "boxscan"
    return "boxscan"


def engine(kind: str | None = None) -> Engine:
    """The engine for the current db.engine (detected once per engine and cached); kind forces one
    (tests and the benchmark compare backends)."""
    if kind is not None:
        return BACKENDS[kind]()
    bind = db.engine
    eng = _CACHE.get(bind)
    if eng is None:
        eng = _CACHE[bind] = BACKENDS[detect(bind)]()
    return eng


def available(bind=None) -> list[str]:
    """The backends that can run on this database (the detected one, and BoxScan always)."""
    best = detect(bind)
    return [best] if best == "boxscan" else [best, "boxscan"]
