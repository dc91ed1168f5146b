"""Browser test of gift-pack logistics: a 崂山 coordinator on a desktop opens a campaign, starts the allocation
and watches its progress bar, confirms, downloads a hub's packing list and plans a run; the driver on an
emulated phone confirms each drop along the route with the child director's receipt code."""
import os
import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from e2e.helpers import log_in
from volunteer.extensions import db
from volunteer.logistics import allocation, campaigns, run_groups, runs, services
from volunteer.logistics.models import DeliveryRun, Stop
from volunteer.logistics.stock import atomic, change
from volunteer.validation import display_phone

VILLAGES = ("东村社区", "西村社区", "南村社区")
SHOTS = os.environ.get("HUHANG_SHOTS")  # a directory: keep screenshots of the pages for a visual check


def shot(page, name):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"logistics-{name}.png"), full_page=True)


def test_coordinator_allocates_and_prints_and_a_driver_confirms_drops(live_server, desktop, phone, make_user,
                                                                      make_child, run_worker, tmp_path):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")
    driver = make_user(role="volunteer", name="送货志愿者")
    hub = services.create_hub("沙子口礼包站", "town", "370212002", 36.1050, 120.5200)
    bag = services.create_kind("bag", "书包文具礼包", "school_bag", "书包、文具", min_grade=1, max_grade=9)
    db.session.commit()
    with atomic():
        change(hub.id, bag.id, 5, "in", "e2e-in")
    kids = [make_child(by=coordinator, name=f"陈小{i}", village=VILLAGES[i % 3],
                       lat=f"{36.105 + (i % 3) * 0.012:.4f}", lon=f"{120.47 + (i % 3) * 0.012:.4f}") for i in range(6)]

    page = desktop()
    log_in(page, live_server, coordinator)
    page.goto(live_server + "/logistics")
    expect(page.locator("h1")).to_have_text("礼包发放")
    page.fill("#campaign-name", "2027年新学年书包")
    page.get_by_role("button", name="创建活动").click()
    expect(page.locator("h1")).to_have_text("2027年新学年书包")

    page.get_by_role("button", name="开始分配").click()
    bar = page.locator("#campaign-state progress.progress")
    expect(bar).to_be_visible()
    expect(page.locator("#campaign-state .job-status")).to_have_attribute("data-status", re.compile("queued|pending"))
    assert run_worker(["logistics"]) == 1
    # The polling fragment picks up the finished job: the bar is full and the shortfall shows.
    expect(page.locator("#campaign-status")).to_have_text("方案待确认", timeout=10_000)
    expect(page.locator("#campaign-state .job-status")).to_have_attribute("data-status", "finished")
    expect(bar).to_have_attribute("value", "100")
    expect(page.locator("#shortfall-total")).to_contain_text("1")
    page.get_by_role("button", name="确认分配").click()
    expect(page.locator("#campaign-status")).to_have_text("已确认")

    page.get_by_role("button", name="生成装箱单").click()
    assert run_worker(["logistics"]) == 1
    pdf_link = page.locator(f"#per-hub tr[data-hub='{hub.id}'] a.packing-pdf")
    expect(pdf_link).to_be_visible(timeout=10_000)
    with page.expect_download() as info:
        pdf_link.click()
    saved = tmp_path / "packing.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    for kid in kids:
        assert kid.name not in page.content()

    page.fill("#capacity", "10")
    page.get_by_role("button", name="规划路线").click()
    assert run_worker(["logistics"]) == 1
    run = db.session.scalar(select(DeliveryRun))
    page.goto(f"{live_server}/logistics/campaigns/{run.campaign_id}")
    group = page.locator(f"#hub-{hub.id}")
    group.locator("summary").click()
    group.locator(f"#run-{run.id} input[name=run_ids]").check()
    group.locator(f"#driver-phone-{hub.id}").fill(display_phone(driver.phone))
    group.get_by_role("button", name="把勾选的趟次交给这位司机").click()
    expect(page.locator(f"#run-{run.id}")).to_contain_text("送货志愿者")
    shot(page, "campaign")

    mobile = phone()
    log_in(mobile, live_server, driver)
    mobile.goto(live_server + "/deliveries")
    mobile.locator("#my-runs a").first.click()
    expect(mobile.locator("#route-map")).to_be_visible()
    stops = db.session.scalars(select(Stop).where(Stop.run_id == run.id).order_by(Stop.seq)).all()
    expect(mobile.locator("#stops li.stop")).to_have_count(len(stops))
    assert mobile.locator(".receipt-code").count() == 0  # the driver never sees the codes
    first = mobile.locator(f"#stop-{stops[0].id}")
    first.locator("input[name=code]").fill("000000" if stops[0].receipt_code != "000000" else "111111")
    first.get_by_role("button", name="确认送达").click()
    expect(mobile.locator(f"#stop-{stops[0].id} .field-error")).to_contain_text("签收码不正确")
    shot(mobile, "run-phone")
    for stop in stops:
        card = mobile.locator(f"#stop-{stop.id}")
        card.locator("input[name=code]").fill(stop.receipt_code)
        card.get_by_role("button", name="确认送达").click()
        expect(mobile.locator(f"#stop-{stop.id}")).to_have_attribute("data-status", "delivered")
    for kid in kids:
        assert kid.name not in mobile.content()
    mobile.get_by_role("button", name="结束本趟配送").click()
    dialog = mobile.locator("#confirm-dialog")
    expect(dialog).to_contain_text("未确认送达的站点")
    dialog.get_by_role("button", name="结束本趟配送").click()
    expect(mobile.locator("#run-finished")).to_be_visible()


