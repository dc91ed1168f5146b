"""Browser test of micro-wishes: two donors on two emulated phones tap the same wish at the event; one
wins, the other is told and offered the next wishes; the event's board on the screen shows the claim."""
from playwright.sync_api import expect
from sqlalchemy import func, select

from e2e.helpers import log_in
from volunteer.extensions import db
from volunteer.needs.wishes import create_wish
from volunteer.wishes.events import add_wishes, create_event, publish_event
from volunteer.wishes.models import WishClaim


def test_two_phones_tap_one_wish_one_wins_the_other_is_told_and_the_board_shows_it(
        live_server, phone, desktop, make_user, make_org, make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    unit = make_org(name="海岸爱心企业", kind="caring_unit")
    first = make_user(role="org_admin", organisation_id=unit.id, name="赵经理")
    second = make_user(role="volunteer", name="钱热心")
    child = make_child(by=coordinator, name="孙小花")
    wishes = [create_wish(coordinator, child.ref, {"item": item, "category": "study", "price_yuan": "60"})
              for item in ("彩色铅笔", "绘本", "跳绳")]
    event = create_event(coordinator, {"name": "六一微心愿认领会", "held_on": "2027-06-01", "place": "沙子口街道"})
    add_wishes(coordinator, event.id, [w.ref for w in wishes])
    publish_event(coordinator, event.id)
    url = f"{live_server}/wish-events/{event.id}"

    screen = desktop()
    log_in(screen, live_server, coordinator)
    screen.goto(url + "/board")
    expect(screen.locator("#board-claimed")).to_have_text("已认领：0")

    a, b = phone(), phone()
    for page, user in ((a, first), (b, second)):
        log_in(page, live_server, user)
        page.goto(url)
        expect(page.locator(f"#wcard-{wishes[0].ref}")).to_contain_text("彩色铅笔")
    buttons = [p.locator(f"#wcard-{wishes[0].ref}").get_by_role("button", name="认领这个心愿") for p in (a, b)]
    buttons[0].click()
    buttons[1].click()

    won = a.locator(f"#wcard-{wishes[0].ref}")
    expect(won).to_contain_text("已由您认领")
    told = b.locator(f"#wcard-{wishes[0].ref}")
    expect(told.locator(".claim-refused")).to_contain_text("这个心愿已被认领")
    # The loser is offered the next open wishes of the event, each with its own claim button.
    expect(told.get_by_role("button", name="认领这个心愿")).to_have_count(2)
    assert db.session.scalar(select(func.count(WishClaim.id))) == 1

    # The screen polls the board: the claim, the counts and the caring unit's tally appear by themselves.
    expect(screen.locator("#board-claimed")).to_have_text("已认领：1", timeout=10000)
    expect(screen.locator("#board-left")).to_have_text("待认领：2")
    expect(screen.locator(f"#board-{wishes[0].ref}")).to_contain_text("海岸爱心企业 已认领")
    # The loser takes one of the wishes offered instead, right there in the answer.
    told.get_by_role("button", name="认领这个心愿").first.click()
    expect(told).to_contain_text("已由您认领")
    expect(screen.locator("#board-claimed")).to_have_text("已认领：2", timeout=10000)
    expect(screen.locator(".board-tally")).to_contain_text("爱心人士 钱*")
    for page in (a, b, screen):
        assert "孙小花" not in page.content()
