"""Browser test of "near me": a volunteer on an emulated iPhone in 崂山区 taps "use my location", sees the
children's needs nearest first, offers to help with the first; the coordinator hears of it."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from e2e.helpers import log_in
from volunteer.extensions import db
from volunteer.matching import points, spatial
from volunteer.matching.models import NeedPoint, Offer
from volunteer.needs.services import create_need
from volunteer.notifications.models import Notification
from volunteer.volunteers.models import AvailabilitySlot, VolunteerSkill

GPS = (36.1025, 120.4678)  # 崂山区
HOME = (36.0671, 120.3826)  # 市南区: ~9 km away, so the phone's location is what finds the needs
# Children's homes in 崂山区, 0.3 to 4.3 km from GPS (by their privacy-card points; listed out of order).
HOMES = [(36.131234, 120.492345), (36.106123, 120.470456), (36.115234, 120.480123), (36.121234, 120.470456)]


def test_a_volunteer_sees_needs_nearest_first_and_offers_help(live_server, phone, make_user, make_child,
                                                              run_worker):
    admin = make_user(role="admin")
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")
    volunteer = make_user(role="volunteer", name="热心志愿者")
    p = volunteer.profile
    p.lat, p.lon, p.location_source, p.district_code = HOME[0], HOME[1], "pin", "370202"
    p.radius_km, p.completed = 5, True
    p.skills = [VolunteerSkill(skill="tutoring"), VolunteerSkill(skill="companionship")]
    p.slots = [AvailabilitySlot(weekday=5, period="am"), AvailabilitySlot(weekday=6, period="pm")]
    db.session.commit()
    for i, (lat, lon) in enumerate(HOMES):
        child = make_child(by=admin, name=f"测试儿童{i}", lat=f"{lat:.6f}", lon=f"{lon:.6f}")
        create_need(admin, child.ref, {"dimension": "intellect" if i % 2 else "social",
                                       "service_type": "tutoring" if i % 2 else "companionship",
                                       "urgency": "normal", "rhythm": "weekly",
                                       "skills": ["tutoring"] if i % 2 else ["companionship"]})
    points.rebuild_all()
    rows = db.session.execute(select(NeedPoint.need_id, NeedPoint.lat, NeedPoint.lon)).all()
    km = spatial.haversine_km(GPS[0], GPS[1], [r.lat for r in rows], [r.lon for r in rows])
    expected = [need_id for _, need_id in sorted(zip(km.tolist(), [r.need_id for r in rows]))]
    assert len(expected) == 4

    page = phone(geolocation=GPS)
    log_in(page, live_server, volunteer)
    page.goto(live_server + "/near")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    # From home (市南区) nothing is within 5 km.
    expect(page.locator("[data-near-result]")).to_have_count(0)
    expect(page.locator("#near-summary")).to_contain_text("您家附近")

    # With a home point the filters start closed: the results come first.
    sheet = page.locator("#near-filters")
    expect(sheet).not_to_have_attribute("open", "")
    expect(sheet.locator("summary")).to_contain_text("距您家 5 公里内")
    sheet.locator("summary").click()
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator("#near-summary")).to_contain_text("您所在位置", timeout=10000)
    results = page.locator("[data-near-result]")
    expect(results).to_have_count(4)
    shown = [int(x) for x in results.evaluate_all("els => els.map(e => e.dataset.needId)")]
    assert shown == expected
    kms = [float(x) for x in results.evaluate_all("els => els.map(e => e.dataset.km)")]
    assert kms == sorted(kms)
    texts = page.locator(".near-km").all_inner_texts()
    assert all(re.fullmatch(r"距您当前位置约 \d+(\.\d)? 公里", t.strip()) for t in texts), texts
    assert page.url.startswith(live_server + "/near?") and "lat=36.102500" in page.url
    expect(sheet.locator("summary")).to_contain_text("距您所在位置 5 公里内")
    # The map is there (no tiles in tests) with one numbered marker per result.
    expect(page.locator("#near-map")).to_have_class(re.compile("leaflet-container"))
    expect(page.locator("#near-map .leaflet-marker-icon")).to_have_count(4)
    # No child's name on the page.
    assert "测试儿童" not in page.content()

    first = results.first
    first.get_by_role("button", name="我来帮忙").click()
    offered = first.locator("[data-offer-state=offered]")
    expect(offered).to_be_visible()
    expect(offered).to_have_text("已提出")
    expect(offered).to_be_disabled()
    offer = db.session.scalar(select(Offer).where(Offer.volunteer_id == volunteer.id))
    assert offer is not None and offer.need_id == expected[0] and offer.status == "pending"

    run_worker()
    inbox = db.session.scalars(select(Notification).where(Notification.user_id == coordinator.id,
                                                          Notification.key == f"offer:{offer.id}")).all()
    assert len(inbox) == 1 and "热心志愿者" in inbox[0].body


def _volunteer_with_needs(make_user, make_child):
    """A volunteer at GPS (as their home) with four children's needs around it."""
    admin = make_user(role="admin")
    volunteer = make_user(role="volunteer", name="热心志愿者")
    p = volunteer.profile
    p.lat, p.lon, p.location_source, p.district_code = GPS[0], GPS[1], "pin", "370212"
    p.radius_km, p.completed = 5, True
    p.skills = [VolunteerSkill(skill="tutoring")]
    p.slots = [AvailabilitySlot(weekday=5, period="am")]
    db.session.commit()
    for i, (lat, lon) in enumerate(HOMES):
        child = make_child(by=admin, name=f"测试儿童{i}", lat=f"{lat:.6f}", lon=f"{lon:.6f}")
        create_need(admin, child.ref, {"dimension": "intellect", "service_type": "tutoring", "urgency": "normal",
                                       "rhythm": "weekly", "skills": ["tutoring"]})
    points.rebuild_all()
    return volunteer


