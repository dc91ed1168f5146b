"""Login, logout, session renewal and rate limits."""
from volunteer.accounts.models import User
from volunteer.extensions import db


def test_login_with_any_phone_format_lands_home(client, make_user):
    make_user(phone="+8613912345678", name="李华")
    resp = client.post("/login", data={"phone": "139-1234-5678", "password": "Huhang-2026"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert "李华" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_one_message(client, make_user):
    make_user(phone="+8613912345678")
    resp = client.post("/login", data={"phone": "13912345678", "password": "wrong-pass"},
                       headers={"Accept-Language": "en"})
    assert resp.status_code == 401
    assert "Wrong mobile number or password" in resp.get_data(as_text=True)
    unknown = client.post("/login", data={"phone": "13700000000", "password": "wrong-pass"},
                          headers={"Accept-Language": "en"})
    assert unknown.status_code == 401 and "Wrong mobile number or password" in unknown.get_data(as_text=True)


def test_login_starts_a_new_session(client, make_user):
    user = make_user()
    with client.session_transaction() as s:
        s["planted"] = "by-an-attacker"
    client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"})
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["_user_id"].partition(":")[0] == str(user.id)  # the user and its server-side session


def test_inactive_user_cannot_log_in(client, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    assert client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"}).status_code == 401


def test_logout_ends_the_session(client, make_user, login):
    login(make_user())
    assert client.post("/logout").status_code == 302
    assert client.get("/inbox/").status_code == 302  # back to login


def test_logins_are_limited_per_account(client, make_user, app):
    user = make_user(phone="+8613912345678")
    codes = [client.post("/login", data={"phone": "13912345678", "password": "bad-guess"},
                         headers={"Accept-Language": "en"}).status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    resp = client.post("/login", data={"phone": "13912345678", "password": "Huhang-2026"},
                       headers={"Accept-Language": "en"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 429 and "Too many attempts" in body
    assert 'value="13912345678"' in body  # the form keeps the number
    # Another account from the same address is not locked by this one.
    other = make_user(phone="+8613700000001")
    assert client.post("/login", data={"phone": other.phone, "password": "Huhang-2026"}).status_code == 302
    assert db.session.get(User, user.id).last_login_at is None


def test_logins_are_limited_per_address(client, make_user, app):
    app.config["LOGIN_RATE_PER_ADDRESS"] = "3/minute"
    for i in range(3):
        client.post("/login", data={"phone": f"1370000000{i}", "password": "bad-guess"})
    assert client.post("/login", data={"phone": "13700000009", "password": "bad-guess"}).status_code == 429
    other = client.application.test_client()
    resp = other.post("/login", data={"phone": "13700000008", "password": "bad-guess"},
                      environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert resp.status_code == 401


def test_next_parameter_cannot_redirect_off_site(client, make_user):
    user = make_user()
    resp = client.post("/login?next=//evil.example/x", data={"phone": user.phone, "password": "Huhang-2026"})
    assert resp.headers["Location"] == "/"
