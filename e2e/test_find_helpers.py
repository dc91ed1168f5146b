"""Browser tests of "find helpers": a 崂山 coordinator on a desktop opens a need's page and sees the
helpers ranked best first, each with its one-line reason; narrowing the distance re-ranks with htmx.
And the coverage page: the table and the map of towns with uncovered needs, with no tiles at all."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.helpers import log_in
from volunteer.extensions import db
from volunteer.needs.models import Need, NeedSkill
from volunteer.validation import display_phone
from volunteer.volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill

RESULTS = Path(__file__).resolve().parent.parent / "test-results"
HOME = (36.1102, 120.4622)  # the child's home, 沙子口街道, 崂山区
KM_LAT = 1 / 111.195
SHOTS = os.environ.get("HUHANG_SHOTS")  # a directory: keep screenshots of the pages for a visual check


def _volunteer(make_user, name, km, skills, credential="none", cap=4):
    user = make_user(role="volunteer", name=name)
    profile = db.session.get(VolunteerProfile, user.id)
    profile.lat, profile.lon = HOME[0] + km * KM_LAT, HOME[1]
    profile.location_source, profile.completed, profile.max_visits_per_month = "pin", True, cap
    profile.district_code, profile.town_code = "370212", "370212002"
    for s in skills:
        db.session.add(VolunteerSkill(user_id=user.id, skill=s, credential="心理咨询师证" if s == "counselling" else None,
                                      credential_status=credential if s == "counselling" else "none"))
    db.session.add(AvailabilitySlot(user_id=user.id, weekday=5, period="am"))
    db.session.commit()
    return user


def test_coordinator_sees_ranked_helpers_with_their_reasons(live_server, desktop, make_user, make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")
    child = make_child(by=coordinator)
    need = Need(child_id=child.id, dimension="mind", service_type="counselling", urgency="high", rhythm="weekly",
                status="open", created_by_id=coordinator.id)
    need.skills = [NeedSkill(skill="counselling")]
    db.session.add(need)
    db.session.commit()
    verified = _volunteer(make_user, "王心怡", 2.0, ["counselling"], credential="verified")
    farther = _volunteer(make_user, "李明远", 7.0, ["counselling"], credential="verified")
    unverified = _volunteer(make_user, "赵未审", 0.8, ["counselling"], credential="pending")
    _volunteer(make_user, "孙太远", 20.0, ["counselling"], credential="verified")  # beyond 15 km

    page = desktop()
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server}/needs/{need.id}/helpers")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("寻找帮助者")

    rows = page.locator("#helper-table tr.helper-row")
    expect(rows).to_have_count(3)
    expect(rows.locator(".helper-name")).to_have_text(["王心怡", "李明远", "赵未审"])
    # Every row carries its one-line reason; the best one says why it is best.
    for i in range(3):
        expect(rows.nth(i).locator(".helper-why")).to_have_text(re.compile(r"^距志愿者住址 \d+(\.\d)? 公里 · .+"))
    expect(rows.nth(0).locator(".helper-why")).to_have_text(
        "距志愿者住址 2 公里 · 技能全部匹配 · 资质已核实 · 有空闲时段 · 本月已排 0/4 次")
    expect(rows.nth(2).locator(".helper-why")).to_contain_text("资质未核实")
    scores = [float(s) for s in rows.locator(".helper-score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    # Name, score and why only: no phone number on the page.
    assert display_phone(verified.phone) not in page.content()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "find-helpers.png"), full_page=True)

    # Narrowing the distance re-ranks in place (htmx), and the address follows.
    page.fill("#max_km", "5")
    page.locator("#helper-form button[type=submit]").click()
    expect(rows).to_have_count(2)
    expect(rows.locator(".helper-name")).to_have_text(["王心怡", "赵未审"])
    expect(page).to_have_url(re.compile(r"max_km=5"))
    assert farther.name not in page.locator("#helper-rows").inner_text()

    # A distance out of range gets a clear message instead of rows.
    page.fill("#max_km", "80")
    page.locator("#helper-form button[type=submit]").click()
    expect(page.locator("#helper-error")).to_have_text("请填写 1 到 50 公里之间的距离。")
    expect(rows).to_have_count(0)
    assert unverified.id


def test_coordinator_sees_where_needs_have_no_volunteer_nearby(live_server, desktop, make_user, make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")
    for town, point in (("370212002", HOME), ("370212003", (36.2533, 120.6623))):
        child = make_child(by=coordinator, town_code=town, lat=str(point[0]), lon=str(point[1]))
        db.session.add(Need(child_id=child.id, dimension="mind", service_type="companionship", urgency="normal",
                            rhythm="weekly", status="open", created_by_id=coordinator.id))
    db.session.commit()
    _volunteer(make_user, "王心怡", 1.0, ["companionship"])  # covers 沙子口 only

    page = desktop()
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server}/coverage?km=5")
    rows = page.locator("#coverage-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("th")).to_have_text(re.compile(r"^王哥庄街道 · 崂山区$"))
    expect(page.locator("#coverage-summary")).to_contain_text("有 1 项在 5 公里内没有志愿者")
    # The map works without tiles: one marker, for the town with the uncovered need.
    expect(page.locator("#coverage-map")).to_have_class(re.compile("leaflet-container"))
    expect(page.locator("#coverage-map path.leaflet-interactive")).to_have_count(1)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "coverage.png"), full_page=True)


def test_find_helpers_shows_ten_helpers_then_more_each_with_a_full_assign_button(live_server, phone, make_user,
                                                                                  make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")
    child = make_child(by=coordinator)
    need = Need(child_id=child.id, dimension="social", service_type="companionship", urgency="normal",
                rhythm="weekly", status="open", created_by_id=coordinator.id)
    db.session.add(need)
    db.session.commit()
    for i in range(13):
        _volunteer(make_user, f"志愿者{i:02d}", 0.5 + i * 0.5, ["companionship"])

    page = phone()
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server}/needs/{need.id}/helpers")
    rows = page.locator("#helper-table tr.helper-row")
    expect(rows).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollHeight") < 6000
    assign = rows.first.get_by_role("link", name="安排探访")
    box, card = assign.bounding_box(), rows.first.bounding_box()
    assert box["height"] >= 44 and box["width"] > card["width"] * 0.8  # a full-width button, not a link
    page.get_by_role("link", name="再显示 3 位").click()
    expect(rows).to_have_count(13)
    expect(rows.nth(10).locator(".num")).to_have_text("11")
    expect(page.locator("#helper-more")).to_have_count(0)
