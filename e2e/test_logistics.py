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
from volunteer.logistics import services
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
    page.fill(f"#driver-{run.id}", display_phone(driver.phone))
    page.locator(f"#run-{run.id} button[type=submit]").click()
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
    expect(mobile.locator("#run-finished")).to_be_visible()
