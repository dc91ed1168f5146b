"""The visit page's 导航 hand-off to AMap and Baidu Maps: the approximate area outside the visit's access
grant, the address the page shows inside it, and never the child's stored point for a helper."""
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from volunteer.children.cards import snap

from .conftest import HOME, accepted_visit
from .test_pages import EN, _as

pytestmark = pytest.mark.usefixtures("private_instance")
EXACT = [str(HOME[0]), str(HOME[1])]


def _links(html: str) -> dict:
    """{"amap": (path, query), "baidu": (path, query)} of the page's two hand-off links."""
    out = {}
    for name in ("amap", "baidu"):
        start = html.index(f'id="nav-{name}" href="') + len(f'id="nav-{name}" href="')
        url = urlsplit(unescape(html[start:html.index('"', start)]))
        out[name] = (f"{url.netloc}{url.path}", {k: v[0] for k, v in parse_qs(url.query).items()})
    return out


def test_outside_the_grant_the_links_mark_the_approximate_area_and_the_home_point_is_nowhere(app, team):
    v0, visit = accepted_visit(team, 72)  # the grant opens 2 hours before the visit
    html = _as(app, v0).get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
    assert 'id="visit-contact"' not in html
    links = _links(html)
    lat, lon = snap(*HOME)
    assert links["amap"][0] == "uri.amap.com/marker"
    assert links["amap"][1]["position"] == f"{lon},{lat}" and links["amap"][1]["coordinate"] == "wgs84"
    assert links["amap"][1]["callnative"] == "1"
    assert links["baidu"][0] == "api.map.baidu.com/marker"
    assert links["baidu"][1]["location"] == f"{lat},{lon}" and links["baidu"][1]["coord_type"] == "wgs84"
    assert links["baidu"][1]["output"] == "html" and links["baidu"][1]["title"]
    for exact in EXACT:
        assert exact not in html
    assert "崂山区某路1号" not in html and "南窑社区" not in html


def test_during_the_grant_the_links_find_the_address_shown_and_still_not_the_home_point(app, team):
    v0, visit = accepted_visit(team, 0.5)
    html = _as(app, v0).get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
    assert 'id="visit-contact"' in html and "崂山区某路1号" in html
    links = _links(html)
    assert links["amap"][0] == "uri.amap.com/search" and links["baidu"][0] == "api.map.baidu.com/geocoder"
    assert links["amap"][1]["keyword"].endswith("南窑社区 崂山区某路1号")
    assert links["baidu"][1]["address"] == links["amap"][1]["keyword"]
    assert links["amap"][1]["keyword"].startswith("青岛市崂山区沙子口街道")
    for exact in EXACT:
        assert exact not in html


def test_staff_see_the_home_on_the_map_and_cancel_behind_a_named_confirmation(app, team):
    _v0, visit = accepted_visit(team, 72)
    html = _as(app, team["coord"]).get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
    links = _links(html)
    assert links["amap"][1]["position"] == f"{HOME[1]},{HOME[0]}"
    zone = html[html.index('class="danger-zone'):]
    assert 'id="cancel-form"' in zone and 'data-confirm-title="Cancel this visit?"' in zone
    assert "Tutoring" in zone.split("data-confirm=")[1].split('"')[1]
    assert 'id="cancel-form"' not in html[:html.index('class="danger-zone')]
