"""Browser tests of the children pages: a coordinator on a desktop registers a child (map pin by
clicking the map) and finds it by live search; a volunteer on a phone sees only privacy cards."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from e2e.helpers import log_in
from volunteer.children.models import Child
from volunteer.children.nicknames import nickname
from volunteer.extensions import db

RESULTS = Path(__file__).resolve().parent.parent / "test-results"

SHOTS = False  # set True to keep screenshots of the pages for a visual check
PIN = (36.1102, 120.4622)  # 沙子口街道, 崂山区


def test_coordinator_adds_a_child_with_a_map_pin_and_finds_it_by_live_search(live_server, desktop, make_user,
                                                                             make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")
    make_child(by=coordinator, name="王小明")
    page = desktop()
    log_in(page, live_server, coordinator)

    page.goto(live_server + "/children/new")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.fill("#name", "刘小雪")
    page.select_option("#gender", "f")
    page.fill("#birth_date", "2016-05-01")
    page.select_option("#category", "left_behind")
    # The coordinator's district is preselected with its towns (choosing it again would make htmx
    # reload the town options while we pick one).
    expect(page.locator("#district")).to_have_value("370212")
    expect(page.locator("#town option[value='370212002']")).to_have_count(1)
    page.select_option("#town", "370212002")
    page.fill("#village", "南窑社区")

    # Place the pin by clicking the map where the home is (no tiles here: the map works without them).
    map_el = page.locator("#pin-map")
    expect(map_el).to_have_class(re.compile("leaflet-container"))
    map_el.scroll_into_view_if_needed()
    point = page.evaluate("([lat, lon]) => { const m = document.querySelector('#pin-map')._huhangMap;"
                          " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }", list(PIN))
    box = map_el.bounding_box()
    assert 0 < point[0] < box["width"] and 0 < point[1] < box["height"], point
    map_el.click(position={"x": point[0], "y": point[1]})
    expect(page.locator("#lat")).to_have_value(re.compile(r"^36\.1\d{5}$"))
    lat, lon = float(page.input_value("#lat")), float(page.input_value("#lon"))
    assert abs(lat - PIN[0]) < 0.002 and abs(lon - PIN[1]) < 0.002
    expect(page.locator("#pin-map .leaflet-marker-icon")).to_have_count(1)

    page.fill("#guardian_name", "刘大海")
    page.fill("#guardian_relation", "祖父")
    page.fill("#guardian_phone", "139 1234 5678")
    page.select_option("#consent_purpose", "care_services")
    page.fill("#consent_given_by", "刘大海")
    page.fill("#consent_relation", "祖父")
    page.fill("#consent_given_on", "2026-11-02")

    page.screenshot(path=str(RESULTS / "children-form-desktop.png"), full_page=True) if SHOTS else None
    page.locator("#save-child").click()  # the consent box is not ticked: refused, nothing lost
    expect(page.locator("#consent_agreed-error")).to_be_visible()
    expect(page.locator("#name")).to_have_value("刘小雪")
    expect(page.locator("#lat")).to_have_value(f"{lat:.6f}")
    page.check("#consent_agreed")
    page.locator("#save-child").click()
    page.wait_for_url(re.compile(r"/children/[0-9a-f]{10}$"), wait_until="domcontentloaded")
    expect(page.locator("#child-name")).to_have_text("刘小雪")
    page.screenshot(path=str(RESULTS / "children-show-desktop.png"), full_page=True) if SHOTS else None

    child = db.session.scalar(select(Child).where(Child.name == "刘小雪"))
    assert child.town_code == "370212002" and child.district_code == "370212"
    assert abs(child.lat - lat) < 1e-6 and abs(child.lon - lon) < 1e-6
    assert child.consent.purpose == "care_services"

    page.goto(live_server + "/children")
    expect(page.locator("#results")).to_contain_text("王小明")
    page.locator("#q").press_sequentially("小雪", delay=50)
    expect(page.locator("#results")).not_to_contain_text("王小明")
    expect(page.locator("#results")).to_contain_text("刘小雪")
    assert "q=" in page.url  # the search is in the address bar (back/forward and sharing work)
    page.screenshot(path=str(RESULTS / "children-list-desktop.png")) if SHOTS else None
    page.locator("#results a", has_text="刘小雪").click()
    page.wait_for_url(live_server + f"/children/{child.ref}", wait_until="domcontentloaded")


def test_volunteer_on_a_phone_sees_only_the_privacy_card(live_server, phone, make_user, make_child):
    admin = make_user(role="admin")
    child = make_child(by=admin)
    from volunteer.needs.services import create_need

    create_need(admin, child.ref, {"dimension": "intellect", "service_type": "tutoring", "urgency": "high",
                                   "rhythm": "weekly", "skills": ["tutoring"]})
    volunteer = make_user(role="volunteer")
    page = phone()
    log_in(page, live_server, volunteer)
    resp = page.goto(live_server + "/needs")
    assert resp.status == 200
    assert page.viewport_size["width"] < 500
    cards = page.locator("main")
    expect(cards).to_contain_text(nickname(child.ref))  # the nickname comes from the reference, not the name
    body = page.content()
    for secret in (child.name, child.address, child.village, child.guardian_name, child.school,
                   "13812345678", "138 1234 5678", "+8613812345678", f"{child.lat:.4f}", "2016-05-01"):
        assert secret not in body, secret


def test_a_coordinator_on_a_phone_deletes_a_child_from_the_danger_zone_after_the_dialog(live_server, phone, make_user,
                                                                                      make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    ref = make_child(by=coordinator, name="王小明").ref
    page = phone()
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, coordinator)
    page.goto(live_server + "/children")
    # The results come first; the filters wait in a closed sheet below them that names the current filter.
    results, sheet = page.locator("#results"), page.locator("#children-filters")
    expect(results).to_contain_text("王小明")
    assert results.bounding_box()["y"] < sheet.bounding_box()["y"]
    expect(sheet.locator("summary")).to_contain_text("您负责区域内的全部儿童")
    page.locator("#results a", has_text="王小明").tap()
    button = page.locator(".danger-zone #delete-child")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    button.tap()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("删除王小明？")
    dialog.locator("[data-confirm-ok]").tap()
    page.wait_for_url(live_server + "/children", wait_until="domcontentloaded")
    expect(page.locator(".flash")).to_contain_text("王小明")
    db.session.expire_all()
    assert db.session.scalar(select(Child).where(Child.ref == ref)) is None
