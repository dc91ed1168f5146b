"""Sign-up: validation, normalisation, no half-saved rows, welcome job queued."""
import pytest
from sqlalchemy import func, select

from volunteer.accounts.models import User
from volunteer.extensions import db
from volunteer.tasks.models import JobRecord
from volunteer.volunteers.models import VolunteerProfile

GOOD = {"phone": "138 0013 8000", "name": "王小明", "email": "", "password": "huhang2026go",
        "confirm": "huhang2026go"}


def users():
    return db.session.scalar(select(func.count(User.id)))


def test_signup_normalises_phone_creates_profile_and_queues_welcome(client):
    resp = client.post("/signup", data=GOOD)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/me/profile")
    user = db.session.scalar(select(User))
    assert user.phone == "+8613800138000" and user.role == "volunteer"
    assert user.password_hash != GOOD["password"] and "huhang2026go" not in user.password_hash
    assert db.session.get(VolunteerProfile, user.id) is not None
    job = db.session.scalar(select(JobRecord))
    assert (job.kind, job.status, job.owner_id) == ("welcome", "queued", user.id)


@pytest.mark.parametrize("phone", ["+86 138-0013-8000", "8613800138000", "13800138000", "138 0013 8000"])
def test_the_same_mobile_in_any_format_is_a_duplicate(client, make_user, phone):
    make_user(phone="+8613800138000")
    resp = client.post("/signup", data={**GOOD, "phone": phone}, headers={"Accept-Language": "en"})
    assert resp.status_code == 422
    assert "already registered" in resp.get_data(as_text=True)
    assert users() == 1


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
