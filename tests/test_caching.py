"""No dynamic answer may be stored by a browser or proxy (they carry personal data); static files may."""
import pytest

from tests.routes import expected


def _walk(client, ids, headers=None):
    """(endpoint, response) for every listed route with real ids, logging out last."""
    for endpoint, (method, path, _) in sorted(expected().items(),
                                              key=lambda kv: (kv[0] == "accounts.logout", kv[0])):
        yield endpoint, client.open(path.format(**ids), method=method, headers=headers or {})


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "org_admin", "coordinator", "admin"])
def test_every_dynamic_answer_says_no_store_and_static_files_stay_cacheable(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        client.post("/login", data={"phone": world["users"][role].phone, "password": "Huhang-2026"})
    headers = {"Authorization": f"Bearer {_token(world['users'][role])}"} if role != "anonymous" else {}
    stored = []
    for endpoint, resp in _walk(client, world["ids"], headers):
        cache = resp.headers.get("Cache-Control", "")
        if endpoint == "static" or getattr(app.view_functions[endpoint], "cacheable", False):  # public data
            assert "no-store" not in cache, cache
        elif "no-store" not in cache:
            stored.append(f"{endpoint} {resp.status_code} {cache!r}")
    assert stored == []


def _token(user):
    from volunteer.api.services import issue_token

    return issue_token(user, "cache")[1]


def test_the_child_page_its_fragments_its_api_record_and_the_stats_csv_say_no_store(app, world):
    coordinator = world["users"]["coordinator"]
    client = app.test_client()
    client.post("/login", data={"phone": coordinator.phone, "password": "Huhang-2026"})
    ref = world["child"].ref
    answers = {
        "page": client.get(f"/children/{ref}"),
        "fragment": client.get(f"/children/{ref}", headers={"HX-Request": "true"}),
        "viewers": client.get(f"/children/{ref}/viewers", headers={"HX-Request": "true"}),
        "api": client.get(f"/api/v1/children/{ref}", headers={"Authorization": f"Bearer {_token(coordinator)}"}),
        "stats csv": client.get("/stats?format=csv"),
        "missing": client.get("/children/nobody"),
    }
    for name, resp in answers.items():
        assert resp.status_code in (200, 404), name
        assert resp.headers.get("Cache-Control") == "no-store", name
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
