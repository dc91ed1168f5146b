"""Changing one's mobile number: a code to the new number, then the code and the password; a number that
belongs to another account is refused only after the code step; audited."""
import re

from sqlalchemy import select

from tests.notifications.sms_stub import sms_provider  # noqa: F401 (fixture)
from volunteer.accounts.models import VerificationCode
from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.notifications import backends

OLD, NEW = "+8613912345678", "+8613700000001"
EN = {"Accept-Language": "en"}


def console_code(phone=NEW):
    texts = [title for channel, address, title, _ in backends.SENT if channel == "sms" and address == phone]
    return re.search(r"\d{6}", texts[-1]).group() if texts else None


def ask(client, number="137 0000 0001"):
    return client.post("/account/phone", data={"phone": number}, headers=EN)


def confirm(client, code, password="Huhang-2026"):
    return client.post("/account/phone/confirm", data={"code": code, "current": password}, headers=EN)


def masked(page: str) -> str:
    page = re.sub(r'"X-CSRFToken": "[^"]*"|name="csrf_token"[^>]*>', "", page)
    return page.replace("137 0000 0001", "N").replace("136 0000 0002", "N")


def audit(user_id):
    return db.session.execute(select(AuditEntry.action, AuditEntry.reason)
                              .where(AuditEntry.collection == "user", AuditEntry.object_id == user_id)).all()


def test_a_code_to_the_new_number_and_the_password_move_the_account(app, client, make_user, login, run_worker):
    user = make_user(phone=OLD)
    login(user)
    backends.SENT.clear()
    resp = ask(client)
    assert resp.status_code == 302 and resp.headers["Location"] == "/account/phone/confirm"
    run_worker()
    assert [a for c, a, *_ in backends.SENT if c == "sms"] == [NEW]  # the new number, not the old
    page = client.get("/account/phone/confirm", headers=EN).get_data(as_text=True)
    assert "137 0000 0001" in page
    resp = confirm(client, console_code())
    assert resp.status_code == 302 and resp.headers["Location"] == "/account"
    db.session.refresh(user)
    assert user.phone == NEW
    assert ("update", "phone number changed with an SMS code") in audit(user.id)
    assert app.test_client().post("/login", data={"phone": "137 0000 0001", "password": "Huhang-2026"}).status_code == 302


def test_a_wrong_password_changes_nothing_and_costs_no_try_of_the_code(client, make_user, login, run_worker):
    user = make_user(phone=OLD)
    login(user)
    backends.SENT.clear()
    ask(client)
    run_worker()
    resp = confirm(client, console_code(), password="not-my-password")
    assert resp.status_code == 422 and "current password is wrong" in resp.get_data(as_text=True)
    assert db.session.scalar(select(VerificationCode.tries)) == 0
    assert confirm(client, console_code()).status_code == 302


def test_a_wrong_code_is_refused_and_five_end_the_change(client, make_user, login, run_worker):
    user = make_user(phone=OLD)
    login(user)
    backends.SENT.clear()
    ask(client)
    run_worker()
    code = console_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert confirm(client, wrong).status_code == 422
    assert client.get("/account/phone/confirm").headers["Location"] == "/account/phone"  # start again
    db.session.refresh(user)
    assert user.phone == OLD


def test_a_taken_number_gets_the_same_flow_and_is_refused_only_after_the_code(app, make_user, login, run_worker):
    user = make_user(phone=OLD)
    other = make_user(phone=NEW)
    answers = []
    for number in ("137 0000 0001", "136 0000 0002"):  # taken, free
        c = app.test_client()
        c.post("/login", data={"phone": "139 1234 5678", "password": "Huhang-2026"})
        resp = ask(c, number)
        page = c.get("/account/phone/confirm", headers=EN).get_data(as_text=True)
        answers.append((resp.status_code, resp.headers.get("Location"), masked(page)))
    assert answers[0] == answers[1]
    # The last request was for the free number; ask again for the taken one and enter its code.
    c = app.test_client()
    c.post("/login", data={"phone": "139 1234 5678", "password": "Huhang-2026"})
    backends.SENT.clear()
    ask(c)
    run_worker()
    resp = confirm(c, console_code())
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "belongs to another Huhang account" in body
    db.session.refresh(user)
    db.session.refresh(other)
    assert (user.phone, other.phone) == (OLD, NEW)
    assert ("deny", "phone change refused: number taken") in audit(user.id)


def test_ones_own_number_is_refused_at_once(client, make_user, login):
    login(make_user(phone=OLD))
    resp = ask(client, "139 1234 5678")
    assert resp.status_code == 422 and "already your mobile number" in resp.get_data(as_text=True)


def test_the_pages_answer_and_a_confirm_without_a_code_waiting_goes_back(client, make_user, login):
    login(make_user(phone=OLD))
    page = client.get("/account/phone", headers=EN).get_data(as_text=True)
    assert "139 1234 5678" in page and 'id="send-phone-code"' in page
    assert client.get("/account/phone/confirm").headers["Location"] == "/account/phone"


def test_the_code_goes_through_each_providers_sdk_with_the_phone_change_template(
        app, client, make_user, login, run_worker, sms_provider):
    user = make_user(phone=OLD)
    login(user)
    ask(client)
    run_worker()
    [req] = sms_provider.requests
    assert req["signed"] and req["template"] == "T-PHONE" and req["phone"] in ("13700000001", NEW)
    code = req["params"]["code"] if sms_provider.provider == "aliyun" else req["params"][0]
    assert confirm(client, code).status_code == 302
    db.session.refresh(user)
    assert user.phone == NEW
