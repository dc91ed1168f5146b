"""Consent to the privacy notice: an explicit tick at sign-up, recorded with the account; a new version is
asked for at the next login, before anything else."""
import re

from sqlalchemy import func, select

from tests.accounts.test_signup import GOOD, sms_code
from volunteer.accounts.models import SignupRequest, User
from volunteer.extensions import db
from volunteer.notifications import backends
from volunteer.privacy.models import PrivacyConsent
from volunteer.privacy.services import consent_everyone, current, publish

EN = {"Accept-Language": "en"}


def consents(user_id):
    return db.session.execute(select(PrivacyConsent.via, PrivacyConsent.notice_id)
                              .where(PrivacyConsent.user_id == user_id).order_by(PrivacyConsent.id)).all()


def test_the_signup_box_is_not_ticked_and_the_notice_is_linked(client):
    page = client.get("/signup").get_data(as_text=True)
    box = re.search(r'<input[^>]*id="consent"[^>]*>', page).group()
    assert 'type="checkbox"' in box and "checked" not in box
    assert 'href="/privacy"' in page and "隐私政策" in page


def test_signing_up_without_the_tick_is_refused_and_keeps_nothing(client):
    resp = client.post("/signup", data={k: v for k, v in GOOD.items() if k != "consent"}, headers=EN)
    assert resp.status_code == 422 and "Tick the box to agree to the privacy notice" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SignupRequest.id))) == 0


def test_the_consent_is_recorded_with_the_account(client, run_worker):
    backends.SENT.clear()
    notice = current()
    assert client.post("/signup", data={**GOOD, "notice": notice.version}).status_code == 302
    assert db.session.scalar(select(SignupRequest.notice_id)) == notice.id
    run_worker()
    assert client.post("/signup/confirm", data={"code": sms_code()}).status_code == 302
    user = db.session.scalar(select(User))
    assert consents(user.id) == [("signup", notice.id)]


def test_a_form_showing_an_older_notice_asks_again(client):
    old = current()
    publish("2", "新版本", "New version")
    resp = client.post("/signup", data={**GOOD, "notice": old.version}, headers=EN)
    assert resp.status_code == 422 and "has just changed" in resp.get_data(as_text=True)


def test_a_new_version_is_asked_at_the_next_login_and_nothing_else_opens_until_accepted(client, make_user):
    user = make_user(phone="+8613912345678")
    v2 = publish("2", "第二版隐私政策", "Privacy notice, second version")
    resp = client.post("/login", data={"phone": "139 1234 5678", "password": "Huhang-2026"}, query_string={"next": "/inbox/"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/privacy/accept?next=/inbox/"
    for path in ("/", "/account", "/inbox/", "/me/profile"):
        assert client.get(path).headers["Location"].startswith("/privacy/accept"), path
    htmx = client.get("/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].startswith("/privacy/accept")
    assert client.get("/privacy").status_code == 200
    page = client.get("/privacy/accept", headers=EN).get_data(as_text=True)
    assert "Privacy notice, second version" in page and 'id="decline-logout"' in page
    assert 'href="/account/delete"' in page and client.get("/account/delete").status_code == 200  # refusing is easy
    resp = client.post("/privacy/accept?next=/inbox/", data={"version": "2"}, headers=EN)
    assert resp.status_code == 422 and "Tick the box" in resp.get_data(as_text=True)
    resp = client.post("/privacy/accept?next=/inbox/", data={"version": "2", "agree": "y"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/inbox/"
    assert consents(user.id)[-1] == ("login", v2.id)
    assert client.get("/").status_code == 200


def test_logging_out_stays_open_and_the_question_comes_back_at_the_next_login(client, make_user):
    make_user(phone="+8613912345678")
    publish("2", "第二版", "Second")
    client.post("/login", data={"phone": "139 1234 5678", "password": "Huhang-2026"})
    assert client.post("/logout").headers["Location"] == "/login"
    assert client.get("/").status_code in (200, 302) and "/privacy" not in client.get("/").headers.get("Location", "")
    resp = client.post("/login", data={"phone": "139 1234 5678", "password": "Huhang-2026"})
    assert resp.headers["Location"].startswith("/privacy/accept")


def test_a_user_who_agreed_to_the_current_version_is_not_asked(client, make_user):
    make_user(phone="+8613912345678")
    resp = client.post("/login", data={"phone": "139 1234 5678", "password": "Huhang-2026"})
    assert resp.headers["Location"] == "/"
    assert client.get("/privacy/accept").headers["Location"] == "/"


def test_a_user_who_never_agreed_is_asked(client, make_user):
    make_user(phone="+8613912345678", consent=False)
    resp = client.post("/login", data={"phone": "139 1234 5678", "password": "Huhang-2026"})
    assert resp.headers["Location"].startswith("/privacy/accept")


def test_coming_back_with_keep_me_logged_in_is_asked_too(app, client, make_user):
    make_user(phone="+8613912345678")
    client.post("/login", data={"phone": "139 1234 5678", "password": "Huhang-2026", "remember": "y"})
    publish("2", "第二版", "Second")
    client.delete_cookie("session")  # the browser was closed: only the remember cookie is left
    resp = client.get("/inbox/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/privacy/accept")


def test_accepting_a_version_that_is_no_longer_current_asks_again(client, make_user):
    user = make_user(phone="+8613912345678")
    publish("2", "第二版", "Second")
    client.post("/login", data={"phone": "139 1234 5678", "password": "Huhang-2026"})
    v3 = publish("3", "第三版", "Third")
    resp = client.post("/privacy/accept", data={"version": "2", "agree": "y"}, headers=EN)
    assert resp.status_code == 422 and "Third" in resp.get_data(as_text=True)
    assert consents(user.id)[-1][1] != v3.id


def test_the_demo_builder_records_consent_for_its_users_without_one(app, make_user):
    a = make_user(consent=False)
    b = make_user()
    real = make_user(consent=False)
    assert consent_everyone(select(User.id).where(User.id.in_([a.id, b.id]))) == 1
    assert consents(a.id) == [("signup", current().id)] and len(consents(b.id)) == 1 and consents(real.id) == []


def test_the_account_page_partial_lists_consents_newest_first(app, make_user):
    from flask import render_template
    from flask_login import login_user

    user = make_user()
    v2 = publish("2", "第二版", "Second")
    from volunteer.privacy.services import record_consent

    record_consent(user.id, v2.id, "login")
    with app.test_request_context("/account", headers=EN):
        login_user(user)
        html = render_template("accounts/_consents.html")
    versions = re.findall(r"Version (\d+)", html)
    assert versions == ["2", "1"] and "when logging in" in html and "when signing up" in html
    assert 'href="/privacy"' in html


def test_the_demo_people_have_agreed_and_log_in_without_the_question(app, client):
    from volunteer.demo.services import build

    built = build(small=True)
    volunteer = next(login for login in built["logins"] if login["role"] == "volunteer")
    resp = client.post("/login", data={"phone": volunteer["phone"], "password": built["password"]})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert db.session.scalar(select(func.count(PrivacyConsent.id))) == db.session.scalar(select(func.count(User.id)))
