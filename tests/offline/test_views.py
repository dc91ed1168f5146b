"""The installable app's routes: the manifest, the service worker, the offline page, the visits a helper's
phone keeps, the late actions (once per Idempotency-Key), and logging out clearing the phone."""
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.offline.models import IdempotencyKey
from volunteer.types import utcnow
from volunteer.validation import display_phone
from volunteer.visits import answers, services
from volunteer.visits.models import Visit, VisitReport

from tests.visits.conftest import HOME, window
from .test_delayed import _accepted

KEY, KEY2 = "0d7c1f5e-8b3a-4e2d-9f6c-1a2b3c4d5e6f", "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"


@pytest.fixture(autouse=True)
def private_instance(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


def _as(app, user):
    c = app.test_client()
    assert c.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"}).status_code == 302
    return c


def test_the_manifest_makes_the_app_installable_in_chinese(client):
    resp = client.get("/manifest.webmanifest")
    assert resp.status_code == 200 and resp.mimetype == "application/manifest+json"
    m = json.loads(resp.get_data(as_text=True))
    assert (m["name"], m["short_name"], m["lang"], m["start_url"], m["display"]) == ("护航", "护航", "zh-CN", "/",
                                                                                      "standalone")
    assert m["theme_color"] == "#0f766e"  # --primary of the design tokens
    sizes = {(i["sizes"], i["purpose"]) for i in m["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in m["icons"]:
        assert client.get(icon["src"]).status_code == 200 and icon["src"].endswith(".png")


def test_the_worker_is_served_from_the_root_and_precaches_the_fingerprinted_shell(client):
    resp = client.get("/sw.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.headers["Service-Worker-Allowed"] == "/" and resp.headers["Cache-Control"] == "no-cache"
    config = json.loads(resp.get_data(as_text=True).split("\n", 1)[0].removeprefix("self.HUHANG_SW = ").rstrip(";"))
    assert "/offline" in config["precache"]
    assert any(u.startswith("/static/css/app.") and u != "/static/css/app.css" for u in config["precache"])
    assert not any("swagger" in u or "offline-sw" in u for u in config["precache"])


def test_every_page_links_the_manifest_and_loads_the_worker_registration(client):
    body = client.get("/login").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in body and 'name="theme-color"' in body
    assert "js/offline." in body and 'data-sw="/sw.js"' in body


def test_the_offline_page_says_in_chinese_what_works_without_signal_and_names_nobody(app, make_user):
    page = _as(app, make_user(role="volunteer")).get("/offline")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "没有信号" in body and "签到" in body
    assert 'data-user=""' in body


def test_a_helpers_phone_keeps_visits_whose_grant_runs_or_starts_within_a_day(app, team):
    app.config["VISIT_CHILD_ONE_PER_DAY"] = False  # two visits to the team's one child, hours apart
    v0 = team["vols"][0]
    soon = services.assign_visit(team["coord"], team["tutoring"].id, *window(0.2), [v0.id])
    later = services.assign_visit(team["coord"], team["home"].id, *window(20), [v0.id, team["vols"][1].id])
    for visit, helpers in ((soon, [v0]), (later, [v0, team["vols"][1]])):
        for h in helpers:
            answers.respond(h, visit.id, True)
    data = json.loads(_as(app, v0).get("/offline/visits.json").get_data(as_text=True))
    kept = {v["id"]: v for v in data["visits"]}
    assert data["user_id"] == v0.id and set(kept) == {soon.id, later.id}
    assert kept[soon.id]["contact"]["address"] and kept[soon.id]["grant_ends_at"]
    assert kept[later.id]["contact"] is None  # its grant starts 2 hours before the visit, not yet
    assert "lat" not in json.dumps(data) and str(HOME[0]) not in json.dumps(data)
    answers.cancel(team["coord"], soon.id)
    data = json.loads(_as(app, v0).get("/offline/visits.json").get_data(as_text=True))
    assert [v["id"] for v in data["visits"]] == [later.id]  # the phone drops the cancelled one


def test_visits_further_ahead_or_of_others_are_not_kept(app, team):
    v0, v1 = team["vols"][:2]
    services.assign_visit(team["coord"], team["tutoring"].id, *window(72), [v0.id])
    answers.respond(v0, db.session.scalar(select(Visit.id)), True)
    assert json.loads(_as(app, v0).get("/offline/visits.json").get_data(as_text=True))["visits"] == []
    assert json.loads(_as(app, v1).get("/offline/visits.json").get_data(as_text=True))["visits"] == []


def _checkin(client, visit, key=KEY, at=None, point=HOME):
    at = at or utcnow() - timedelta(minutes=3)
    return client.post(f"/offline/visits/{visit.id}/checkin", headers={"Idempotency-Key": key, "Accept-Language": "en"},
                       data={"lat": point[0], "lon": point[1], "accuracy": 15, "recorded_at": at.isoformat()})


def test_a_late_check_in_sent_twice_with_one_key_is_recorded_once_and_answered_the_same(app, team):
    v0, visit = _accepted(team)
    phone = _as(app, v0)
    first, again = _checkin(phone, visit), _checkin(phone, visit)
    assert first.status_code == again.status_code == 200
    assert first.get_data() == again.get_data() and json.loads(first.get_data())["ok"] is True
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).check_in_synced_at is not None
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.reason == "checkin:offline")) == 1


def test_the_same_check_in_sent_at_once_from_several_connections_is_recorded_once(app, team):
    v0, visit = _accepted(team)
    phone, start, statuses = _as(app, v0), threading.Barrier(4), []
    visit_id, at = visit.id, utcnow() - timedelta(minutes=3)

    def send():
        start.wait(10)
        statuses.append(phone.post(f"/offline/visits/{visit_id}/checkin", headers={"Idempotency-Key": KEY},
                                   data={"lat": HOME[0], "lon": HOME[1], "recorded_at": at.isoformat()}).status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert set(statuses) <= {200, 409} and 200 in statuses and len(statuses) == 4
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.reason == "checkin:offline")) == 1


