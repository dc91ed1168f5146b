"""Logging out ends the session on the server; remember cookies; log out everywhere; password change."""
from volunteer.accounts.models import User
from volunteer.accounts.services import change_password
from volunteer.extensions import db


def log_in(client, user, remember=False):
    data = {"phone": user.phone, "password": "Huhang-2026"}
    if remember:
        data["remember"] = "y"
    resp = client.post("/login", data=data)
    assert resp.status_code == 302
    return resp


def cookies(client):
    return {c.key: c.value for c in client._cookies.values()}


def copy_of(client, app):
    """A second browser holding copies of client's cookies (a stolen cookie)."""
    other = app.test_client()
    for name, value in cookies(client).items():
        other.set_cookie(name, value)
    return other


def logged_in(client):
    return client.get("/inbox/").status_code == 200


def test_a_copied_session_cookie_stops_working_after_logout(client, app, make_user):
    log_in(client, make_user())
    stolen = copy_of(client, app)
    assert logged_in(stolen)
    client.post("/logout")
    assert not logged_in(stolen)


def test_logout_deletes_the_remember_cookie_and_a_copied_one_stops_working(client, app, make_user):
    log_in(client, make_user(), remember=True)
    remember = cookies(client)["remember_token"]
    resp = client.post("/logout")
    assert any(h.startswith("remember_token=;") for h in resp.headers.getlist("Set-Cookie"))
    assert "remember_token" not in cookies(client)
    assert not logged_in(client)
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    assert not logged_in(thief)


def test_the_remember_cookie_is_lax_and_http_only(client, make_user):
    resp = log_in(client, make_user(), remember=True)
    header = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_the_remember_cookie_alone_keeps_a_user_logged_in_until_logout(client, app, make_user):
    log_in(client, make_user(), remember=True)
    fresh = app.test_client()  # the browser was closed: only the remember cookie is left
    fresh.set_cookie("remember_token", cookies(client)["remember_token"])
    assert logged_in(fresh)


def test_log_out_everywhere_ends_every_session_of_the_user_only(client, app, make_user):
    user, other = make_user(), make_user()
    log_in(client, user)
    phone = app.test_client()
    log_in(phone, user, remember=True)
    bystander = app.test_client()
    log_in(bystander, other)
    page = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Log out everywhere" in page and 'action="/account/logout-everywhere"' in page
    resp = client.post("/account/logout-everywhere")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert not logged_in(client) and not logged_in(phone) and logged_in(bystander)
    remembered = app.test_client()
    remembered.set_cookie("remember_token", cookies(phone).get("remember_token", ""))
    assert not logged_in(remembered)


def test_the_account_page_is_in_the_navigation(client, make_user):
    log_in(client, make_user())
    assert 'href="/account"' in client.get("/").get_data(as_text=True)


def test_changing_the_password_ends_every_other_session(client, app, make_user):
    user = make_user()
    log_in(client, user)
    other = app.test_client()
    log_in(other, user, remember=True)
    with client.session_transaction() as s:
        keep = s["_user_id"].partition(":")[2]
    change_password(db.session.get(User, user.id), "New-secret-2026", keep_session=keep)
    assert logged_in(client) and not logged_in(other)


def test_api_tokens_keep_working_after_log_out_everywhere(client, make_user):
    from volunteer.api.services import issue_token

    user = make_user()
    _, token = issue_token(user, "script")
    log_in(client, user)
    client.post("/account/logout-everywhere")
    resp = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200


def test_changing_the_password_on_the_account_page_keeps_this_session_and_ends_the_others(client, app, make_user):
    user = make_user()
    log_in(client, user)
    other = app.test_client()
    log_in(other, user, remember=True)
    resp = client.post("/account/password", data={"current": "Huhang-2026", "password": "Sea-breeze-2026",
                                                  "confirm": "Sea-breeze-2026"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/account"
    assert logged_in(client) and not logged_in(other)
    fresh = app.test_client()
    assert fresh.post("/login", data={"phone": user.phone, "password": "Sea-breeze-2026"}).status_code == 302


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(client, app, make_user):
    user = make_user()
    log_in(client, user)
    wrong = client.post("/account/password", data={"current": "nope-nope-1", "password": "Sea-breeze-2026",
                                                   "confirm": "Sea-breeze-2026"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 422 and "current password is wrong" in wrong.get_data(as_text=True)
    weak = client.post("/account/password", data={"current": "Huhang-2026", "password": "Passw0rd",
                                                  "confirm": "Passw0rd"}, headers={"Accept-Language": "en"})
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)
    assert app.test_client().post("/login", data={"phone": user.phone, "password": "Huhang-2026"}).status_code == 302
