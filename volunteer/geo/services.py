"""Division look-ups, point validation and point-in-district tests for Qingdao (all points WGS-84)."""
import csv
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import shapely
from flask_babel import lazy_gettext as _l
from shapely.geometry import Point, shape
from sqlalchemy import select

from ..extensions import db
from .models import Division

DATA = Path(__file__).resolve().parent / "data"
DIVISIONS_CSV = DATA / "qingdao-divisions.csv"
DISTRICTS_GEOJSON = DATA / "qingdao-districts.geojson"
# The shipped polygons are coarse (13-156 vertices a district) and cut off piers, beaches and
# near-shore islets; ~2 km of slack keeps real coastal points inside Qingdao.
COAST_BUFFER = 0.02
CHINA_LAT = (18.0, 54.0)
CHINA_LON = (73.0, 136.0)


class BadLocation(ValueError):
    """A point that is not a usable location in Qingdao; str() is the translated message."""

    def __init__(self, reason: str, message):
        super().__init__(reason)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class _Shapes:
    codes: tuple[str, ...]
    names: tuple[str, ...]
    geoms: tuple
    tree: shapely.STRtree
    points: dict[str, tuple[float, float]]
    qingdao: object


@lru_cache(maxsize=1)
def _shapes() -> _Shapes:
    """Load the district polygons once, prepared for fast point-in-polygon tests."""
    features = json.loads(DISTRICTS_GEOJSON.read_text(encoding="utf-8"))["features"]
    geoms = tuple(shape(f["geometry"]) for f in features)
    for geom in geoms:
        shapely.prepare(geom)
    codes = tuple(f["properties"]["code"] for f in features)
    points = {}
    for code, geom in zip(codes, geoms):
        p = geom.representative_point()
        points[code] = (round(p.y, 6), round(p.x, 6))
    qingdao = shapely.union_all(geoms).buffer(COAST_BUFFER)
    shapely.prepare(qingdao)
    return _Shapes(codes, tuple(f["properties"]["name"] for f in features), geoms,
                   shapely.STRtree(geoms), points, qingdao)


def _to_float(value) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    number = float(value.strip() if isinstance(value, str) else value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def parse_point(lat, lon) -> tuple[float, float]:
    """Return (lat, lon) as floats if they are a WGS-84 point in Qingdao, else raise BadLocation."""
    try:
        lat, lon = _to_float(lat), _to_float(lon)
    except (TypeError, ValueError):
        raise BadLocation("not_number", _l("Location must be numbers")) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadLocation("out_of_range", _l("Latitude must be between -90 and 90 and longitude between -180 and 180"))
    if not (CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LON[0] <= lon <= CHINA_LON[1]):
        raise BadLocation("outside_china", _l("This location is outside China"))
    if not in_qingdao(lat, lon):
        raise BadLocation("outside_qingdao", _l("This location is outside Qingdao"))
    return lat, lon


def in_qingdao(lat: float, lon: float) -> bool:
    """Whether a WGS-84 point lies in Qingdao (its districts plus a coastal margin)."""
    return bool(shapely.contains_xy(_shapes().qingdao, lon, lat))


def district_code_at(lat: float, lon: float) -> str | None:
    """The code of the district containing a WGS-84 point (or nearest within the coastal margin)."""
    s = _shapes()
    for i in s.tree.query(Point(lon, lat)):
        if shapely.contains_xy(s.geoms[i], lon, lat):
            return s.codes[i]
    # A point on a boundary, in a sliver between polygons or just off the coarse coastline.
    nearest = s.tree.query_nearest(Point(lon, lat), max_distance=COAST_BUFFER)
    return s.codes[nearest[0]] if len(nearest) else None


def district_at(lat: float, lon: float) -> Division | None:
    """The district containing a WGS-84 point, or None outside Qingdao."""
    code = district_code_at(lat, lon)
    return get(code) if code else None


def districts() -> list[Division]:
    """All districts, ordered by code."""
    return list(db.session.scalars(select(Division).where(Division.level == "district").order_by(Division.code)))


def towns(district_code: str) -> list[Division]:
    """The towns and streets of a district, ordered by code."""
    return list(db.session.scalars(
        select(Division).where(Division.level == "town", Division.parent_code == district_code).order_by(Division.code)
    ))


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return dict(db.session.execute(select(Division.code, Division.name)).all())


def name_of(code: str | None) -> str:
    """The name of a division code ('' if unknown), from a per-process cache of the static gazetteer."""
    if not code:
        return ""
    names = _names()
    if not names:  # not loaded yet: do not cache the empty answer
        _names.cache_clear()
    return names.get(code, "")


def get(code: str) -> Division | None:
    """The division with this code, or None."""
    return db.session.get(Division, code)


def district_point(code: str) -> tuple[float, float] | None:
    """The representative WGS-84 point of a district (from the polygons; no database needed)."""
    return _shapes().points.get(code)


def point_for(code: str) -> tuple[float, float, str] | None:
    """(lat, lon, precision) for a division; a town gets its district's point with precision "district"."""
    division = get(code)
    if division is None:
        return None
    district_code = division.parent_code if division.level == "town" else division.code
    district = division if division.level == "district" else get(district_code)
    if district is not None and district.lat is not None and district.lon is not None:
        return district.lat, district.lon, "district"
    point = district_point(district_code)
    return (point[0], point[1], "district") if point else None


def random_point_in_district(code: str, rng) -> tuple[float, float]:
    """A uniformly random WGS-84 point inside a district's polygon, drawn with rng (a random.Random)."""
    s = _shapes()
    try:
        geom = s.geoms[s.codes.index(code)]
    except ValueError:
        raise KeyError(code) from None
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    for _ in range(10_000):
        lat, lon = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
        if shapely.contains_xy(geom, lon, lat):
            return lat, lon
    raise RuntimeError(f"no point found inside district {code}")


def division_rows() -> list[dict]:
    """The shipped division CSV as dicts with the model's columns (towns without points)."""
    with DIVISIONS_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for row in rows:
        is_town = row["level"] == "town"
        point = None if is_town else district_point(row["code"])
        out.append({
            "code": row["code"],
            "name": row["name"],
            "level": row["level"],
            "parent_code": row["parent_code"] or None,
            "rural": is_town and row["name"].endswith("镇"),
            "lat": point[0] if point else None,
            "lon": point[1] if point else None,
        })
    return out


def load_divisions() -> int:
    """Insert or update every division from the shipped data; returns the number of divisions loaded."""
    _names.cache_clear()
    existing = {d.code: d for d in db.session.scalars(select(Division))}
    rows = division_rows()
    for row in rows:
        division = existing.get(row["code"])
        if division is None:
            db.session.add(Division(**row))
            continue
        for key, value in row.items():
            # Assign only on change so a second run issues no UPDATE at all.
            if getattr(division, key) != value:
                setattr(division, key, value)
    db.session.commit()
    return len(rows)
