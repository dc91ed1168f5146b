"""The privacy card: what volunteers and caring units may know about a child."""
import math
from datetime import date


from ..geo import services as geo
from .nicknames import nickname

# Grid cells of 0.01 deg latitude x 0.0125 deg longitude: about 1.1 x 1.1 km around Qingdao (36 N).
GRID_LAT, GRID_LON = 0.01, 0.0125
AGE_BANDS = [(0, 2), (3, 5), (6, 8), (9, 11), (12, 14), (15, 17)]


def age_on(birth: date, today: date | None = None) -> int:
    """Whole years between birth and today."""
    today = today or date.today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def age_band(birth: date, today: date | None = None) -> str:
    """An age band such as '6-8' (never the exact age or birth date)."""
    age = age_on(birth, today)
    for lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return f"{lo}-{hi}"
    return "18+" if age > 17 else "0-2"


def snap(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    """The centre of the ~1 km grid cell holding a point: the same cell for every query."""
    if lat is None or lon is None:
        return None, None
    return (round((math.floor(lat / GRID_LAT) + 0.5) * GRID_LAT, 5),
            round((math.floor(lon / GRID_LON) + 0.5) * GRID_LON, 5))


def pseudonym(ref: str) -> str:
    """The name a privacy card calls a child by: a friendly nickname from the random public reference
    (nicknames.nickname), the same on every page and in the API."""
    return nickname(ref)


def town_name(code: str | None) -> str:
    """The name of a town or district code, or ''."""
    return geo.name_of(code)


def card(child, needs=None) -> dict:
    """The privacy card of a child; needs are need cards already projected."""
    lat, lon = snap(child.lat, child.lon)
    if lat is None:
        point = geo.point_for(child.town_code or child.district_code)
        lat, lon = snap(point[0], point[1]) if point else (None, None)
    return {"ref": child.ref, "pseudonym": pseudonym(child.ref), "age_band": age_band(child.birth_date),
            "gender": child.gender, "town_name": town_name(child.town_code) or town_name(child.district_code),
            "approx_lat": lat, "approx_lon": lon, "needs": needs or []}
