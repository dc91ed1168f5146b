"""Weak passwords are refused at sign-up and by create-admin; the demo accounts keep theirs."""
import pytest
from sqlalchemy import func, select

from volunteer.accounts.models import User
from volunteer.accounts.passwords import common, weakness
from volunteer.extensions import db

FORM = {"phone": "138 0013 8000", "name": "王小明", "email": "", "consent": "y"}


def signup(client, password, **fields):
    data = {**FORM, **fields, "password": password, "confirm": password}
    return client.post("/signup", data=data, headers={"Accept-Language": "en"})


def test_the_shipped_list_holds_at_least_ten_thousand_common_passwords():
    assert len(common()) >= 10_000
    assert {"passw0rd", "abcdefgh", "qwertyuiop", "1234abcd"} <= common()


@pytest.mark.parametrize("password", ["Passw0rd", "abcdefgh", "qwertyuiop", "1234abcd", "huhang-demo-2019",
                                      "Qwertyuiop2026", "woaini1314"])
def test_common_passwords_are_refused_at_signup(client, password):
    resp = signup(client, password)
    assert resp.status_code == 422 and "too easy to guess" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


@pytest.mark.parametrize("password,message", [
    ("13800138000a", "mobile number"), ("a13800138000", "mobile number"), ("pw-00138000!", "mobile number"),
    ("wangxiaoming", "your name"), ("Xiaoming-88", "your name"), ("王小明2026ab", "your name"),
])
def test_passwords_built_from_the_phone_or_the_name_are_refused(client, password, message):
    resp = signup(client, password)
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)


@pytest.mark.parametrize("password", ["Huhang-2026", "huhang2026go", "qingdao-help-2026", "海边的风-2026"])
def test_uncommon_passwords_of_eight_characters_or_more_are_accepted(password):
    assert weakness(password, "+8613800138000", "王小明") is None


def test_short_passwords_are_refused():
    assert "8 characters" in str(weakness("Ab3$xyz"))


def test_create_admin_refuses_a_common_password(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--phone", "13800138000", "--name", "管理员",
                                                "--password", "Passw0rd"])
    assert result.exit_code != 0
    assert db.session.scalar(select(User)) is None


def test_demo_accounts_keep_logging_in_with_the_demo_password(client, make_user):
    from volunteer.demo.services import DEMO_PASSWORD

    user = make_user(password=DEMO_PASSWORD)
    resp = client.post("/login", data={"phone": user.phone, "password": DEMO_PASSWORD})
    assert resp.status_code == 302


def test_passwords_are_stored_with_scrypt_unless_configured_and_older_hashes_still_log_in(app, make_user, tmp_path,
                                                                                        monkeypatch):
    from werkzeug.security import generate_password_hash

    from volunteer.accounts.services import authenticate, hash_password
    from volunteer.config import Config

    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    assert Config(str(tmp_path)).PASSWORD_HASH_METHOD == "scrypt"  # production's default
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    assert hash_password("Huhang-2026").startswith("scrypt:")
    # A hash made with another method (the tests' cheap one, or a future default) keeps working.
    user = make_user(phone="+8613900001234")
    user.password_hash = generate_password_hash("Huhang-2026", method="pbkdf2:sha256:1000")
    db.session.commit()
    assert authenticate("+8613900001234", "Huhang-2026").id == user.id
