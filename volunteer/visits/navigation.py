"""The "导航" hand-off of a visit page to AMap (高德) and Baidu Maps, to what the viewer may know.

    links(child, contact) -> {"amap", "baidu", "exact": bool, "label"} | None   # a helper
    staff_links(child) -> the same, at the home's point (staff see the child's full record)

A helper knows the privacy-card point (a ~1.1 km grid-cell centre, children.cards.snap) at any time, and
the address only while the visit's access grant runs (contact, from services.contact). The child's stored
point never leaves the server (checkin.py): outside the grant the links mark the card point as an
approximate area; inside it they ask the map apps to find the address the page already shows.
URI parameters: lbs.amap.com/api/uri-api/guide/mobile-web/point and .../guide/search/search;
lbsyun.baidu.com URI API (marker, geocoder), coordinates in WGS 84 (coordinate=wgs84, coord_type=wgs84).
"""
from urllib.parse import urlencode

from flask_babel import gettext as _

from ..geo import services as geo
from ..matching.points import card_point

AMAP_SRC = "huhang"
BAIDU_SRC = "webapp.huhang.huhang"  # Baidu asks for webapp.<company>.<app>
CITY = "青岛市"


def _area(child) -> str:
    """The child's district and town as map apps know them ("青岛市崂山区沙子口街道")."""
    names = [geo.name_of(child.district_code), geo.name_of(child.town_code)]
    return CITY + "".join(n for n in names if n and n not in CITY)


def links(child, contact: dict | None) -> dict | None:
    """The two hand-off URLs, or None when there is nowhere to point at (no point and no address)."""
    lat, lon = card_point(child.lat, child.lon, child.town_code, child.district_code)
    address = (contact or {}).get("address") or ""
    if contact is not None and address:
        keyword = f"{_area(child)}{address}"
        amap = {"keyword": keyword, "city": CITY, "view": "map", "src": AMAP_SRC, "callnative": 1}
        if lat is not None:
            amap["center"] = f"{lon},{lat}"
        return {"exact": True, "label": _("Find the address on a map"),
                "amap": "https://uri.amap.com/search?" + urlencode(amap),
                "baidu": "https://api.map.baidu.com/geocoder?" + urlencode(
                    {"address": keyword, "city": CITY, "output": "html", "src": BAIDU_SRC})}
    if lat is None:
        return None
    name = _("%(area)s (approximate area, about 1 km)", area=geo.name_of(child.town_code or child.district_code)
             or _("The child's area"))
    return {"exact": False, "label": _("Show the approximate area on a map"),
            "amap": "https://uri.amap.com/marker?" + urlencode(
                {"position": f"{lon},{lat}", "name": name, "src": AMAP_SRC, "coordinate": "wgs84",
                 "callnative": 1}),
            "baidu": "https://api.map.baidu.com/marker?" + urlencode(
                {"location": f"{lat},{lon}", "title": name,
                 "content": _("The address shows here around the visit."), "output": "html",
                 "coord_type": "wgs84", "src": BAIDU_SRC})}


def staff_links(child) -> dict | None:
    """Staff (the child in their scope): markers at the home's stored point, else by its address."""
    address = " ".join(x for x in (child.village, child.address) if x)
    if child.lat is None or child.lon is None:
        return links(child, {"address": address})
    name = address or _area(child)
    return {"exact": True, "label": _("The home on a map"),
            "amap": "https://uri.amap.com/marker?" + urlencode(
                {"position": f"{child.lon},{child.lat}", "name": name, "src": AMAP_SRC, "coordinate": "wgs84",
                 "callnative": 1}),
            "baidu": "https://api.map.baidu.com/marker?" + urlencode(
                {"location": f"{child.lat},{child.lon}", "title": name, "content": _area(child), "output": "html",
                 "coord_type": "wgs84", "src": BAIDU_SRC})}
