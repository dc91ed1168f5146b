"""The account page: log out here, log out everywhere set apart, and API tokens only where they mean something."""
import re

from volunteer.api.services import issue_token

EN, ZH = {"Accept-Language": "en"}, {"Accept-Language": "zh-CN"}


def _page(client, user, headers=EN):
    client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"})
    return client.get("/account", headers=headers).get_data(as_text=True)


def test_a_volunteer_sees_no_api_token_jargon(client, make_user):
    for headers in (EN, ZH):
        page = _page(client, make_user(role="volunteer"), headers)
        text = re.sub(r"<[^>]+>", " ", page)
        assert "/account/tokens" not in page and "API" not in text and "令牌" not in text
        client.post("/logout")


def test_staff_find_their_api_tokens_on_the_account_page(client, make_user):
    page = _page(client, make_user(role="coordinator", scope_level="district", scope_code="370212"))
    assert 'href="/account/tokens"' in page and "API tokens" in page


def test_a_volunteer_who_holds_a_token_sees_it_as_a_connected_app_in_plain_words(client, make_user):
    user = make_user(role="volunteer")
    issue_token(user, "手机脚本")
    page = _page(client, user)
    assert 'href="/account/tokens"' in page and "Connected apps" in page and "API" not in re.sub(r"<[^>]+>", " ", page)


def test_log_out_everywhere_sits_apart_behind_a_confirmation(client, make_user):
    page = _page(client, make_user(role="volunteer"))
    zone = page[page.index('class="danger-zone'):]
    form = zone[zone.index("<form"):]
    form = form[:form.index(">")]
    assert 'action="/account/logout-everywhere"' in form and "data-confirm-title=" in form
    assert page.index('id="logout"') < page.index('class="danger-zone')


def test_the_account_page_says_您_never_你(client, make_user):
    page = _page(client, make_user(role="volunteer", name="王小明"), ZH)
    text = re.sub(r"<[^>]+>", " ", page).replace("王小明", "")
    assert "你" not in text and "您" in text