def test_marker_one_and_card_one_are_the_same_need_and_tapping_a_marker_brings_its_card(
        live_server, phone, make_user, make_child):
    volunteer = _volunteer_with_needs(make_user, make_child)
    page = phone()
    log_in(page, live_server, volunteer)
    page.goto(live_server + "/near")
    cards = page.locator("[data-near-result]")
    expect(cards).to_have_count(4)
    markers = page.locator("#near-map .leaflet-marker-icon")
    expect(markers).to_have_count(4)
    assert sorted(markers.locator(".num").all_inner_texts()) == ["1", "2", "3", "4"]
    # The map shows the results and home (the dot distances are measured from), numbers apart, not the radius.
    expect(page.locator("#near-map .near-home")).to_have_count(1)
    boxes = [markers.nth(i).bounding_box() for i in range(4)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert abs(a["x"] - b["x"]) >= a["width"] * 0.8 or abs(a["y"] - b["y"]) >= a["height"] * 0.8, (a, b)
    for num in ("1", "4"):
        card = page.locator(f'[data-near-result][data-num="{num}"]')
        marker = page.locator(f'#near-map .leaflet-marker-icon[data-num="{num}"]')
        expect(card.locator(".num")).to_have_text(num)
        expect(marker.locator(".num")).to_have_text(num)
        assert marker.get_attribute("data-need-id") == card.get_attribute("data-need-id")
    # No coordinates and no hex code on the cards: a nickname and the town.
    text = page.locator("#near-list").inner_text()
    assert not re.search(r"\d{2}\.\d{3}", text) and "儿童 " not in text and "沙子口街道" in text

    # Tapping marker 4 brings card 4 into view and marks it; card 1's number shows its marker.
    page.locator('#near-map .leaflet-marker-icon[data-num="4"]').click()
    card4 = page.locator('[data-near-result][data-num="4"]')
    expect(card4).to_have_class(re.compile(r"\bis-current\b"))
    expect(card4).to_be_in_viewport()
    page.locator('[data-near-result][data-num="1"] .near-pin').click()
    expect(page.locator('#near-map .leaflet-marker-icon[data-num="1"]')).to_have_class(re.compile(r"\bis-current\b"))
    expect(page.locator("#near-map")).to_be_in_viewport()


def test_the_filter_sheet_remembers_being_opened_after_a_reload(live_server, phone, make_user, make_child):
    volunteer = _volunteer_with_needs(make_user, make_child)
    page = phone()
    log_in(page, live_server, volunteer)
    page.goto(live_server + "/near")
    sheet = page.locator("details#near-filters")
    expect(sheet).not_to_have_attribute("open", "")  # a volunteer with a home sees the results first
    sheet.locator("summary").click()
    expect(sheet).to_have_attribute("open", "")
    page.reload()
    expect(page.locator("details#near-filters")).to_have_attribute("open", "")
    page.locator("details#near-filters summary").click()
    page.reload()
    expect(page.locator("details#near-filters")).not_to_have_attribute("open", "")
