"""Idempotency-Key on the API's visit actions: a retried check-in, check-out or report gets its first answer
back and runs once; refusals are kept too, answers that ask for a retry are not; a bad or reused key is refused."""
from sqlalchemy import func, select

from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.visits.models import Visit, VisitReport

from .conftest import HOME
from .test_api import _plan


def _accepted(api, team):
    v0 = team["vols"][0]
    visit_id = _plan(api, team).get_json()["id"]
    assert api(v0, "POST", f"/api/v1/visits/{visit_id}/respond", {"accept": True}).status_code == 200
    return v0, visit_id


def _key(value):
    return {"Idempotency-Key": value}


def test_a_check_in_and_report_sent_twice_with_one_key_run_once_and_answer_alike(api, team):
    v0, visit_id = _accepted(api, team)
    here = {"lat": HOME[0], "lon": HOME[1], "accuracy": 10}
    first = api(v0, "POST", f"/api/v1/visits/{visit_id}/checkin", here, headers=_key("checkin-0001"))
    again = api(v0, "POST", f"/api/v1/visits/{visit_id}/checkin", here, headers=_key("checkin-0001"))
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_id == visit_id, AuditEntry.reason.like("checkin%"))) == 1

    api(v0, "POST", f"/api/v1/visits/{visit_id}/checkout", None, headers=_key("checkout-001"))
    report = {"mind": "Calmer than last time."}
    first = api(v0, "POST", f"/api/v1/visits/{visit_id}/report", report, headers=_key("report-00001"))
    again = api(v0, "POST", f"/api/v1/visits/{visit_id}/report", report, headers=_key("report-00001"))
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    assert db.session.scalar(select(func.count(VisitReport.id)).where(VisitReport.visit_id == visit_id)) == 1
    # Without the key the second report is what it always was: refused, the visit has its report.
    assert api(v0, "POST", f"/api/v1/visits/{visit_id}/report", report).status_code == 422


def test_a_refusal_is_answered_again_for_its_key_and_a_new_key_runs_the_action(api, team):
    v0, visit_id = _accepted(api, team)
    far = {"lat": HOME[0] + 0.05, "lon": HOME[1], "accuracy": 10}
    first = api(v0, "POST", f"/api/v1/visits/{visit_id}/checkin", far, headers=_key("far-away-01"))
    assert first.status_code == 422
    again = api(v0, "POST", f"/api/v1/visits/{visit_id}/checkin", {"lat": HOME[0], "lon": HOME[1]},
                _key("far-away-01"))
    assert again.status_code == 422 and again.headers["Idempotent-Replayed"] == "true"
    db.session.expire_all()
    assert db.session.get(Visit, visit_id).status == "accepted"
    here = api(v0, "POST", f"/api/v1/visits/{visit_id}/checkin", {"lat": HOME[0], "lon": HOME[1]},
               _key("at-home-01"))
    assert here.status_code == 200 and here.get_json()["status"] == "checked_in"


def test_a_bad_key_or_a_key_of_another_action_is_refused_and_saves_nothing(api, team, app):
    v0, visit_id = _accepted(api, team)
    here = {"lat": HOME[0], "lon": HOME[1], "accuracy": 10}
    bad = api(v0, "POST", f"/api/v1/visits/{visit_id}/checkin", here, headers=_key("short"))
    assert bad.status_code == 400 and "Idempotency-Key" in bad.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Visit, visit_id).status == "accepted"
    assert api(v0, "POST", f"/api/v1/visits/{visit_id}/checkin", here, headers=_key("one-key-0001")).status_code == 200
    reused = api(v0, "POST", f"/api/v1/visits/{visit_id}/checkout", None, headers=_key("one-key-0001"))
    assert reused.status_code == 422 and reused.get_json()["error"]["code"] == "invalid"
    db.session.expire_all()
    assert db.session.get(Visit, visit_id).status == "checked_in"


def test_an_answer_asking_for_a_retry_gives_the_key_back(api, team, app):
    v0, visit_id = _accepted(api, team)
    far = {"lat": HOME[0] + 0.05, "lon": HOME[1], "accuracy": 10}
    answers = [api(v0, "POST", f"/api/v1/visits/{visit_id}/checkin", far, headers=_key(f"try-far-{i:04d}")).status_code
               for i in range(12)]
    assert 429 in answers  # the refused tries are limited per visit
    limited = answers.index(429)
    retry = api(v0, "POST", f"/api/v1/visits/{visit_id}/checkin", far, headers=_key(f"try-far-{limited:04d}"))
    assert retry.status_code == 429 and "Idempotent-Replayed" not in retry.headers


def test_the_openapi_document_names_the_header_on_the_three_actions(api, team):
    spec = api(team["coord"], "GET", "/api/v1/openapi.json").get_json()
    for action in ("checkin", "checkout", "report"):
        params = spec["paths"][f"/api/v1/visits/{{visit_id}}/{action}"]["post"]["parameters"]
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params)
