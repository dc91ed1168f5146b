"""Visit pages end to end through the test client: plan, answer, check in (never seeing the child's
point), report with a photo, review; bad input gets 422 and a clear message; failed jobs can be retried."""
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.tasks.models import JobRecord
from volunteer.types import utcnow
from volunteer.visits import services
from volunteer.visits.models import Visit

from .conftest import HOME, window

EN = {"Accept-Language": "en"}
LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def private_instance(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


def _as(app, login_user):
    c = app.test_client()
    from volunteer.validation import display_phone

    r = c.post("/login", data={"phone": display_phone(login_user.phone), "password": "Huhang-2026"})
    assert r.status_code == 302
    return c


def _form(start):
    """The plan form for 10:00-11:00 Qingdao time on start's local day (a fixed hour: "now + 1 h" would
    cross midnight late in the evening)."""
    local = start.astimezone(LOCAL)
    return {"day": local.strftime("%Y-%m-%d"), "start": "10:00", "end": "11:00"}


def test_coordinator_plans_a_visit_from_the_form_and_bad_input_gets_422(app, team):
    coord = _as(app, team["coord"])
    need = team["tutoring"].id
    page = coord.get(f"/needs/{need}/visits/new?volunteer={team['vols'][0].id}", headers=EN)
    assert page.status_code == 200 and "Plan a visit" in page.get_data(as_text=True)
    past = coord.post(f"/needs/{need}/visits/new", data={**_form(utcnow() - timedelta(days=1)),
                                                          "volunteer": [team["vols"][0].id]}, headers=EN)
    assert past.status_code == 422 and "already passed" in past.get_data(as_text=True)
    garbled = coord.post(f"/needs/{need}/visits/new", data={"day": "tomorrow", "start": "9", "end": "x"}, headers=EN)
    assert garbled.status_code == 422 and "2026-06-01" in garbled.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Visit.id))) == 0
    ok = coord.post(f"/needs/{need}/visits/new", data={**_form(utcnow() + timedelta(days=2)),
                                                        "volunteer": [team["vols"][0].id]}, headers=EN)
    assert ok.status_code == 302
    visit = db.session.scalars(select(Visit)).one()
    assert visit.assignees[0].user_id == team["vols"][0].id
    assert coord.get("/visits", headers=EN).status_code == 200
    assert coord.get("/visits/no-contact", headers=EN).status_code == 200


def _png():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_volunteer_accepts_checks_in_and_reports_on_the_pages(app, team):
    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(0.3), [v0.id])
    vol = _as(app, v0)
    mine = vol.get("/my/visits", headers=EN).get_data(as_text=True)
    assert f"/visits/{visit.id}" in mine
    page = vol.get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
    assert "accept-visit" in page and "崂山区某路1号" not in page  # no address before accepting
    assert vol.post(f"/visits/{visit.id}/respond", data={"decision": "accept"}).status_code == 302
    page = vol.get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
    assert "崂山区某路1号" in page  # the address during the visit window (an access grant)
    assert "36.1102" not in page and "120.4622" not in page  # never the exact point
    far = vol.post(f"/visits/{visit.id}/checkin", data={"lat": HOME[0] + 0.009, "lon": HOME[1]}, headers=EN)
    assert far.status_code == 422 and "(more than 300 m away)" in far.get_data(as_text=True)
    nofix = vol.post(f"/visits/{visit.id}/checkin", data={"lat": "", "lon": ""}, headers=EN)
    assert nofix.status_code == 422 and "gave no location" in nofix.get_data(as_text=True)
    assert vol.post(f"/visits/{visit.id}/checkin", data={"lat": HOME[0], "lon": HOME[1], "accuracy": "12"}).status_code == 302
    bad = vol.post(f"/visits/{visit.id}/report", data={"body": ""}, headers=EN)
    assert bad.status_code == 422 and "at least one observation" in bad.get_data(as_text=True)
    good = vol.post(f"/visits/{visit.id}/report", data={"body": "很好", "need_service_0": "counselling",
                                                         "need_dimension_0": "mind",
                                                         "photos": (io.BytesIO(_png()), "p.png")},
                    content_type="multipart/form-data")
    assert good.status_code == 302, good.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    report = db.session.get(Visit, visit.id).report
    photo = report.photos[0].id
    assert vol.get(f"/visits/photos/{photo}").status_code == 403
    coord = _as(app, team["coord"])
    assert coord.get(f"/visits/photos/{photo}").status_code == 200
    staff_page = coord.get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
    assert "很好" in staff_page and "review-form" in staff_page
    assert coord.post(f"/visits/{visit.id}/review", data={"note": "ok"}).status_code == 302
    child_page = coord.get(f"/children/{team['child'].ref}", headers=EN).get_data(as_text=True)
    assert "child-visits" in child_page and "很好" in child_page


