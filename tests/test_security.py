"""Security headers, CSRF on every state change (htmx included), cookies, and who may open what."""
import re

import pytest

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


# Every route of the app and what each role gets: a new route without an entry here fails the test.
ANON_REDIRECT, FORBIDDEN = 302, 403
EXPECTED = {
    # endpoint: (method, path, anonymous, volunteer, coordinator)
    "home.index": ("GET", "/", 200, 200, 200),
    "home.set_locale": ("POST", "/locale", 302, 302, 302),
    "accounts.signup": ("GET", "/signup", 200, 302, 302),
    "accounts.login": ("GET", "/login", 200, 302, 302),
    "accounts.logout": ("POST", "/logout", ANON_REDIRECT, 302, 302),
    "volunteers.profile": ("GET", "/me/profile", ANON_REDIRECT, 200, FORBIDDEN),
    "volunteers.towns": ("GET", "/divisions/towns?district=370212", ANON_REDIRECT, 200, 200),
    "volunteers.credentials": ("GET", "/coordinate/credentials", ANON_REDIRECT, FORBIDDEN, 200),
    "volunteers.decide": ("POST", "/coordinate/credentials/999", ANON_REDIRECT, FORBIDDEN, 400),
    "notifications.inbox": ("GET", "/inbox/", ANON_REDIRECT, 200, 200),
    "notifications.read": ("POST", "/inbox/999/read", ANON_REDIRECT, 404, 404),
    "tasks.status": ("GET", "/jobs/abc", ANON_REDIRECT, 404, 404),
    "health.healthz": ("GET", "/healthz", 503, 503, 503),
    "static": ("GET", "/static/css/app.css", 200, 200, 200),
}


def test_every_route_has_an_access_expectation(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED), "add the new route to EXPECTED with what each role may get"


@pytest.mark.parametrize("role_index,role", [(2, None), (3, "volunteer"), (4, "coordinator")])
def test_each_role_gets_the_expected_status_on_every_route(app, make_user, role_index, role):
    for endpoint, spec in EXPECTED.items():
        client = app.test_client()
        if role:
            user = make_user(role=role, scope_level="city" if role == "coordinator" else None)
            client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"})
        method, path = spec[0], spec[1]
        resp = client.open(path, method=method)
        assert resp.status_code == spec[role_index], f"{role or 'anonymous'} {method} {path}"
