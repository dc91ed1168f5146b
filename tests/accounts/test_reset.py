"""Password reset by a code sent by SMS: the same answer for every number, 6 digits, 10 minutes, 5 tries,
once; every session ends; through the console backend and through both providers' SDKs."""
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from tests.notifications.sms_stub import sms_provider  # noqa: F401 (fixture)
from volunteer.accounts.models import User, VerificationCode
from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.notifications import backends
from volunteer.notifications.models import Notification
from volunteer.types import utcnow

PHONE = "+8613912345678"
NEW = "qingdao-spring-77"


def console_code(phone=PHONE):
    """The code in the last SMS the console backend sent to phone."""
    texts = [title for channel, address, title, _ in backends.SENT if channel == "sms" and address == phone]
    return re.search(r"\d{6}", texts[-1]).group() if texts else None


def forgot(client, number="139 1234 5678", **kw):
    return client.post("/password/forgot", data={"phone": number}, headers={"Accept-Language": "en"}, **kw)


def reset(client, code, password=NEW, confirm=None):
    return client.post("/password/reset", data={"code": code, "password": password, "confirm": confirm or password},
                       headers={"Accept-Language": "en"})


def logs_in(app, password, phone="139 1234 5678"):
    return app.test_client().post("/login", data={"phone": phone, "password": password}).status_code == 302


def masked(page: str) -> str:
    page = re.sub(r'"X-CSRFToken": "[^"]*"|name="csrf_token"[^>]*>', "", page)
    return page.replace("139 1234 5678", "N").replace("137 0000 0001", "N")


def test_the_login_page_links_to_the_forgotten_password_page(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "忘记密码？" in page


def test_registered_and_unregistered_numbers_get_the_same_answer_and_only_an_account_gets_a_code(
        app, make_user, run_worker):
    make_user(phone=PHONE)
    backends.SENT.clear()
    answers = []
    for number in ("139 1234 5678", "137 0000 0001"):
        c = app.test_client()
        resp = forgot(c, number)
        page = c.get("/password/reset", headers={"Accept-Language": "en"}).get_data(as_text=True)
        answers.append((resp.status_code, resp.headers["Location"], masked(page)))
    assert answers[0] == answers[1] and answers[0][:2] == (302, "/password/reset")
    assert "If N has a Huhang account" in answers[0][2]
    rows = db.session.scalars(select(VerificationCode).order_by(VerificationCode.id)).all()
    assert [(r.purpose, r.user_id is not None) for r in rows] == [("reset", True), ("reset", False)]
    assert run_worker() == 2
    assert [a for c, a, *_ in backends.SENT if c == "sms"] == [PHONE]


def test_asking_costs_the_same_work_for_a_registered_and_an_unregistered_number(app, make_user):
    make_user(phone=PHONE)
    counts = []
    for number in ("139 1234 5678", "137 0000 0001"):
        statements = []
        listener = lambda *args: statements.append(args[2].split()[0])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            forgot(app.test_client(), number)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(statements)
    assert counts[0] == counts[1]  # no early return: the same statements in the same order


def test_the_code_sets_a_new_password_and_ends_every_session(app, client, make_user, login, run_worker):
    user = make_user(phone=PHONE)
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"phone": "139 1234 5678", "password": "Huhang-2026", "remember": "y"})
    assert elsewhere.get("/account").status_code == 200
    backends.SENT.clear()
    assert forgot(client).status_code == 302
    run_worker()
    resp = reset(client, console_code())
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert elsewhere.get("/account").status_code == 302  # logged out there too, remember cookie or not
    assert not logs_in(app, "Huhang-2026") and logs_in(app, NEW)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == user.id,
                                                       AuditEntry.collection == "user"))
    assert entry.action == "update" and "reset" in entry.reason
    note = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert "重置" in note.title or "reset" in note.title


def test_a_code_works_once(app, client, make_user, run_worker):
    make_user(phone=PHONE)
    backends.SENT.clear()
    forgot(client)
    run_worker()
    code = console_code()
    assert reset(client, code).status_code == 302
    forgot(client)  # the page is there again, but the used code is not
    resp = reset(client, code, password="another-pass-99")
    assert resp.status_code == 422 and "wrong or has expired" in resp.get_data(as_text=True)
    assert logs_in(app, NEW)


