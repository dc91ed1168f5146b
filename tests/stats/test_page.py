"""The /stats page: the title names the area and the period, the headline comes first (each figure with its change
in an arrow, words and a colour), then the charts (ECharts only here, deferred), then the tables."""
import re
from datetime import datetime, timezone

import pytest

from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.validation import display_phone

PERIOD = "start=2026-03-01&end=2026-03-31"  # the period before: 29 January to 28 February
SHINAN = {"district_code": "370202", "town_code": "370202001", "lat": "36.0661", "lon": "120.3830"}


def _utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def _client(app, user):
    client = app.test_client()
    resp = client.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"})
    assert resp.status_code == 302
    return client


def _page(app, user, query=PERIOD, lang="en"):
    resp = _client(app, user).get(f"/stats?{query}", headers={"Accept-Language": lang})
    return resp.status_code, resp.get_data(as_text=True)


def _tile(html, key):
    m = re.search(rf'<li class="stat-tile" data-key="{key}">(.*?)</li>', html, re.S)
    assert m, f"no headline tile {key}"
    return re.sub(r"\s+", " ", m.group(1))


@pytest.fixture
def staff(app, make_user, make_child, serve):
    """Coordinators of the city, 崂山区 and 沙子口街道; in 崂山区 three services in March and one in February, an
    hour each; in 市南区 one service in February."""
    admin = make_user(role="admin")
    vol = make_user(role="volunteer")
    laoshan = make_child(by=admin, category="orphan")
    shinan = make_child(by=admin, **SHINAN)
    for child in (laoshan, shinan):
        child.created_at = _utc(2025, 6, 1)
    db.session.commit()
    need = create_need(admin, laoshan.ref, {"dimension": "intellect", "service_type": "tutoring"})
    far = create_need(admin, shinan.ref, {"dimension": "body", "service_type": "rehabilitation"})
    for day in (3, 10, 17):
        serve(need, [vol], _utc(2026, 3, day, 2))
    serve(need, [vol], _utc(2026, 2, 10, 2))
    serve(far, [vol], _utc(2026, 2, 11, 2))
    return {
        "city": make_user(role="coordinator", scope_level="city"),
        "district": make_user(role="coordinator", scope_level="district", scope_code="370212"),
        "town": make_user(role="coordinator", scope_level="town", scope_code="370212002"),
    }


def test_each_headline_figure_says_how_it_moved_in_an_arrow_words_and_a_colour(app, staff):
    status, html = _page(app, staff["district"])
    assert status == 200
    services = _tile(html, "services")  # 3 in March against 1 in February
    assert '<span class="tile-num">3</span>' in services
    assert 'class="stat-change stat-up"' in services and '<span class="arrow" aria-hidden="true">▲</span> Up 200%' in services
    assert "Previous period: 1" in services
    volunteers = _tile(html, "volunteers")  # the same volunteer in both months
    assert 'stat-same' in volunteers and "No change" in volunteers
    children = _tile(html, "children")
    assert '<span class="tile-num">1</span>' in children and "No change" in children


def test_a_figure_that_fell_shows_a_down_arrow_and_says_down(app, staff):
    status, html = _page(app, staff["city"], "start=2026-04-01&end=2026-04-30")  # none in April, 3 in March
    assert status == 200
    services = _tile(html, "services")
    assert 'class="stat-change stat-down"' in services and '<span class="arrow" aria-hidden="true">▼</span> Down 100%' in services


def test_a_figure_from_nothing_shows_the_number_it_rose_by(app, staff):
    _, html = _page(app, staff["city"], "start=2026-02-01&end=2026-02-28")  # 2 in February, none before
    assert '<span class="arrow" aria-hidden="true">▲</span> Up 2</span>' in _tile(html, "services")


def test_the_headline_and_its_sentences_come_before_the_charts_and_the_charts_before_the_tables(app, staff):
    _, html = _page(app, staff["district"])
    at = {name: html.index(f'id="{name}"') for name in
          ("stats-headline", "stats-reach", "stats-giving", "stats-charts", "stats-tables", "stats-services")}
    assert at["stats-headline"] < at["stats-reach"] < at["stats-giving"] < at["stats-charts"] < at["stats-tables"] \
        < at["stats-services"]
    # Screen readers get the tables: every chart is hidden from them.
    charts = re.findall(r'<div class="chart" data-chart="(\w+)" aria-hidden="true">', html)
    assert charts == ["month", "form", "content", "children"]


def test_the_title_names_the_area_and_the_period_in_chinese(app, staff):
    titles = {}
    for who in ("city", "district", "town"):
        _, html = _page(app, staff[who], lang="zh-CN")
        titles[who] = re.sub(r"\s+", " ", re.search(r'<p class="stats-subtitle"[^>]*>(.*?)</p>', html, re.S).group(1))
    assert titles == {"city": "<strong>青岛市</strong> · 2026-03-01 至 2026-03-31",
                      "district": "<strong>崂山区</strong> · 2026-03-01 至 2026-03-31",
                      "town": "<strong>崂山区沙子口街道</strong> · 2026-03-01 至 2026-03-31"}


def test_the_whole_city_gets_the_district_map_and_a_district_does_not(app, staff):
    _, city = _page(app, staff["city"])
    assert 'data-chart="map"' in city and 'data-geojson="/geo/districts.geojson"' in city
    assert 'data-figures="/stats/figures.json?start=2026-03-01&amp;end=2026-03-31"' in city
    assert 'data-map-measure="per_child" aria-pressed="false"' in city
    _, district = _page(app, staff["district"])
    assert 'data-chart="map"' not in district and "data-geojson" not in district


def test_echarts_loads_deferred_on_the_stats_page_only(app, staff):
    _, html = _page(app, staff["district"])
    assert re.search(r'<script src="[^"]*vendor/echarts[^"]*/echarts\.min\.js" defer></script>', html)
    assert re.search(r'<script src="[^"]*js/stats-charts[^"]*\.js" defer></script>', html)
    assert '<button type="button" class="btn btn-secondary" id="stats-print" data-print>Print report</button>' in html
    home = _client(app, staff["district"]).get("/").get_data(as_text=True)
    assert "echarts" not in home


def test_a_bad_period_opens_the_period_sheet_with_the_error_and_draws_nothing(app, staff):
    status, html = _page(app, staff["district"], "start=2026-05-01&end=2026-04-01")
    assert status == 422
    assert re.search(r'<details class="sheet stats-period" id="stats-period" open>', html)
    assert "The end comes before the start." in html
    assert "echarts" not in html and 'id="stats-headline"' not in html
    assert "<strong>崂山区</strong>" in html


def test_the_page_carries_the_figures_its_charts_draw_so_they_need_no_second_count(app, staff):
    import json as jsonlib

    client = _client(app, staff["district"])
    data = client.get(f"/stats/figures.json?{PERIOD}").get_json()
    html = client.get(f"/stats?{PERIOD}").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="stats-figures">(.*?)</script>', html, re.S)
    assert block and jsonlib.loads(block.group(1)) == data
    assert "<script>" not in html  # a data block only: nothing inline runs
