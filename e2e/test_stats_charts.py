"""The charts of /stats: drawn in the browser with the figures of /stats/figures.json, under the strict CSP, at a
phone's and a laptop's width; the map colours every district; the coverage map draws the district boundaries;
the printed report is A4 with the headline."""
import io
import json
from datetime import datetime, timezone

import pytest
from PIL import Image
from playwright.sync_api import expect

from volunteer.extensions import db
from volunteer.geo import services as geo
from volunteer.needs.services import create_need
from volunteer.visits.models import Visit, VisitAssignee

from .helpers import log_in
from .pdf_text import text as pdf_text

PERIOD = "start=2026-01-01&end=2026-06-30"
CATEGORIES = ("orphan", "difficult", "left_behind")
SERVICES = ("tutoring", "group_service", "community_activity", "home_visit_survey", "rehabilitation")
# Every CSP violation and script error, whatever the page does before the test looks.
WATCH = """
window.__problems = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__problems.push('CSP ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
window.addEventListener('error', e => window.__problems.push('error ' + e.message));
"""


@pytest.fixture
def city(app, make_user, make_child):
    """A city coordinator; in every district children (1 to 3, of several categories) with needs, and services
    from January to June by one volunteer."""
    admin = make_user(role="admin")
    vol = make_user(role="volunteer")
    n = 0
    for d, district in enumerate(geo.districts()):
        lat, lon = geo.district_point(district.code)
        town = geo.towns(district.code)[0].code
        for k in range(1 + d % 3):
            child = make_child(by=admin, district_code=district.code, town_code=town, lat=str(lat), lon=str(lon),
                               category=CATEGORIES[(d + k) % 3])
            need = create_need(admin, child.ref, {"dimension": "intellect", "service_type": SERVICES[(d + k) % 5]})
            for month in range(1, 1 + (d + k) % 6 + 1):
                n += 1
                at = datetime(2026, month, 10, 2, n % 50, tzinfo=timezone.utc)
                db.session.add(Visit(need_id=need.id, child_id=child.id, status="done", starts_at=at, ends_at=at,
                                     checked_in_at=at, children_served=1 + n % 4, assignees=[
                                         VisitAssignee(user_id=vol.id, status="accepted", checked_in_at=at,
                                                       checked_out_at=at, service_minutes=30 + n % 60)]))
    db.session.commit()
    return make_user(role="coordinator", scope_level="city")


def _open(page, base, user, path=f"/stats?{PERIOD}"):
    page.add_init_script(WATCH)
    log_in(page, base, user)
    page.goto(base + path)
    if path.startswith("/stats"):
        expect(page.locator("#stats-charts")).to_have_attribute("data-charts-ready", "1")


def _figures(page, base):
    return page.evaluate("url => fetch(url).then(r => r.json())", f"{base}/stats/figures.json?{PERIOD}")


# Each chart: its option's series data (category axis labels too), and how much of its canvas is painted.
READ = """
el => {
  const chart = echarts.getInstanceByDom(el);
  const o = chart.getOption();
  const canvas = el.querySelector('canvas');
  const ctx = canvas.getContext('2d');
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < px.length; i += 4 * 7) if (px[i] > 0) painted++;
  const axis = o.xAxis && o.xAxis[0].type === 'category' ? 'x' : 'y';
  return {
    series: o.series.map(s => ({name: s.name, data: s.data.map(d => (d && typeof d === 'object') ? [d.name, d.value] : d)})),
    categories: o.xAxis ? (axis === 'x' ? o.xAxis[0].data : o.yAxis[0].data) : null,
    lying: axis === 'y',
    painted: painted / (px.length / 4 / 7),
    width: canvas.width / (window.devicePixelRatio || 1),
  };
}
"""


@pytest.mark.parametrize("width", [360, 1366])
def test_the_charts_draw_the_figures_of_the_json_without_a_csp_violation(live_server, browser, city, width):
    # Reduced motion: no animation, so each chart is whole the moment it is drawn.
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  reduced_motion="reduce")
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    _open(page, live_server, city)
    f = _figures(page, live_server)
    charts = {name: page.locator(f'[data-chart="{name}"]').evaluate(READ)
              for name in ("month", "form", "content", "children", "map")}

    for name, chart in charts.items():
        assert chart["painted"] > 0.03, f"{name} is nearly blank"
        assert chart["width"] <= width, f"{name} is wider than the screen"
    assert charts["month"]["categories"] == [r["month"] for r in f["by_month"]]
    assert charts["month"]["series"][0]["data"] == [r["services"] for r in f["by_month"]]
    assert sum(charts["month"]["series"][0]["data"]) > 0
    for key in ("form", "content"):
        rows = f[f"by_{key}"]
        assert charts[key]["categories"] == [r["label"] for r in rows] and charts[key]["lying"]
        assert charts[key]["series"][0]["data"] == [r["services"] for r in rows]
    children = charts["children"]
    assert children["categories"] == [r["name"] for r in f["children"]] and len(f["children"]) == 10
    assert [s["name"] for s in children["series"]] == ["孤儿", "事实无人抚养儿童", "困境儿童", "农村留守儿童"]
    assert children["series"][0]["data"] == [r["orphan"] for r in f["children"]]
    assert children["series"][2]["data"] == [r["difficult"] for r in f["children"]]
    assert children["lying"] is (width < 600)  # a phone gets horizontal bars, the district names readable
    assert sorted(charts["map"]["series"][0]["data"]) == sorted([r["name"], r["children"]] for r in f["by_area"])

    for name in ("month", "form", "children", "map"):  # a tooltip each: drawn in the canvas, no style attribute
        chart = page.locator(f'[data-chart="{name}"]')
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.45)
        page.wait_for_timeout(300)
    assert page.evaluate("window.__problems") == []
    assert [c for c in console if "Content Security Policy" in c or "Refused" in c] == []
    context.close()


