"""Browser test: a donor on a 360 px phone gives up a wish claimed by mistake through the confirm dialog; the
big screen at the event (projector mode) shows the wish open again by itself, and it can be claimed again."""
from playwright.sync_api import expect

from e2e.helpers import log_in
from volunteer.needs.wishes import create_wish
from volunteer.wishes import claims
from volunteer.wishes.events import add_wishes, create_event, publish_event


def test_a_donor_on_a_phone_gives_up_a_claim_and_the_big_screen_shows_the_wish_open_again(
        live_server, phone, desktop, make_user, make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    donor = make_user(role="volunteer", name="钱热心")
    child = make_child(by=coordinator, name="孙小花")
    wishes = [create_wish(coordinator, child.ref, {"item": item, "category": "study", "price_yuan": "60"})
              for item in ("彩色铅笔", "绘本")]
    event = create_event(coordinator, {"name": "六一微心愿认领会", "held_on": "2027-06-01", "place": "沙子口街道"})
    add_wishes(coordinator, event.id, [w.ref for w in wishes])
    publish_event(coordinator, event.id)
    row = claims.claim(donor, wishes[0].ref)
    url = f"{live_server}/wish-events/{event.id}"

    screen = desktop()
    screen.set_viewport_size({"width": 1920, "height": 1080})
    log_in(screen, live_server, coordinator)
    screen.goto(url)
    screen.locator("#screen-mode").click()
    expect(screen).to_have_url(url + "/board?screen=1")
    expect(screen.locator(".site-header")).to_have_count(0)
    expect(screen.locator("#screen-claimed")).to_have_text("1")
    expect(screen.locator("#screen-left")).to_have_text("1")
    expect(screen.locator("#screen-tally")).to_contain_text("爱心人士 钱*")
    expect(screen.locator("svg.screen-qr-code")).to_be_visible()
    fullscreen = screen.get_by_role("button", name="全屏")
    expect(fullscreen).to_be_visible()

    page = phone()
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, donor)
    page.goto(f"{live_server}/my/wishes")
    card = page.locator(f"#claim-{row.id}")
    card.get_by_role("button", name="认领错了？放弃认领").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("放弃认领这个心愿？")
    expect(dialog).to_contain_text("彩色铅笔")
    dialog.get_by_role("button", name="放弃认领").click()
    expect(card).to_have_attribute("data-stage", "released")
    expect(card).to_contain_text("这个心愿已重新开放给其他人认领")
    expect(card.get_by_role("button")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The big screen polls: the wish is open again without anyone touching it.
    expect(screen.locator("#screen-claimed")).to_have_text("0", timeout=10000)
    expect(screen.locator("#screen-left")).to_have_text("2")
    expect(screen.locator("#screen-tally")).not_to_contain_text("钱*")

    # And it is on the event's claim page again: the donor takes it back after all.
    page.goto(url)
    page.locator(f"#wcard-{wishes[0].ref}").get_by_role("button", name="认领这个心愿").click()
    expect(page.locator(f"#wcard-{wishes[0].ref}")).to_contain_text("已由您认领")
    expect(screen.locator("#screen-claimed")).to_have_text("1", timeout=10000)
    for p in (page, screen):
        assert "孙小花" not in p.content()
