"""Browser test of a child's page on a phone: each need and wish shows its status, and its moves are
buttons that swap the row in place (htmx) with the new status."""
import re

from playwright.sync_api import expect

from e2e.helpers import log_in
from volunteer.needs import services


def test_a_coordinator_marks_a_need_assigned_and_the_row_shows_it(live_server, phone, make_user, make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    child = make_child(by=coordinator)
    need = services.create_need(coordinator, child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                                         "urgency": "high", "rhythm": "weekly"})
    wish = services.create_wish(coordinator, child.ref, {"item": "书包", "category": "study", "price_yuan": 80})
    services.move_wish(coordinator, wish.ref, "published")
    page = phone()
    log_in(page, live_server, coordinator)
    page.goto(live_server + f"/children/{child.ref}")
    row = page.locator(f"#need-{need.id}")
    status_line = page.locator(f"#need-status-{need.id}")  # 状态： for screen readers, then the badge
    expect(status_line).to_have_text(re.compile(r"状态：\s*待承接"))
    expect(status_line.locator(".badge")).to_have_text("待承接")
    expect(row.locator("select")).to_have_count(0)
    # The row's title and its status badge share the card header without squeezing the title to one
    # character a line at 390 px; the badge stays inside the row.
    title, status = row.locator("p").first.bounding_box(), status_line.locator(".badge").bounding_box()
    box = row.bounding_box()
    assert title["height"] < 40 and title["width"] > 40, title
    assert box["x"] <= status["x"] and status["x"] + status["width"] <= box["x"] + box["width"], (status, box)
    expect(page.locator(f"#wish-status-{wish.ref}")).to_have_text(re.compile(r"状态：\s*已发布"))
    row.get_by_role("button", name="标记为已分配").click()
    expect(page.locator(f"#need-status-{need.id}")).to_have_text(re.compile(r"状态：\s*已分配"))
    expect(row.get_by_role("button", name="标记为进行中")).to_be_visible()
    assert page.url.endswith(f"/children/{child.ref}")  # swapped in place, no reload
    row.get_by_role("button", name="取消需求").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("志愿者将不再在需求列表中看到")
    dialog.locator("[data-confirm-ok]").click()
    expect(page.locator(f"#need-status-{need.id}")).to_have_text(re.compile(r"状态：\s*已取消"))
    expect(row.get_by_role("button", name="重新开放")).to_be_visible()