def test_a_coordinator_on_a_phone_gives_a_hubs_runs_to_one_driver_at_once(live_server, phone, make_user, make_child):
    """Runs grouped by hub with counts; a bad number changes nothing; one tap gives every unassigned run."""
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")
    driver = make_user(role="volunteer", name="批量司机")
    other = make_user(role="volunteer", name="原来的司机")
    hub = services.create_hub("沙子口礼包站", "town", "370212002", 36.1050, 120.5200)
    bag = services.create_kind("bag", "书包文具礼包", "school_bag", "书包、文具", min_grade=1, max_grade=9)
    db.session.commit()
    with atomic():
        change(hub.id, bag.id, 12, "in", "e2e-in")
    for i in range(12):
        make_child(by=coordinator, name=f"林小{i}", village=f"{i}号村",
                   lat=f"{36.09 + i * 0.006:.4f}", lon=f"{120.46 + (i % 4) * 0.01:.4f}")
    c = campaigns.open_campaign(coordinator, {"name": "冬衣发放", "kind_ids": [str(bag.id)]})
    allocation.allocate(c.id)
    allocation.confirm(coordinator, c.id)
    runs.plan(c.id, 1)  # one pack a run: 12 runs, more than a page
    planned = runs.runs_of(c.id)
    runs.assign_driver(coordinator, planned[-1].id, other.phone)  # on the second page

    page = phone()
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server}/logistics/campaigns/{c.id}")
    group = page.locator(f"#hub-{hub.id}")
    expect(group.locator("summary")).to_contain_text("12 趟")
    expect(group.locator("summary")).to_contain_text("11 趟未安排司机")
    group.locator("summary").click()
    expect(group.locator(".run-row")).to_have_count(run_groups.PER_PAGE)
    group.get_by_role("link", name="下一页").click()
    expect(page.locator(f"#hub-{hub.id} .run-row")).to_have_count(12 - run_groups.PER_PAGE)
    expect(page.locator(f"#hub-{hub.id}")).to_have_attribute("open", "")

    group = page.locator(f"#hub-{hub.id}")
    group.locator(f"#driver-phone-{hub.id}").fill("123")
    give_all = group.get_by_role("button", name="未安排司机的 11 趟全部交给这位司机")
    give_all.click()
    expect(page.locator(f"#assign-{hub.id}-error")).to_contain_text("司机手机号")
    db.session.expire_all()
    assert [r.driver_id for r in runs.runs_of(c.id)] == [None] * 11 + [other.id]
    assert page.evaluate("document.documentElement.scrollWidth") == 360
    for button in page.locator(f"#hub-{hub.id} button").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360

    page.locator(f"#driver-phone-{hub.id}").fill(display_phone(driver.phone))
    page.locator(f"#hub-{hub.id}").get_by_role("button", name="未安排司机的 11 趟全部交给这位司机").click()
    expect(page.locator(".flash-success")).to_contain_text("已把 11 趟交给批量司机")
    expect(page.locator(f"#hub-{hub.id} summary")).to_contain_text("均已安排司机")
    expect(page.locator(f"#run-{planned[-1].id}")).to_contain_text("原来的司机")  # the assigned run kept its driver
    shot(page, "campaign-phone")
    db.session.expire_all()
    assert [r.driver_id for r in runs.runs_of(c.id)] == [driver.id] * 11 + [other.id]
