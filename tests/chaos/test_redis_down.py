"""While Redis is down, pages, login and the API keep working; /healthz says 503."""
from volunteer.api.services import issue_token


def test_login_pages_and_api_answer_while_redis_is_killed(app, client, make_user, redis_server):
    user = make_user(role="coordinator", phone="+8613912345678")
    token = issue_token(user, "chaos")[1]
    redis_server.kill()

    assert client.get("/login").status_code == 200
    wrong = client.post("/login", data={"phone": "13912345678", "password": "not-the-password"})
    assert wrong.status_code == 401
    resp = client.post("/login", data={"phone": "13912345678", "password": "Huhang-2026"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    api = client.get("/api/v1/children", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200, api.get_data(as_text=True)[:300]
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["redis"]["ok"] is False


def test_rate_limits_still_count_in_memory_while_redis_is_down(app, client, make_user, redis_server):
    make_user(phone="+8613912345678")
    redis_server.kill()
    codes = [client.post("/login", data={"phone": "13912345678", "password": "bad-guess"}).status_code
             for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
