"""Sign-up does not tell whether a number is registered, and is rate limited."""
import re

from volunteer.notifications import backends

FORM = {"name": "王小明", "email": "", "password": "qingdao-help-2026", "confirm": "qingdao-help-2026", "consent": "y"}


def answer(client, phone):
    """What the asker sees: the sign-up's status and redirect, then the page it leads to (number masked)."""
    resp = client.post("/signup", data={**FORM, "phone": phone}, headers={"Accept-Language": "en"})
    page = client.get("/signup/confirm", headers={"Accept-Language": "en"}).get_data(as_text=True)
    page = re.sub(r'"X-CSRFToken": "[^"]*"|name="csrf_token"[^>]*>', "", page)  # differs per session
    page = page.replace("139 1234 5678", "N").replace("137 0000 0001", "N")
    return resp.status_code, resp.headers.get("Location"), page


def test_registered_and_new_numbers_get_the_same_answer(app, make_user):
    make_user(phone="+8613912345678")
    registered = answer(app.test_client(), "13912345678")
    new = answer(app.test_client(), "13700000001")
    assert registered == new
    assert "already registered" not in registered[2]


def test_the_owner_of_a_registered_number_is_told_and_a_new_number_gets_a_code(app, make_user, run_worker):
    owner = make_user(phone="+8613912345678")
    backends.SENT.clear()
    answer(app.test_client(), "13912345678")
    answer(app.test_client(), "13700000001")
    run_worker()
    from sqlalchemy import select

    from volunteer.extensions import db
    from volunteer.notifications.models import Notification

    titles = db.session.scalars(select(Notification.title).where(Notification.user_id == owner.id)).all()
    assert any("试图用您的手机号注册" in t for t in titles)
    assert [a for c, a, *_ in backends.SENT if c == "sms"] == ["+8613700000001"]


def test_signups_are_rate_limited_per_number_and_per_address(app):
    one = app.test_client()
    codes = [one.post("/signup", data={**FORM, "phone": "13700000001"},
                      environ_base={"REMOTE_ADDR": f"10.5.0.{i}"}).status_code for i in range(4)]
    assert codes == [302, 302, 302, 429]
    many = app.test_client()
    codes = [many.post("/signup", data={**FORM, "phone": f"1380000{i:04d}"}).status_code for i in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429
    limited = many.post("/signup", data={**FORM, "phone": "13900000001"}, headers={"Accept-Language": "en"})
    body = limited.get_data(as_text=True)
    assert limited.status_code == 429 and "Please wait" in body and "minutes" in body
    assert 'value="王小明"' in body  # what was typed is kept
