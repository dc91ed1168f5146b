"""Security headers, CSRF on every state change (htmx included), cookies, and who may open what."""
import re

import pytest

from tests.routes import ROLES, expected, status_for

from tests.conftest import make_test_app


def test_csp_needs_neither_unsafe_inline_nor_unsafe_eval(client):
    resp = client.get("/signup")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    body = resp.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body), "inline script found"
    assert " style=" not in body and "hx-on" not in body
    assert "//cdn" not in body and "unpkg.com" not in body


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    user = make_user()
    resp = client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"})
    cookie = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def csrf_client(migrated, database_url, redis_url, instance_dir):
    app = make_test_app(database_url, redis_url, instance_dir, WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app.test_client()


def _token(client, path="/signup"):
    body = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)


def test_a_post_without_csrf_token_is_refused_with_a_clear_message(csrf_client):
    resp = csrf_client.post("/signup", data={"phone": "13800138000"}, headers={"Accept-Language": "en"})
    assert resp.status_code == 400 and "reload the page" in resp.get_data(as_text=True)


def test_htmx_requests_pass_csrf_with_the_header_from_the_body(csrf_client):
    body = csrf_client.get("/signup").get_data(as_text=True)
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', body).group(1)
    ok = csrf_client.post("/locale", data={"locale": "en"}, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert ok.status_code == 302
    bad = csrf_client.post("/locale", data={"locale": "en"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400


def test_every_route_has_an_access_expectation(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    listed = set(expected())
    assert endpoints - listed == set(), "add the new routes to a module in tests/routes/"
    assert listed - endpoints == set(), "tests/routes/ lists routes the app does not have"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_on_every_route(app, role, world):
    client = app.test_client()
    if role != "anonymous":
        client.post("/login", data={"phone": world["users"][role].phone, "password": "Huhang-2026"})
    # One session per role (logins are rate limited); logging out comes last.
    for endpoint, spec in sorted(expected().items(), key=lambda kv: (kv[0].startswith("accounts.logout"), kv[0])):
        method, path, _ = spec
        resp = client.open(path.format(**world["ids"]), method=method)
        assert resp.status_code == status_for(spec, role), f"{role} {method} {path} ({endpoint})"