def test_a_code_expires_after_ten_minutes(app, client, make_user, run_worker):
    make_user(phone=PHONE)
    backends.SENT.clear()
    forgot(client)
    run_worker()
    vc = db.session.scalar(select(VerificationCode))
    assert timedelta(minutes=9) < vc.expires_at - vc.created_at <= timedelta(minutes=10)
    db.session.execute(update(VerificationCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert reset(client, console_code()).status_code == 422
    assert logs_in(app, "Huhang-2026")


def test_five_wrong_tries_void_the_code(app, client, make_user, run_worker):
    make_user(phone=PHONE)
    backends.SENT.clear()
    forgot(client)
    run_worker()
    code = console_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert reset(client, wrong).status_code == 422
    assert reset(client, code).status_code == 422
    assert db.session.scalar(select(VerificationCode.tries)) == 5
    assert logs_in(app, "Huhang-2026")


def test_a_new_code_voids_the_earlier_one(app, client, make_user, run_worker):
    make_user(phone=PHONE)
    backends.SENT.clear()
    forgot(client)
    run_worker()
    first = console_code()
    forgot(client)
    run_worker()
    second = console_code()
    if first != second:
        assert reset(client, first).status_code == 422
    assert reset(client, second).status_code == 302


def test_a_weak_password_is_refused_and_the_code_still_works(app, client, make_user, run_worker):
    make_user(phone=PHONE, name="王小明")
    backends.SENT.clear()
    forgot(client)
    run_worker()
    code = console_code()
    resp = reset(client, code, password="13912345678a")
    assert resp.status_code == 422 and "mobile number" in resp.get_data(as_text=True)
    resp = reset(client, code, password="wangxiaoming1")
    assert resp.status_code == 422 and "your name" in resp.get_data(as_text=True)
    assert reset(client, code).status_code == 302


def test_nothing_secret_is_logged_or_kept(app, client, make_user, run_worker, caplog):
    user = make_user(phone=PHONE)
    backends.SENT.clear()
    caplog.set_level(logging.DEBUG)
    forgot(client)
    run_worker()
    code = console_code()
    reset(client, code)
    assert code not in caplog.text and NEW not in caplog.text
    vc = db.session.scalar(select(VerificationCode))
    assert code not in vc.code_hash and len(vc.code_hash) == 64 and vc.used_at is not None
    reasons = db.session.scalars(select(AuditEntry.reason).where(AuditEntry.object_id == user.id)).all()
    assert not any(code in r or NEW in r for r in reasons)


def test_a_logged_in_user_is_sent_to_the_account_page_and_a_reset_without_a_code_asked_back(client, make_user, login):
    assert client.get("/password/reset").headers["Location"] == "/password/forgot"
    login(make_user(phone=PHONE))
    assert client.get("/password/forgot").headers["Location"] == "/account"


def test_asking_is_rate_limited_per_number_and_per_address(app):
    one = app.test_client()
    codes = [forgot(one, "137 0000 0001", environ_base={"REMOTE_ADDR": f"10.6.0.{i}"}).status_code
             for i in range(4)]
    assert codes == [302, 302, 302, 429]
    many = app.test_client()
    codes = [forgot(many, f"138 0000 {i:04d}").status_code for i in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429


def test_the_reset_goes_through_each_providers_sdk_signed_with_its_template(app, client, make_user, run_worker,
                                                                           sms_provider):
    make_user(phone=PHONE)
    forgot(client)
    forgot(app.test_client(), "137 0000 0001")  # no account: nothing reaches the provider
    run_worker()
    [req] = sms_provider.requests
    assert req["signed"] and req["template"] == "T-RESET" and req["sign_name"] == "护航"
    code = req["params"]["code"] if sms_provider.provider == "aliyun" else req["params"][0]
    assert re.fullmatch(r"\d{6}", code)
    assert req["phone"] in ("13912345678", PHONE)
    assert reset(client, code).status_code == 302
    assert logs_in(app, NEW)
    forgot(client)
    assert reset(client, code).status_code == 422  # once


@pytest.mark.parametrize("tries", [5])
def test_tries_count_through_a_provider_too(app, client, make_user, run_worker, sms_provider, tries):
    make_user(phone=PHONE)
    forgot(client)
    run_worker()
    req = sms_provider.requests[-1]
    code = req["params"]["code"] if sms_provider.provider == "aliyun" else req["params"][0]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(tries):
        reset(client, wrong)
    assert reset(client, code).status_code == 422
