"""Token lifecycle: issue, use, revoke; made-up tokens and the session cookie never work."""
import hashlib
import re
from datetime import timedelta

from volunteer.api import services
from volunteer.api.models import ApiToken
from volunteer.extensions import db


def test_a_token_works_until_it_is_revoked(app, client, make_user):
    user = make_user(role="coordinator", scope_level="city")
    token, plaintext = services.issue_token(user, "报表脚本")
    assert re.fullmatch(r"hh_[A-Za-z0-9_-]{43}", plaintext)
    # Only the hash and a short prefix are stored.
    row = db.session.get(ApiToken, token.id)
    assert row.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext.startswith(row.prefix) and len(row.prefix) < 16
    assert plaintext not in repr([getattr(row, c.key) for c in ApiToken.__table__.columns])

    headers = {"Authorization": f"Bearer {plaintext}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["id"] == user.id and me.json["role"] == "coordinator"

    services.revoke_token(user, token.id)
    resp = client.get("/api/v1/me", headers=headers)
    assert resp.status_code == 401 and resp.json["error"]["code"] == "unauthorized"
    assert "fields" not in resp.json["error"]


def test_made_up_tokens_and_other_schemes_get_401(client, make_user):
    make_user()
    for header in ("Bearer hh_" + "A" * 43, "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer ", ""):
        resp = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
        assert resp.status_code == 401, header
        assert resp.json["error"]["code"] == "unauthorized"
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_session_cookie_alone_gets_401(client, make_user, login):
    user = make_user(role="admin")
    login(user)
    assert client.get("/account/tokens").status_code == 200  # the session itself works
    for path in ("/api/v1/me", "/api/v1/children", "/api/v1/tokens"):
        assert client.get(path).status_code == 401, path
    # ...and with a token, the token's user is the caller, not the session's.
    other = make_user(role="volunteer")
    _, plaintext = services.issue_token(other, "x")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).json["id"] == other.id


def test_inactive_users_tokens_stop_working(client, make_user):
    user = make_user()
    _, plaintext = services.issue_token(user, "x")
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 401


def test_last_used_is_updated_at_most_once_a_minute(client, make_user):
    user = make_user()
    token, plaintext = services.issue_token(user, "x")
    headers = {"Authorization": f"Bearer {plaintext}"}
    client.get("/api/v1/me", headers=headers)
    db.session.expire_all()
    first = db.session.get(ApiToken, token.id).last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=headers)
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at == first
    row = db.session.get(ApiToken, token.id)
    row.last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    client.get("/api/v1/me", headers=headers)
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at > first - timedelta(minutes=1)


def test_tokens_through_the_api(api, make_user):
    user, stranger, admin = make_user(), make_user(), make_user(role="admin")
    created = api(user, "POST", "/api/v1/tokens", json={"name": "同步"})
    assert created.status_code == 201 and created.json["plaintext"].startswith("hh_")
    new_id = created.json["token"]["id"]
    listed = api(user, "GET", "/api/v1/tokens").json["items"]
    assert new_id in [t["id"] for t in listed]
    assert all("token_hash" not in t and "plaintext" not in t for t in listed)
    bad = api(user, "POST", "/api/v1/tokens", json={"name": ""})
    assert bad.status_code == 422 and "name" in bad.json["error"]["fields"]
    # Nobody else's tokens: the same 404 as a missing one; admins may revoke any.
    assert api(stranger, "DELETE", f"/api/v1/tokens/{new_id}").json == \
        api(stranger, "DELETE", "/api/v1/tokens/999999").json
    assert api(stranger, "DELETE", f"/api/v1/tokens/{new_id}").status_code == 404
    assert api(admin, "DELETE", f"/api/v1/tokens/{new_id}").status_code == 204
    headers = {"Authorization": "Bearer " + created.json["plaintext"]}
    assert api(None, "GET", "/api/v1/me", headers=headers).status_code == 401


def test_token_page_shows_the_plaintext_once_and_revokes(client, make_user, login):
    user = make_user()
    login(user)
    resp = client.post("/account/tokens", data={"name": "我的脚本"})
    assert resp.status_code == 201
    plaintext = re.search(r"hh_[A-Za-z0-9_-]{43}", resp.get_data(as_text=True)).group(0)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "我的脚本" in page and plaintext not in page and plaintext[:10] in page
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 200
    token_id = db.session.query(ApiToken.id).filter_by(user_id=user.id).scalar()
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 401
    assert client.post("/account/tokens", data={"name": "<b>"}).status_code == 422


def test_token_page_needs_csrf(migrated, database_url, redis_url, instance_dir, make_user):
    from tests.conftest import make_test_app

    user = make_user()
    app = make_test_app(database_url, redis_url, instance_dir, WTF_CSRF_ENABLED=True)
    with app.app_context():
        c = app.test_client()
        body = c.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
        c.post("/login", data={"phone": user.phone, "password": "Huhang-2026", "csrf_token": csrf})
        assert c.post("/account/tokens", data={"name": "x"}).status_code == 400
        page = c.get("/account/tokens").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert c.post("/account/tokens", data={"name": "x", "csrf_token": csrf}).status_code == 201


def test_a_user_holds_at_most_ten_live_tokens_with_a_clear_message_in_the_api_and_on_the_page(
        client, make_user, login):
    user = make_user()
    _, plaintext = services.issue_token(user, "first")
    headers = {"Authorization": f"Bearer {plaintext}", "Accept-Language": "en"}
    made = [client.post("/api/v1/tokens", json={"name": f"t{n}"}, headers=headers) for n in range(9)]
    assert [r.status_code for r in made] == [201] * 9
    refused = client.post("/api/v1/tokens", json={"name": "eleventh"}, headers=headers)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"
    assert "10 tokens" in refused.json["error"]["message"] and "Revoke one" in refused.json["error"]["message"]
    login(user)
    page = client.post("/account/tokens", data={"name": "eleventh"}, headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 409 and "已达上限。请先撤销一个" in page.get_data(as_text=True)
    assert 'id="token-name"' not in page.get_data(as_text=True)  # no form to fill in while at the limit
    assert db.session.query(ApiToken).filter_by(user_id=user.id).count() == 10
    # Revoking one makes room for one more.
    services.revoke_token(user, made[0].json["token"]["id"])
    assert client.post("/account/tokens", data={"name": "eleventh"}).status_code == 201
    assert client.post("/api/v1/tokens", json={"name": "twelfth"}, headers=headers).status_code == 409
