"""Geocoders: an offline gazetteer of Qingdao's divisions, and online ones whose points come back as WGS-84."""
import re
from functools import cached_property

from geopy.geocoders import BaiduV3, Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from . import services
from .coords import bd09_to_wgs84, wgs84_to_bd09

CITY = "青岛市"
SUFFIXES = ("街道", "镇", "区", "市")
# Removed from the front of a query so "青岛市北…" cannot match 市北区 by accident.
PREFIXES = ("中国", "山东省", "山东", "青岛市", "青岛")


def _short(name: str) -> str | None:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


class GazetteerGeocoder(Geocoder):
    """Offline geocoder over Qingdao's 151 divisions; points are district representative points (WGS-84)."""

    @cached_property
    def _index(self) -> tuple[dict[str, dict], list[tuple[str, str]]]:
        rows = {row["code"]: row for row in services.division_rows()}
        aliases = {}
        district_shorts = set()
        for row in rows.values():
            if row["level"] == "district":
                aliases[row["name"]] = row["code"]
                short = _short(row["name"])
                if short:
                    aliases[short] = row["code"]
                    district_shorts.add(short)
        for row in rows.values():
            if row["level"] == "town":
                aliases[row["name"]] = row["code"]
                short = _short(row["name"])
                # A bare "城阳" or "黄岛" means the district, not the street of the same name.
                if short and short not in district_shorts:
                    aliases[short] = row["code"]
        return rows, sorted(aliases.items(), key=lambda item: -len(item[0]))

    def _location(self, code: str, matched: str | None = None) -> Location:
        rows, _ = self._index
        row = rows[code]
        district = rows[row["parent_code"]] if row["level"] == "town" else row
        lat, lon = services.district_point(district["code"])
        town = row if row["level"] == "town" else None
        address = CITY + district["name"] + (town["name"] if town else "")
        raw = {
            "code": code,
            "name": row["name"],
            "level": row["level"],
            "district_code": district["code"],
            "town_code": town["code"] if town else None,
            "precision": "district",
        }
        if matched is not None:
            raw["matched"] = matched
        return Location(address, (lat, lon), raw)

    def geocode(self, query, *, exactly_one=True, timeout=None):
        """Find the division named in query; towns win over districts, longer names over shorter."""
        text = re.sub(r"\s+", "", str(query or ""))
        for prefix in PREFIXES:
            if text.startswith(prefix):
                text = text[len(prefix):]
        rows, aliases = self._index
        matches = {}
        for alias, code in aliases:
            if alias in text and code not in matches:
                matches[code] = alias
        districts = {c for c in matches if rows[c]["level"] == "district"}

        def rank(code):
            row = rows[code]
            return (row["level"] == "town", row["parent_code"] in districts, len(matches[code]))

        ordered = sorted(matches, key=rank, reverse=True)
        if not ordered:
            return None if exactly_one else []
        results = [self._location(code, matches[code]) for code in ordered]
        return results[0] if exactly_one else results

    def reverse(self, query, *, exactly_one=True, timeout=None):
        """The district containing a (lat, lon) point, or None."""
        point = Point(query)
        code = services.district_code_at(point.latitude, point.longitude)
        if code is None:
            return None if exactly_one else []
        location = self._location(code)
        return location if exactly_one else [location]


class Bd09ToWgs84:
    """Wraps a BD-09 geocoder (Baidu) so callers send and receive WGS-84 points."""

    def __init__(self, geocoder):
        self.geocoder = geocoder

    @staticmethod
    def _convert(location: Location | None) -> Location | None:
        if location is None:
            return None
        lat, lon = bd09_to_wgs84(location.latitude, location.longitude)
        address = location.address
        # geopy's Baidu reverse returns the address as UTF-8 bytes.
        if isinstance(address, bytes):
            address = address.decode("utf-8")
        return Location(address, (lat, lon), location.raw)

    def _convert_all(self, result):
        if isinstance(result, list):
            return [self._convert(loc) for loc in result]
        return self._convert(result)

    def geocode(self, query, **kwargs):
        """Geocode through the wrapped geocoder; points come back as WGS-84."""
        return self._convert_all(self.geocoder.geocode(query, **kwargs))

    def reverse(self, query, **kwargs):
        """Reverse-geocode a WGS-84 (lat, lon) through the wrapped BD-09 geocoder."""
        point = Point(query)
        bd_lat, bd_lon = wgs84_to_bd09(point.latitude, point.longitude)
        return self._convert_all(self.geocoder.reverse((bd_lat, bd_lon), **kwargs))


def get_geocoder(config: dict):
    """The geocoder named by config["GEOCODER"]: gazetteer (default), nominatim or baidu."""
    name = config.get("GEOCODER") or "gazetteer"
    if name == "gazetteer":
        return GazetteerGeocoder()
    if name == "nominatim":
        return Nominatim(user_agent=config["GEOCODER_USER_AGENT"])
    if name == "baidu":
        return Bd09ToWgs84(BaiduV3(api_key=config["GEOCODER_API_KEY"]))
    raise ValueError(f"unknown geocoder {name!r}: use gazetteer, nominatim or baidu")
