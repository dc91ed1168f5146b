"""Browser tests of the helpers' and donors' homes on a 360 px phone: what waits is on the first screen with big
tap targets, and one tap does it: a volunteer accepts a visit offer in place (the card becomes the next visit),
a donor reaches the first claim's next step, an organisation admin opens the team's first offer."""
from contextlib import contextmanager

from playwright.sync_api import expect

from e2e.helpers import log_in
from tests.visits.conftest import window
from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.needs.wishes import create_wish
from volunteer.visits import services
from volunteer.visits.models import Visit
from volunteer.volunteers.models import VolunteerSkill
from volunteer.wishes import claims, events

WIDTH, HEIGHT = 360, 740
NAV = 60  # the bottom tab bar covers the last 3.75rem of the screen


@contextmanager
def _phone(browser):
    ctx = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True,
                              locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def _on_first_screen(locator):
    """The element is fully on the first screen above the tab bar, inside 360 px, and at least 44 px tall."""
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    assert box["y"] + box["height"] <= HEIGHT - NAV, box
    assert box["height"] >= 44, box


def _need(make_user, make_child, service_type="tutoring", skills=("tutoring",)):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="李协调")
    child = make_child(by=coordinator)
    need = create_need(coordinator, child.ref, {"dimension": "intellect", "service_type": service_type,
                                                "skills": list(skills)})
    return coordinator, need


def test_a_volunteer_accepts_a_visit_offer_from_home_in_one_tap(live_server, browser, make_user, make_child):
    coordinator, need = _need(make_user, make_child)
    volunteer = make_user(role="volunteer", name="王志愿")
    db.session.add(VolunteerSkill(user_id=volunteer.id, skill="tutoring"))
    db.session.commit()
    visit = services.assign_visit(coordinator, need.id, *window(48), [volunteer.id])
    with _phone(browser) as page:
        log_in(page, live_server, volunteer)
        card = page.locator(f"#home-offers #visit-{visit.id}")
        expect(card).to_contain_text("学业辅导")
        accept = card.get_by_role("button", name="接受")
        _on_first_screen(accept)
        accept.tap()
        expect(page.locator("#home-answer-done")).to_have_text("谢谢！这次探访由您负责。")
        expect(page.locator("#home-offers-empty")).to_have_text("暂时没有待回复的探访邀请。")
        nxt = page.locator("#home-next-visit")
        expect(nxt.locator("#home-next-link")).to_have_attribute("href", f"/visits/{visit.id}")
        expect(nxt).to_contain_text("已接受")
        expect(nxt.locator("#home-next-coordinator")).to_contain_text("李协调")
        expect(nxt.locator("#home-next-phones-later")).to_be_visible()
        assert page.url == live_server + "/"
        assert "36.1102" not in page.content() and "120.4622" not in page.content()
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "accepted"


def test_a_donor_goes_from_home_to_the_first_claims_next_step_in_one_tap(live_server, browser, make_user, make_org,
                                                                         make_child):
    unit = make_org(name="爱心单位甲", kind="caring_unit")
    donor = make_user(role="org_admin", organisation_id=unit.id)
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    child = make_child(by=coordinator)
    event = events.create_event(coordinator, {"name": "六一心愿会", "place": "沙子口社工站", "held_on": "2027-06-01"})
    wishes = [create_wish(coordinator, child.ref, {"item": item, "category": "study", "price_yuan": "60"})
              for item in ("书包", "台灯", "字典", "跳绳")]
    events.add_wishes(coordinator, event.id, [w.ref for w in wishes])
    events.publish_event(coordinator, event.id)
    for w in wishes[:3]:
        row = claims.claim(donor, w.ref)
    with _phone(browser) as page:
        log_in(page, live_server, donor)
        expect(page.locator("#home-claims-claimed")).to_contain_text("3")
        step = page.locator("#home-claim-next")
        expect(step).to_have_text("下一步：标记已购买")
        _on_first_screen(step)
        step.tap()
        page.wait_for_url(f"{live_server}/my/wishes#claim-{row.id}")
        bought = page.locator(f"#claim-{row.id}").get_by_role("button", name="我已购买")
        expect(bought).to_be_in_viewport()
        expect(page.locator(f"#claim-{row.id}")).to_contain_text("字典")


def test_an_org_admin_goes_from_home_to_the_teams_first_offer_in_one_tap(live_server, browser, make_user, make_org,
                                                                         make_child):
    coordinator, need = _need(make_user, make_child, service_type="home_visit_survey", skills=("home_visit",))
    org = make_org(name="蓝天社工")
    admin = make_user(role="org_admin", organisation_id=org.id)
    visit = services.assign_visit(coordinator, need.id, *window(48), org_id=org.id)
    with _phone(browser) as page:
        log_in(page, live_server, admin)
        title = page.locator(f"#home-offers #visit-{visit.id} a").first
        expect(title).to_contain_text("入户调研")
        _on_first_screen(page.locator(f"#home-offers #visit-{visit.id}").get_by_role("button", name="接受"))
        title.tap()
        page.wait_for_url(f"{live_server}/visits/{visit.id}")
        expect(page.locator("#visit-status")).to_have_text("待您回复")
        expect(page.locator("#accept-visit")).to_be_visible()
