"""Browser test: a coordinator on a 360 px phone opens the no-contact digest from the inbox in one tap."""
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import update

from e2e.helpers import log_in
from volunteer.children.models import Child
from volunteer.extensions import db
from volunteer.notifications import services
from volunteer.notifications.targets import Target
from volunteer.types import utcnow
from volunteer.visits import contact


def test_a_coordinator_taps_the_no_contact_digest_and_lands_on_the_list_and_the_badge_drops(
        live_server, phone, make_user, make_child):
    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    for _ in range(contact.DIGEST_OVER + 1):
        make_child(by=coord)
    db.session.execute(update(Child).values(created_at=utcnow() - timedelta(days=40)))
    db.session.commit()
    assert contact.alert() == 1  # one digest for the eleven silent children
    services.notify(coord.id, "security", "other", "另一条消息", target=Target("account"))
    page = phone()
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, coord)
    badge = page.locator("#nav-unread")
    expect(badge).to_contain_text("2")
    page.locator(".bottom-nav a[href='/inbox/']").click()
    digest = page.get_by_role("button", name=re.compile("名儿童已长时间未被探访"))
    expect(digest).to_be_visible()
    digest.click()
    page.wait_for_url(live_server + "/visits/no-contact")
    expect(page.locator("#no-contact li")).to_have_count(contact.DIGEST_OVER + 1)
    expect(badge).to_contain_text("1")
    page.go_back()
    page.reload()
    expect(page.get_by_role("button", name=re.compile("名儿童已长时间未被探访"))).not_to_contain_text("未读")