def test_an_accepted_near_me_offer_leads_to_a_visit_already_accepted(app, team, run_worker):
    from volunteer.matching import offers, points

    v0 = team["vols"][0]
    points.sync_need(team["tutoring"].id)
    offer = offers.offer_help(v0, team["tutoring"].id)
    offers.decide(team["coord"], offer.id, True)
    coord = _as(app, team["coord"])
    assert f"volunteer={v0.id}" in coord.get("/visits", headers=EN).get_data(as_text=True)
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(30), [v0.id])
    assert visit.status == "accepted" and visit.source == "offer"
    run_worker()
    from volunteer.notifications.models import Notification

    assert db.session.scalar(select(Notification.id).where(Notification.key == f"visit:{visit.id}:planned"))


def test_a_failed_job_is_listed_for_coordinators_and_retried(app, team, run_worker):
    from volunteer.tasks import services as tasks

    rec = tasks.enqueue("tests.tasks.sample_jobs.explode", 1, kind="test", retry=None)
    run_worker()
    db.session.expire_all()
    assert db.session.get(JobRecord, rec.id).status == "failed"
    coord = _as(app, team["coord"])
    assert rec.rq_id in coord.get("/jobs/failed", headers=EN).get_data(as_text=True)
    assert coord.post(f"/jobs/{rec.rq_id}/retry").status_code == 302
    db.session.expire_all()
    assert db.session.get(JobRecord, rec.id).status == "retried"
    assert db.session.scalar(select(func.count(JobRecord.id)).where(JobRecord.func == rec.func)) == 2
    assert _as(app, team["vols"][0]).get("/jobs/failed").status_code == 403


def test_channel_choice_is_saved(app, team):
    from volunteer.notifications.channels import chosen

    vol = _as(app, team["vols"][0])
    assert vol.post("/my/channels", data={"sms": "1"}).status_code == 302
    assert chosen(team["vols"][0].id) == ["sms"]


def test_find_helpers_offers_assign_a_visit_per_helper(app, team):
    from volunteer.volunteers.models import VolunteerProfile

    v0 = team["vols"][0]
    p = db.session.get(VolunteerProfile, v0.id)
    p.lat, p.lon, p.location_source, p.completed, p.radius_km = HOME[0] + 0.01, HOME[1], "pin", True, 10
    db.session.commit()
    coord = _as(app, team["coord"])
    page = coord.get(f"/needs/{team['tutoring'].id}/helpers", headers=EN).get_data(as_text=True)
    assert f"/needs/{team['tutoring'].id}/visits/new?volunteer={v0.id}" in page


def test_answering_with_htmx_swaps_the_visit_body_in_place(app, team):
    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(0.3), [v0.id])
    vol = _as(app, v0)
    hx = {**EN, "HX-Request": "true"}
    bad = vol.post(f"/visits/{visit.id}/respond", data={"decision": "maybe"}, headers=hx)
    assert bad.status_code == 422 and "<html" not in bad.get_data(as_text=True)
    ok = vol.post(f"/visits/{visit.id}/respond", data={"decision": "accept"}, headers=hx)
    body = ok.get_data(as_text=True)
    assert ok.status_code == 200 and "<html" not in body and "checkin-form" in body and "visit-done" in body


def test_coordinator_actions_answer_bad_input_on_the_visit_page_and_then_succeed(app, team):
    from volunteer.visits import answers

    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(0.2), [v0.id])
    coord = _as(app, team["coord"])
    no_reason = coord.post(f"/visits/{visit.id}/override", data={"reason": " "}, headers=EN)
    assert no_reason.status_code == 422 and "Give the reason for the override." in no_reason.get_data(as_text=True)
    nobody = coord.post(f"/visits/{visit.id}/override", data={"reason": "手机没有信号"}, headers=EN)
    assert nobody.status_code == 422
    assert "This visit is not waiting for a check-in." in nobody.get_data(as_text=True)
    answers.respond(v0, visit.id, True)
    assert coord.post(f"/visits/{visit.id}/override", data={"reason": "手机没有信号"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).check_in_method == "override"
    late = coord.post(f"/visits/{visit.id}/cancel", headers=EN)
    assert late.status_code == 422 and "cannot be cancelled" in late.get_data(as_text=True)
    other = services.assign_visit(team["coord"], team["home"].id, *window(30), [v0.id, team["vols"][1].id])
    assert coord.post(f"/visits/{other.id}/cancel").status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, other.id).status == "cancelled"