def test_a_refused_late_action_answers_422_with_the_reason_and_keeps_that_answer(app, team):
    v0, visit = _accepted(team)
    phone = _as(app, v0)
    far = _checkin(phone, visit, point=(HOME[0] + 0.01, HOME[1]))
    assert far.status_code == 422 and "not at the child's home" in json.loads(far.get_data())["message"]
    assert _checkin(phone, visit).get_data() == far.get_data()  # the same key: the first answer
    assert _checkin(phone, visit, key=KEY2).status_code == 200  # a new try is a new key


def test_a_late_action_needs_a_key_and_the_phones_time(app, team):
    v0, visit = _accepted(team)
    phone = _as(app, v0)
    assert phone.post(f"/offline/visits/{visit.id}/checkin", data={"lat": HOME[0]}).status_code == 400
    no_time = phone.post(f"/offline/visits/{visit.id}/checkin", headers={"Idempotency-Key": KEY},
                         data={"lat": HOME[0], "lon": HOME[1]})
    assert no_time.status_code == 422
    assert db.session.get(Visit, visit.id).status == "accepted"


def test_someone_elses_visit_is_not_found(app, team):
    _, visit = _accepted(team)
    stranger = _as(app, team["vols"][2])
    assert _checkin(stranger, visit).status_code == 404


def test_a_report_sent_again_is_saved_once(app, team):
    v0, visit = _accepted(team)
    phone = _as(app, v0)
    assert _checkin(phone, visit).status_code == 200
    data = {"body": "Healthy", "need_service_0": "counselling", "need_dimension_0": "mind",
            "recorded_at": utcnow().isoformat()}
    first = phone.post(f"/offline/visits/{visit.id}/report", headers={"Idempotency-Key": KEY2}, data=data)
    again = phone.post(f"/offline/visits/{visit.id}/report", headers={"Idempotency-Key": KEY2}, data=data)
    other = phone.post(f"/offline/visits/{visit.id}/report", headers={"Idempotency-Key": "another-key-123"},
                       data=data)
    assert first.status_code == again.status_code == 200 and other.status_code == 422
    assert db.session.scalar(select(func.count(VisitReport.id))) == 1
    assert db.session.scalar(select(VisitReport)).synced_at is not None
    assert db.session.scalar(select(func.count(IdempotencyKey.id))) == 3


def test_the_coordinator_sees_that_a_check_in_and_report_came_late(app, team):
    v0, visit = _accepted(team)
    phone = _as(app, v0)
    _checkin(phone, visit)
    phone.post(f"/offline/visits/{visit.id}/report", headers={"Idempotency-Key": KEY2},
               data={"body": "Healthy", "recorded_at": utcnow().isoformat()})
    body = _as(app, team["coord"]).get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "离线签到" in body and "同步" in body and 'id="report-synced"' in body


def test_logging_out_tells_the_browser_to_clear_caches_and_storage(app, make_user):
    c = _as(app, make_user(role="volunteer"))
    resp = c.post("/logout")
    assert resp.status_code == 302 and resp.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "Clear-Site-Data" not in c.get("/login").headers
