"""Sign-up: validation, normalisation, a code to the phone, no half-saved rows, welcome job queued."""
import re

import pytest
from sqlalchemy import func, select

from volunteer.accounts.models import SignupRequest, User
from volunteer.extensions import db
from volunteer.notifications import backends
from volunteer.notifications.models import Notification
from volunteer.tasks.models import JobRecord
from volunteer.volunteers.models import VolunteerProfile

GOOD = {"phone": "138 0013 8000", "name": "王小明", "email": "", "password": "huhang2026go",
        "confirm": "huhang2026go", "consent": "y"}


def users():
    return db.session.scalar(select(func.count(User.id)))


def sms_code(phone="+8613800138000"):
    """The code in the last SMS the console backend sent to phone."""
    texts = [title for channel, address, title, _ in backends.SENT if channel == "sms" and address == phone]
    return re.search(r"\d{6}", texts[-1]).group() if texts else None


def test_signup_sends_a_code_and_the_code_creates_the_account(client, run_worker):
    backends.SENT.clear()
    resp = client.post("/signup", data=GOOD)
    assert resp.status_code == 302 and resp.headers["Location"] == "/signup/confirm"
    assert users() == 0  # nothing until the phone's owner enters the code
    assert run_worker() == 1
    resp = client.post("/signup/confirm", data={"code": sms_code()})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/me/profile")
    user = db.session.scalar(select(User))
    assert user.phone == "+8613800138000" and user.role == "volunteer"
    assert user.password_hash != GOOD["password"] and "huhang2026go" not in user.password_hash
    assert db.session.get(VolunteerProfile, user.id) is not None
    job = db.session.scalar(select(JobRecord).where(JobRecord.kind == "welcome"))
    assert (job.status, job.owner_id) == ("queued", user.id)
    assert db.session.scalar(select(func.count(SignupRequest.id))) == 0
    assert client.post("/login", data={"phone": user.phone, "password": "huhang2026go"}).status_code == 302


def test_a_wrong_code_is_refused_and_five_wrong_codes_end_the_signup(client, run_worker):
    backends.SENT.clear()
    client.post("/signup", data=GOOD)
    run_worker()
    code = sms_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        resp = client.post("/signup/confirm", data={"code": wrong}, headers={"Accept-Language": "en"})
        assert resp.status_code == 422 and "wrong or has expired" in resp.get_data(as_text=True)
    assert client.post("/signup/confirm", data={"code": code}).status_code == 422
    assert users() == 0


@pytest.mark.parametrize("phone", ["+86 138-0013-8000", "8613800138000", "13800138000", "138 0013 8000"])
def test_a_registered_number_in_any_format_gets_the_same_answer_and_its_owner_is_told(
        client, make_user, run_worker, phone):
    owner = make_user(phone="+8613800138000")
    backends.SENT.clear()
    resp = client.post("/signup", data={**GOOD, "phone": phone}, headers={"Accept-Language": "en"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/signup/confirm"
    page = client.get("/signup/confirm", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "138 0013 8000" in page and "Enter the 6-digit code" in page
    assert users() == 1
    run_worker()
    note = db.session.scalar(select(Notification).where(Notification.user_id == owner.id))
    assert "tried to sign up with your mobile number" in note.title or "试图用您的手机号注册" in note.title
    assert sms_code() is None  # no code goes out: nobody can take over the number
@pytest.mark.parametrize("field,value,message", [
    ("phone", "12345", "valid mainland China mobile"),
    ("phone", "010 6552 9988", "not a landline"),
    ("phone", "+1 650 253 0000", "valid mainland China mobile"),
    ("phone", "call me", "not a phone number"),
    ("phone", "", "Enter a mobile number"),
    ("password", "12345678", "too easy"),
    ("password", "short1", "at least 8"),
    ("name", "", "Enter your name"),
    ("name", "小明😀", "no emoji"),
    ("name", "<script>alert(1)</script>", "markup"),
    ("name", "王" * 41, "at most 40"),
    ("email", "not-an-email", "valid email"),
])
def test_bad_input_gets_a_message_next_to_the_field_and_keeps_the_rest(client, field, value, message):
    data = {**GOOD, field: value}
    if field == "password":
        data["confirm"] = value
    resp = client.post("/signup", data=data, headers={"Accept-Language": "en"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in body
    assert 'class="field-error"' in body
    if field != "name":
        assert 'value="王小明"' in body  # the rest of the form is kept
    assert "<script>alert(1)</script>" not in body
    assert users() == 0


def test_messages_are_chinese_by_default(client):
    resp = client.post("/signup", data={**GOOD, "phone": "12345"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "请输入有效的中国大陆手机号" in body


def test_a_huge_field_is_refused_without_a_server_error(client):
    resp = client.post("/signup", data={**GOOD, "name": "王" * 100_000})
    assert resp.status_code in (413, 422)
    assert users() == 0


def test_duplicate_email_is_refused(client, make_user):
    make_user(email="a@example.org")
    resp = client.post("/signup", data={**GOOD, "email": "A@example.org"}, headers={"Accept-Language": "en"})
    assert resp.status_code == 422 and "email address is already registered" in resp.get_data(as_text=True)