def test_the_map_colours_every_district_and_switches_to_services_per_child(live_server, desktop, city):
    page = desktop()
    _open(page, live_server, city)
    colours = """
    el => {
      const data = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0).getData();
      const out = {};
      for (let i = 0; i < data.count(); i++) out[data.getName(i)] = [data.get('value', i), data.getItemVisual(i, 'style').fill];
      return out;
    }"""
    districts = {f["properties"]["name"] for f in json.loads(geo.DISTRICTS_GEOJSON.read_text())["features"]}
    by_children = page.locator('[data-chart="map"]').evaluate(colours)
    assert set(by_children) == districts
    assert all(value > 0 and fill and fill.startswith(("#", "rgb")) for value, fill in by_children.values()), by_children
    assert len({fill for _, fill in by_children.values()}) > 1  # different counts, different colours

    page.get_by_role("button", name="人均服务次数").click()
    expect(page.get_by_role("button", name="人均服务次数")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="困境儿童", exact=True)).to_have_attribute("aria-pressed", "false")
    per_child = page.locator('[data-chart="map"]').evaluate(colours)
    f = _figures(page, live_server)
    assert {name: value for name, (value, _) in per_child.items()} == {r["name"]: r["per_child"] for r in f["by_area"]}
    assert all(fill for _, fill in per_child.values())
    assert page.evaluate("window.__problems") == []


def _shot(page):
    return Image.open(io.BytesIO(page.locator("#coverage-map").screenshot())).convert("RGB")


def test_the_coverage_map_draws_the_district_boundaries_under_the_towns(live_server, desktop, city):
    page = desktop()
    _open(page, live_server, city, "/coverage")
    boundaries = page.locator("#coverage-map path.district-boundary")
    expect(boundaries).to_have_count(10)
    # Under the towns' circles (before them in the SVG), and painted: an SVG squeezed to no width by the page's
    # img/svg max-width keeps its paths but shows nothing.
    order = page.locator("#coverage-map .leaflet-overlay-pane path").evaluate_all(
        "ps => ps.map(p => p.classList.contains('district-boundary'))")
    assert order[:10] == [True] * 10 and len(order) > 10 and not any(order[10:])
    drawn = _shot(page)  # the lines show: the map looks different without them
    page.evaluate("() => { const m = document.getElementById('coverage-map')._huhangMap; m.removeLayer(m._huhangDistricts); }")
    changed = sum(1 for a, b in zip(drawn.getdata(), _shot(page).getdata()) if a != b)
    assert changed > 300, f"the boundaries change {changed} pixels"
    assert page.evaluate("window.__problems") == []


def test_the_printed_report_is_a4_with_the_title_the_headline_and_the_charts(live_server, desktop, city):
    page = desktop()
    _open(page, live_server, city)
    page.emulate_media(media="print")
    expect(page.locator(".bottom-nav")).to_be_hidden()
    expect(page.locator("#stats-period")).to_be_hidden()
    expect(page.locator("#stats-print")).to_be_hidden()
    expect(page.locator("#stats-headline")).to_be_visible()
    # Every chart at the fixed print size, drawn again without animation.
    widths = page.locator("[data-chart] canvas").evaluate_all("cs => cs.map(c => c.getBoundingClientRect().width)")
    assert len(widths) == 5 and all(abs(w - 680) < 2 for w in widths), widths
    pdf = page.pdf(format="A4", print_background=True)
    assert b"/MediaBox [0 0 595.91998 842.88]" in pdf  # A4 in points
    text = pdf_text(pdf)
    assert "青岛市 · 2026-01-01 至 2026-06-30" in text
    total = _figures(page, live_server)["services_total"]["visits"]
    assert f"服务次数{total:,}" in text  # the headline tile: its label and its number
    assert "按月统计服务" in text and "首页" not in text  # the tables print, the navigation does not

    page.emulate_media(media="screen")  # back to the screen's width (polled here: the CSP forbids
    month = page.locator("[data-chart=month] canvas")  # wait_for_function's eval)
    for _ in range(50):
        if month.evaluate("c => c.getBoundingClientRect().width") > 700:
            break
        page.wait_for_timeout(100)
    assert month.evaluate("c => c.getBoundingClientRect().width") > 700
