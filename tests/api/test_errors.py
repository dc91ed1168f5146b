"""Every error under /api/ is JSON in one format, in Chinese by default and English on request."""
import re

import pytest

from tests.conftest import make_test_app

CJK = re.compile(r"[\u4e00-\u9fff]")


def _check(resp, status, code):
    assert resp.status_code == status
    assert resp.mimetype == "application/json"
    err = resp.json["error"]
    assert err["code"] == code and err["message"]
    assert ("fields" in err) == (code == "invalid")
    return err["message"]


@pytest.mark.parametrize("method,path,status,code", [
    ("GET", "/api/v1/children/nope", 404, "not_found"),
    ("GET", "/api/v1/whatever/else", 404, "not_found"),
    ("PUT", "/api/v1/children", 405, "bad_request"),
    ("GET", "/api/v1/needs/1/status", 405, "bad_request"),
    ("POST", "/api/v1/tokens", 400, "bad_request"),
])
def test_errors_are_json_in_chinese_by_default_and_english_on_request(api, make_user, method, path, status,
                                                                     code):
    user = make_user(role="admin")
    zh = _check(api(user, method, path), status, code)
    assert CJK.search(zh), zh
    en = _check(api(user, method, path, headers={"Accept-Language": "en"}), status, code)
    assert not CJK.search(en) and en != zh


def test_405_lists_the_allowed_methods(api, make_user):
    resp = api(make_user(), "PUT", "/api/v1/children")
    assert set(resp.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_unauthorized_and_forbidden_and_invalid(api, client, make_user):
    _check(client.get("/api/v1/me"), 401, "unauthorized")
    assert client.get("/api/v1/unknown").status_code in (401, 404)
    volunteer = make_user()
    _check(api(volunteer, "POST", "/api/v1/children", json={}), 403, "forbidden")
    resp = api(make_user(role="admin"), "POST", "/api/v1/children", json={}, headers={"Accept-Language": "en"})
    _check(resp, 422, "invalid")
    assert resp.json["error"]["fields"]["name"] == "This field is required."


def test_html_pages_keep_their_html_errors(client):
    resp = client.get("/no/such/page")
    assert resp.status_code == 404 and resp.mimetype == "text/html"


def test_a_server_error_inside_the_api_is_json(api, make_user, monkeypatch):
    from volunteer.api import queries

    def boom(*a, **k):
        raise RuntimeError("kaput")

    monkeypatch.setattr(queries, "volunteers_for", boom)
    resp = api(make_user(role="admin"), "GET", "/api/v1/volunteers")
    _check(resp, 500, "server_error")
    assert "kaput" not in resp.get_data(as_text=True)


def test_rate_limit_per_token(migrated, database_url, redis_url, instance_dir, make_user):
    from volunteer.api.services import issue_token

    user = make_user()
    app = make_test_app(database_url, redis_url, instance_dir, API_RATE_LIMIT="3/minute")
    with app.app_context():
        c = app.test_client()
        h = {"Authorization": f"Bearer {issue_token(user, 'x')[1]}"}
        assert [c.get("/api/v1/me", headers=h).status_code for _ in range(3)] == [200, 200, 200]
        _check(c.get("/api/v1/me", headers=h), 429, "rate_limited")
        # Another token has its own allowance.
        h2 = {"Authorization": f"Bearer {issue_token(user, 'y')[1]}"}
        assert c.get("/api/v1/me", headers=h2).status_code == 200
