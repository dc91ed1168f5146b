"""On a phone, a volunteer opens their account from the navigation and logs out everywhere."""
from playwright.sync_api import expect

from e2e.helpers import log_in


def test_log_out_everywhere_on_a_phone_ends_the_session_in_another_browser(live_server, phone, make_user):
    user = make_user(name="测试志愿者")
    page, laptop = phone(), phone()
    log_in(laptop, live_server, user)
    log_in(page, live_server, user)
    page.get_by_role("navigation").get_by_role("link", name="更多").tap()
    page.locator("#more-list").get_by_role("link", name="账号").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账号")
    page.locator("#logout-everywhere").tap()
    page.locator("#confirm-dialog [data-confirm-ok]").tap()  # the styled confirmation
    page.wait_for_url("**/login")
    expect(page.locator(".flash")).to_contain_text("已在所有手机和电脑上退出登录")
    laptop.goto(live_server + "/inbox/")
    assert "/login" in laptop.url
