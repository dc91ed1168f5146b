"""Browser test of the activity pages on a phone in Chinese: an organiser saves a draft through the form
(the venue pinned on the map) and publishes it; a volunteer finds it on the map near home, signs up in one
tap (htmx swaps the block in place), and cancels through the styled confirm dialog; the place goes to the
volunteer waiting."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from e2e.helpers import log_in
from volunteer.activities import services
from volunteer.activities.models import Activity, ActivitySignup
from volunteer.extensions import db
from volunteer.volunteers.models import VolunteerProfile

LOCAL = ZoneInfo("Asia/Shanghai")


def test_an_organiser_publishes_and_a_volunteer_signs_up_and_cancels_on_a_phone(live_server, phone, make_user):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="郭老师")
    volunteer = make_user(role="volunteer", name="于伟峰")
    waiting = make_user(role="volunteer", name="姜萱")
    profile = db.session.get(VolunteerProfile, volunteer.id)
    profile.lat, profile.lon = 36.11, 120.47
    db.session.commit()

    page = phone()
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server}/activities")
    page.locator("#new-activity").click()
    day = (datetime.now(LOCAL) + timedelta(days=5)).date().isoformat()
    page.fill("#title", "周末陪伴小组")
    page.fill("#starts_at", f"{day}T09:30")
    page.fill("#ends_at", f"{day}T11:30")
    page.fill("#venue", "沙子口街道社区服务中心")
    page.locator("#venue-map").click()  # the pin: the map's centre (崂山区)
    page.fill("#places", "1")
    page.locator("#save-activity").click()
    expect(page.locator(".flash-success")).to_contain_text("活动已保存为草稿")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#publish-activity").click()
    expect(page.locator("#organiser-state")).to_contain_text("已发布")
    activity = db.session.scalar(select(Activity))
    assert activity.status == "published" and activity.district_code == "370212"
    assert activity.starts_at.astimezone(LOCAL).strftime("%H:%M") == "09:30"

    page.context.clear_cookies()
    log_in(page, live_server, volunteer)
    page.goto(f"{live_server}/activities")
    card = page.locator(f"#activity-{activity.id}")
    expect(card).to_contain_text("还剩 1 个名额")
    expect(page.locator(".map-num .num")).to_have_count(1)  # marker 1 on the map
    card.get_by_role("link", name="周末陪伴小组").click()
    page.locator("#signup-button").click()
    expect(page.locator("#signup-done")).to_contain_text("报名成功")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    services.sign_up(waiting, activity.id)  # the activity is full now: 姜萱 waits

    page.locator("#cancel-signup").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("你的名额会让给候补名单上的下一位")
    dialog.locator("[data-confirm-ok]").click()
    expect(page.locator("#signup-done")).to_contain_text("已取消报名")
    expect(page.locator("#signup-button")).to_have_text("报名候补")  # the place went to 姜萱
    db.session.expire_all()
    rows = {r.volunteer_id: r.status for r in db.session.scalars(select(ActivitySignup))}
    assert rows == {volunteer.id: "cancelled", waiting.id: "confirmed"}
