"""A volunteer signs up on an emulated iPhone in Chinese, enters the SMS code, shares the location, picks
skills, lands home."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from volunteer.accounts.models import User
from volunteer.extensions import db
from volunteer.notifications import backends
from volunteer.volunteers.models import VolunteerProfile


def test_volunteer_signs_up_on_a_phone_in_chinese_and_lands_home(live_server, phone, run_worker):
    page = phone(geolocation=(36.1025, 120.4678))  # 崂山区
    page.goto(live_server + "/signup")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_contain_text("志愿者")
    assert page.viewport_size["width"] < 500

    page.fill("#phone", "139 1234 5678")
    page.fill("#name", "测试志愿者")
    page.fill("#password", "weak")
    page.fill("#confirm", "weak")
    page.locator("form.card button[type=submit]").tap()
    expect(page.locator("main .field-error").first).to_be_visible()
    expect(page.locator("#name")).to_have_value("测试志愿者")  # the rest of the form is kept

    page.fill("#password", "qingdao-help-2026")
    page.fill("#confirm", "qingdao-help-2026")
    page.locator("#consent").check()  # not ticked for them: consent to the privacy notice is given, not assumed
    page.locator("form.card button[type=submit]").tap()
    page.wait_for_url("**/signup/confirm")
    expect(page.get_by_role("heading", level=1)).to_have_text("请查看手机短信")
    assert run_worker() == 1  # the SMS with the code
    code = re.search(r"\d{6}", [t for c, a, t, _ in backends.SENT if a == "+8613912345678"][-1]).group()
    page.fill("#code", code)
    page.locator("form.card button[type=submit]").tap()
    page.wait_for_url("**/me/profile**")

    page.locator("#geolocate").tap()
    expect(page.locator("#lat")).to_have_value("36.102500")
    expect(page.locator("#lon")).to_have_value("120.467800")
    expect(page.locator("#location_source")).to_have_value("gps")
    expect(page.locator("#skills")).to_contain_text("陪伴")
    page.locator("label.chip:has(input[value=companionship])").tap()
    page.locator("label.chip:has(input[value=tutoring])").tap()
    page.locator("label.chip:has(input[value='5-am'])").tap()
    page.locator("#save-profile").tap()

    page.wait_for_url(live_server + "/")
    expect(page.locator("#home-title")).to_contain_text("测试志愿者")
    expect(page.locator("nav.bottom-nav")).to_be_visible()

    user = db.session.scalar(select(User).where(User.phone == "+8613912345678"))
    profile = db.session.get(VolunteerProfile, user.id)
    db.session.refresh(profile)
    assert profile.location_source == "gps" and profile.district_code == "370212"
    assert {s.skill for s in profile.skills} == {"companionship", "tutoring"}
    assert [(s.weekday, s.period) for s in profile.slots] == [(5, "am")]

    assert run_worker() == 1  # the welcome notification
    page.goto(live_server + "/inbox/")
    expect(page.locator("#inbox")).to_contain_text("测试志愿者")
