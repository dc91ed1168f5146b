"""A volunteer who forgot the password gets a code by SMS on an emulated iPhone in Chinese, chooses a new
password and logs in with it."""
import re

from playwright.sync_api import expect

from volunteer.notifications import backends


def test_forgotten_password_to_a_new_password_on_a_phone_in_chinese(live_server, phone, make_user, run_worker):
    make_user(phone="+8613912345678", name="李志愿")
    backends.SENT.clear()
    page = phone()
    page.goto(live_server + "/login")
    page.get_by_role("link", name="忘记密码？").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("忘记密码？")

    page.fill("#phone", "139 1234 5678")
    page.locator("#send-reset-code").tap()
    page.wait_for_url("**/password/reset")
    expect(page.get_by_role("heading", level=1)).to_have_text("设置新密码")
    expect(page.locator("main")).to_contain_text("139 1234 5678")
    assert run_worker() == 1  # the SMS with the code (the console backend in the test app)
    code = re.search(r"\d{6}", [t for c, a, t, _ in backends.SENT if a == "+8613912345678"][-1]).group()

    page.fill("#code", code)
    page.fill("#password", "short")
    page.fill("#confirm", "short")
    page.locator("#set-password").tap()
    expect(page.locator("main .field-error").first).to_be_visible()  # too short: the code still works
    expect(page.locator("#code")).to_have_value(code)

    page.fill("#password", "laoshan-spring-88")
    page.fill("#confirm", "laoshan-spring-88")
    page.locator("#set-password").tap()
    page.wait_for_url("**/login")
    expect(page.locator(".flash-success")).to_contain_text("密码已修改")

    page.fill("#phone", "139 1234 5678")
    page.fill("#password", "laoshan-spring-88")
    page.locator("form.card button[type=submit]").tap()
    page.wait_for_url(live_server + "/")
    expect(page.locator("#home-title")).to_contain_text("李志愿")
