"""Browser test of the coordinator home on a 360 px phone: what waits shows as count tiles, two a row, big
enough to tap; one tap on the first opens the report waiting for review, ready to review."""
from datetime import timedelta

from playwright.sync_api import expect

from e2e.helpers import log_in
from volunteer.extensions import db
from volunteer.matching.models import Offer
from volunteer.needs.models import Need
from volunteer.types import utcnow
from volunteer.visits.models import Visit, VisitReport


def _report_to_review_and_an_offer(make_user, make_child):
    """A district coordinator; a visit done last week whose report waits for review; an offer to decide."""
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    child = make_child(by=coordinator)
    needs = [Need(child_id=child.id, dimension="social", service_type="companionship", status=s)
             for s in ("assigned", "open")]
    db.session.add_all(needs)
    db.session.flush()
    start = utcnow() - timedelta(days=7)
    visit = Visit(need_id=needs[0].id, child_id=child.id, status="done", starts_at=start,
                  ends_at=start + timedelta(hours=1), checked_in_at=start, service_minutes=60)
    db.session.add(visit)
    db.session.flush()
    db.session.add(VisitReport(visit_id=visit.id, body="精神很好"))
    db.session.add(Offer(need_id=needs[1].id, volunteer_id=make_user(role="volunteer").id, status="pending"))
    db.session.commit()
    return coordinator, visit


def test_a_coordinator_on_a_360_px_phone_opens_the_report_to_review_in_one_tap(live_server, browser, make_user,
                                                                              make_child):
    coordinator, visit = _report_to_review_and_an_offer(make_user, make_child)
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                              locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = ctx.new_page()
        log_in(page, live_server, coordinator)
        first, second = page.locator("#home-tiles .tile").nth(0), page.locator("#home-tiles .tile").nth(1)
        expect(first).to_have_attribute("id", "home-count-review")
        expect(first).to_contain_text("1")
        expect(first).to_contain_text("待审核的报告")
        expect(second).to_have_attribute("id", "home-count-offers")
        a, b = first.bounding_box(), second.bounding_box()
        assert a["y"] == b["y"] and a["x"] < b["x"]  # two a row
        assert a["height"] >= 44 and a["width"] >= 44 and b["x"] + b["width"] <= 360
        assert a["y"] + a["height"] < 740  # seen without scrolling
        expect(page.locator("#home-clear")).to_contain_text("没有逾期的探访")
        first.tap()
        page.wait_for_url(f"{live_server}/visits?show=review")
        card = page.locator(f"#visit-list #visit-{visit.id}")
        expect(card).to_be_visible()
        review = card.get_by_role("link", name="审阅报告")
        expect(review).to_be_in_viewport()
        review.tap()
        expect(page.locator("#visit-report")).to_be_visible()
    finally:
        ctx.close()


def test_the_admin_on_a_360_px_phone_opens_the_citys_report_to_review_in_one_tap(live_server, browser, make_user,
                                                                                 make_child):
    _coordinator, visit = _report_to_review_and_an_offer(make_user, make_child)
    admin = make_user(role="admin")
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                              locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = ctx.new_page()
        log_in(page, live_server, admin)
        first = page.locator("#home-tiles .tile").nth(0)
        expect(first).to_have_attribute("id", "home-count-review")
        assert first.bounding_box()["y"] + first.bounding_box()["height"] < 740
        first.tap()
        page.wait_for_url(f"{live_server}/visits?show=review")
        expect(page.locator(f"#visit-list #visit-{visit.id}")).to_be_visible()
    finally:
        ctx.close()
