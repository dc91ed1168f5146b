"""On a phone, a volunteer keeps a copy of their data, deletes the account (password and a tick, no browser
dialog), logs in again within the grace period and keeps the account."""
from playwright.sync_api import expect

from e2e.helpers import PASSWORD, log_in
from volunteer.extensions import db
from volunteer.validation import display_phone


def test_a_volunteer_deletes_the_account_then_keeps_it_at_the_next_login(live_server, phone, make_user):
    user = make_user(name="测试志愿者")
    page = phone()
    page.on("dialog", lambda d: (_ for _ in ()).throw(AssertionError("a browser dialog opened")))
    log_in(page, live_server, user)
    page.goto(live_server + "/account")
    expect(page.locator("#my-data-card")).to_contain_text("我的数据")
    page.locator("#my-data-view").tap()
    expect(page.locator("#mydata-account")).to_contain_text("测试志愿者")

    page.goto(live_server + "/account")
    page.locator("#delete-account").tap()
    page.wait_for_url("**/account/delete")
    page.fill("#password", PASSWORD)
    page.locator("#confirm-delete").tap()  # the tick is missing
    expect(page.locator("#understood-error")).to_contain_text("请勾选以确认")
    page.fill("#password", PASSWORD)
    page.locator("#understood").check()
    page.locator("#confirm-delete").tap()
    page.wait_for_url("**/login")
    expect(page.locator(".flash")).to_contain_text("注销")

    page.fill("#phone", display_phone(user.phone))
    page.fill("#password", PASSWORD)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/account")
    expect(page.locator("#deletion-pending")).to_be_visible()
    page.locator("#cancel-deletion").tap()
    expect(page.locator(".flash")).to_contain_text("账号已保留")
    db.session.refresh(user)
    assert user.deletion_requested_at is None
    page.goto(live_server + "/")
    assert page.url == live_server + "/"
