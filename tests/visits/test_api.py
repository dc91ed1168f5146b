"""The visits API: the same rules as the pages, answered as JSON (with a token, never a session)."""
from datetime import timedelta

from sqlalchemy import select

from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.needs.models import Need
from volunteer.types import utcnow
from volunteer.visits import services
from volunteer.visits.models import Visit
from volunteer.visits.present import LOCAL

from .conftest import HOME


def _plan(api, team, hours=0.2, vols=None, need="tutoring"):
    start = (utcnow() + timedelta(hours=hours)).astimezone(LOCAL).replace(tzinfo=None, microsecond=0)
    return api(team["coord"], "POST", "/api/v1/visits", {
        "need_id": team[need].id, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
        "volunteer_ids": vols or [team["vols"][0].id]})


def test_a_visit_goes_from_plan_to_report_through_the_api(api, team):
    v0 = team["vols"][0]
    r = _plan(api, team)
    assert r.status_code == 201, r.get_json()
    visit = r.get_json()
    assert visit["status"] == "offered" and visit["child"]["ref"] == team["child"].ref
    assert [a["user_id"] for a in visit["assignees"]] == [v0.id]

    mine = api(v0, "GET", "/api/v1/my/visits").get_json()
    assert mine["total"] == 1 and mine["items"][0]["my_status"] == "offered"
    assert "ref" not in mine["items"][0]["child"] and "assignees" not in mine["items"][0]
    assert api(v0, "GET", f"/api/v1/visits/{visit['id']}").get_json()["contact"] is None

    r = api(v0, "POST", f"/api/v1/visits/{visit['id']}/respond", {"accept": True})
    assert r.status_code == 200 and r.get_json()["status"] == "accepted"
    contact = r.get_json()["contact"]
    assert contact["phone"] == team["child"].guardian_phone  # the visit's window has begun: the grant runs
    assert db.session.scalar(select(AuditEntry.via).where(AuditEntry.user_id == v0.id, AuditEntry.action == "view",
                                                          AuditEntry.reason == f"visit:{visit['id']}")) == "api"

    far = api(v0, "POST", f"/api/v1/visits/{visit['id']}/checkin", {"lat": HOME[0] + 0.05, "lon": HOME[1]})
    assert far.status_code == 422 and "(more than 300 m away)" in far.get_json()["error"]["fields"]["location"]
    r = api(v0, "POST", f"/api/v1/visits/{visit['id']}/checkin", {"lat": HOME[0], "lon": HOME[1], "accuracy": 10})
    assert r.status_code == 200 and r.get_json()["status"] == "checked_in" and r.get_json()["checked_in"]
    r = api(v0, "POST", f"/api/v1/visits/{visit['id']}/checkout")
    assert r.status_code == 200 and r.get_json()["status"] == "done"

    empty = api(v0, "POST", f"/api/v1/visits/{visit['id']}/report", {"body": "  "})
    assert empty.status_code == 422 and "at least one observation" in empty.get_json()["error"]["fields"]["body"]
    r = api(v0, "POST", f"/api/v1/visits/{visit['id']}/report", {
        "mind": "Calmer than last time.", "follow_up_on": (utcnow() + timedelta(days=30)).date().isoformat(),
        "new_needs": [{"service_type": "counselling", "dimension": "mind"}]})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["has_report"] is True
    assert db.session.scalar(select(Need.id).where(Need.child_id == team["child"].id,
                                                   Need.service_type == "counselling")) is not None
    twice = api(v0, "POST", f"/api/v1/visits/{visit['id']}/report", {"mind": "again"})
    assert twice.status_code == 422


def test_planning_refuses_bad_input_with_field_messages_and_saves_nothing(api, team):
    coord, v0 = team["coord"], team["vols"][0]
    cases = [
        ({"need_id": team["tutoring"].id, "starts_at": "tomorrow", "ends_at": "later"}, "starts_at"),
        ({"need_id": team["tutoring"].id, "starts_at": "2020-01-01T09:00", "ends_at": "2020-01-01T10:00",
          "volunteer_ids": [v0.id]}, "starts_at"),
        ({"need_id": team["tutoring"].id, "starts_at": "2099-01-01T10:00", "ends_at": "2099-01-01T09:00",
          "volunteer_ids": [v0.id]}, "ends_at"),
        ({"need_id": team["tutoring"].id, "starts_at": "2099-01-01T09:00", "ends_at": "2099-01-01T10:00",
          "volunteer_ids": ["x"]}, "volunteers"),
    ]
    for payload, field in cases:
        r = api(coord, "POST", "/api/v1/visits", payload)
        assert r.status_code == 422, (payload, r.get_json())
        assert r.get_json()["error"]["code"] == "invalid"
        assert list(r.get_json()["error"]["fields"]) == [field], r.get_json()
    assert api(coord, "POST", "/api/v1/visits", [1, 2]).status_code == 400
    assert api(coord, "POST", "/api/v1/visits", {"need_id": "abc", "starts_at": "2099-01-01T09:00",
                                                 "ends_at": "2099-01-01T10:00"}).status_code == 404
    assert db.session.scalar(select(Visit.id)) is None


def test_roles_and_scope_decide_like_the_pages(api, team, make_user):
    v0, v1 = team["vols"][:2]
    visit_id = _plan(api, team, hours=30).get_json()["id"]
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    assert api(v0, "POST", "/api/v1/visits", {"need_id": team["home"].id}).status_code in (403, 422)
    assert api(v0, "GET", "/api/v1/visits").status_code == 403  # the staff list
    assert api(v1, "GET", f"/api/v1/visits/{visit_id}").status_code == 404  # not theirs: as if missing
    assert api(outsider, "GET", f"/api/v1/visits/{visit_id}").status_code == 404
    assert api(v1, "POST", f"/api/v1/visits/{visit_id}/respond", {"accept": True}).status_code == 404
    assert api(v0, "POST", f"/api/v1/visits/{visit_id}/respond", {"accept": "yes"}).status_code == 400
    assert api(v0, "POST", f"/api/v1/visits/{visit_id}/cancel").status_code == 403
    staff_view = api(team["coord"], "GET", f"/api/v1/visits/{visit_id}").get_json()
    assert "contact" not in staff_view and staff_view["assignees"][0]["user_id"] == v0.id
    listed = api(team["coord"], "GET", "/api/v1/visits?per_page=5").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == visit_id
    assert api(outsider, "GET", "/api/v1/visits").get_json()["total"] == 0
    assert api(team["coord"], "GET", "/api/v1/visits?show=nonsense").status_code == 400
    r = api(team["coord"], "POST", f"/api/v1/visits/{visit_id}/cancel")
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    assert db.session.get(Need, team["tutoring"].id).status == "open"
    assert services.visit_for(team["coord"], visit_id).status == "cancelled"
