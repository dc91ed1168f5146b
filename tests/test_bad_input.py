"""Bad numbers and deep JSON, anywhere and from any role, answer 404 or 422 in the usual shape, never a 5xx."""
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from tests.conftest import make_test_app

HUGE = "99999999999999999999"
# Beyond 32 and 64 bits, zero, negative, not a number, and longer than Python's int() accepts.
NASTY_TEXT = [HUGE, str(2**63), str(2**31), "-1", "0", "abc", "1e3", "١٢", "9" * 5000]
NASTY = st.one_of(st.sampled_from(NASTY_TEXT), st.integers().map(str), st.text(max_size=6))
QUERY = ("page", "per_page", "km", "need_id", "kind_id", "hub_id", "to_hub_id", "campaign_id", "event_id", "event",
         "visit_id", "offer_id", "volunteer_id", "user_id", "org_id", "team_id", "capacity", "qty", "radius_km",
         "lat", "lon", "start", "end", "district", "town", "q", "show", "status", "format", "keep", "volunteers",
         "kind_ids")
SKIP = {"accounts.logout", "health.healthz"}  # logs the session out; reports the absent worker with a 503
ROLES = ("anonymous", "volunteer", "coordinator", "admin", "org_admin", "donor")
DEEP = "[" * 2000 + "]" * 2000


@pytest.fixture
def walker(migrated, database_url, redis_url, instance_dir, world, make_user, make_org):
    """A test client per role (session and API token), on an app without rate limits."""
    from volunteer.api.services import issue_token

    from volunteer.extensions import db
    from volunteer.logistics import services as logistics

    unit = make_org(kind="caring_unit")
    hub = logistics.create_hub("沙子口街道枢纽", "town", "370212002", 36.1102, 120.5400)
    kind = logistics.create_kind("bag", "书包文具礼包", "school_bag", "书包、文具盒、笔记本", min_grade=1, max_grade=9)
    db.session.commit()
    real = [str(v) for v in (*world["ids"].values(), hub.id, kind.id)]
    users = {**world["users"], "donor": make_user(role="org_admin", organisation_id=unit.id)}
    app = make_test_app(database_url, redis_url, instance_dir, RATELIMIT_ENABLED=False)
    with app.app_context():
        clients = {}
        for role in ROLES:
            client = app.test_client()
            headers = {}
            if role != "anonymous":
                resp = client.post("/login", data={"phone": users[role].phone, "password": "Huhang-2026"})
                assert resp.status_code == 302, role
                headers = {"Authorization": f"Bearer {issue_token(users[role], 'walk')[1]}"}
            clients[role] = (client, headers)
        rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP]
        yield app, rules, clients, st.one_of(NASTY, st.sampled_from(real))


def _fill(rule, draw):
    """The rule's path with each argument replaced by a drawn value (a nasty one or a real object's id)."""
    path = rule.rule
    for name in rule.arguments:
        value = quote(draw(), safe="")
        for token in (f"<{name}>", f"<int:{name}>", f"<path:{name}>"):
            path = path.replace(token, value)
    return path


def _problems(rule, method, resp):
    """What is wrong with one answer: a 5xx, or an error not in the usual shape."""
    where = f"{method} {resp.request.path}?{resp.request.query_string[:80]!r} -> {resp.status_code}"
    if resp.status_code >= 500:
        return [where]
    if resp.status_code >= 400 and rule.rule.startswith("/api/"):
        err = (resp.get_json(silent=True) or {}).get("error") or {}
        if not (err.get("code") and err.get("message")) or (resp.status_code == 422) != ("fields" in err):
            return [where + " (not the API's error shape)"]
    return []


@pytest.mark.parametrize("role", ROLES)
# No shrinking: one walk is hundreds of requests, and the failures listed say enough.
@settings(max_examples=2, deadline=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.large_base_example, HealthCheck.too_slow,
    HealthCheck.data_too_large])
@given(data=st.data())
def test_no_route_answers_5xx_to_bad_numbers_in_path_query_or_form(walker, role, data):
    app, rules, clients, path_values = walker
    client, headers = clients[role]
    draw = data.draw
    query = {name: draw(NASTY) for name in QUERY}
    body = {name: draw(st.one_of(st.integers(), NASTY)) for name in QUERY}
    problems = []
    for rule in rules:
        path = _fill(rule, lambda: draw(path_values))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            kwargs = {"query_string": query, "headers": headers}
            if method != "GET" and rule.rule.startswith("/api/"):
                kwargs["json"] = body
            elif method != "GET":
                kwargs["data"] = query
            resp = client.open(path, method=method, **kwargs)
            problems += _problems(rule, method, resp)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_json_nested_2000_deep_is_refused_with_422_on_every_api_route_that_reads_a_body(walker, role, world):
    app, rules, clients, _ = walker
    client, headers = clients[role]
    ids = {"ref": world["child"].ref, "need_id": world["ids"]["need"]}
    problems = []
    for rule in rules:
        if not rule.rule.startswith("/api/") or not rule.methods & {"POST", "PATCH"}:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", str(ids.get(name, 1))).replace(f"<int:{name}>", str(ids.get(name, 1)))
        for method in sorted(rule.methods & {"POST", "PATCH"}):
            resp = client.open(path, method=method, data=DEEP, headers={**headers, "Content-Type": "application/json"})
            problems += _problems(rule, method, resp)
            if resp.status_code not in (403, 404, 409, 422):
                problems.append(f"{method} {path} -> {resp.status_code}")
    assert problems == []


def test_the_numbers_named_in_the_report_answer_404_or_422(walker, world):
    app, rules, clients, _ = walker
    client, headers = clients["admin"]
    api = client.get(f"/api/v1/children?page={HUGE}", headers=headers)
    assert api.status_code == 422 and "page" in api.json["error"]["fields"]
    for path in (f"/visits/{HUGE}", f"/needs/{HUGE}/edit", f"/api/v1/visits/{HUGE}", f"/api/v1/needs/{HUGE}"):
        assert client.get(path, headers=headers).status_code == 404, path
    assert client.post(f"/offers/{HUGE}/decide", data={"decision": "accept"}).status_code == 404
    assert client.post(f"/near/needs/{HUGE}/offer").status_code == 404
    assert client.get(f"/visits/{2**63}").status_code == 404
    assert client.get(f"/children?page={HUGE}").status_code in (200, 422)
    created = client.post("/api/v1/visits", headers=headers, json={"need_id": int(HUGE), "volunteer_ids": [int(HUGE)]})
    assert created.status_code in (404, 422), created.get_data(as_text=True)[:300]
    assert json.loads(created.get_data(as_text=True))["error"]["code"] in ("not_found", "invalid")
