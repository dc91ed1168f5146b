"""The helper's visit page on the phone: check-in appears only once it is open (before, the page says when),
and each state (checked in, checked out, reported) shows its own message once with a badge to match."""
from datetime import timedelta

import pytest
from flask_babel import force_locale

from volunteer.api.services import issue_token
from volunteer.extensions import db
from volunteer.units import day_time
from volunteer.visits import checkin, reports
from volunteer.visits.models import Visit

from .conftest import HOME, accepted_visit
from .test_pages import EN, _as

ZH = {"Accept-Language": "zh-CN"}


pytestmark = pytest.mark.usefixtures("private_instance")


def test_before_check_in_opens_the_page_says_when_instead_of_the_button(app, team):
    v0, visit = accepted_visit(team, 72)
    with force_locale("zh_Hans_CN"):
        opens = day_time(visit.starts_at - timedelta(hours=1))
    page = _as(app, v0).get(f"/visits/{visit.id}", headers=ZH).get_data(as_text=True)
    assert "checkin-button" not in page
    assert f"签到将于 {opens} 开放" in page


def test_the_check_in_button_appears_once_check_in_is_open(app, team):
    v0, visit = accepted_visit(team, 0.5)
    page = _as(app, v0).get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
    assert "checkin-button" in page and "checkin-opens" not in page


def test_an_early_check_in_is_refused_with_the_opening_time_on_the_page_and_the_api(app, team, client):
    v0, visit = accepted_visit(team, 72)
    opens = visit.starts_at - timedelta(hours=1)
    assert checkin.check_in_state(visit) == "early"
    assert checkin.check_in_state(visit, opens + timedelta(minutes=1)) == "open"
    early = _as(app, v0).post(f"/visits/{visit.id}/checkin", data={"lat": HOME[0], "lon": HOME[1]}, headers=EN)
    assert early.status_code == 422 and f"Check-in opens at {day_time(opens)}" in early.get_data(as_text=True)
    token = issue_token(v0, "tests")[1]
    r = client.get(f"/api/v1/visits/{visit.id}", headers={"Authorization": f"Bearer {token}"})
    body = r.get_json()
    assert body["check_in"] == "early" and body["check_in_opens_at"].startswith(opens.strftime("%Y-%m-%dT%H:%M"))


def test_checking_in_confirms_once(app, team):
    v0, visit = accepted_visit(team, 0.3)
    vol = _as(app, v0)
    page = vol.post(f"/visits/{visit.id}/checkin", data={"lat": HOME[0], "lon": HOME[1]}, headers=EN,
                    follow_redirects=True).get_data(as_text=True)
    assert page.count("You are checked in") == 1
    assert "Checked in." not in page and 'class="container flashes"' not in page
    assert "checkout-button" in page


def test_after_check_out_the_page_says_so_and_the_next_step_and_the_badge_waits_for_the_report(app, team):
    v0, visit = accepted_visit(team, 0.3)
    vol = _as(app, v0)
    vol.post(f"/visits/{visit.id}/checkin", data={"lat": HOME[0], "lon": HOME[1]})
    body = vol.post(f"/visits/{visit.id}/checkout", headers={**EN, "HX-Request": "true"}).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "done"
    assert "You are checked in" not in body and body.count("You have checked out") == 1
    assert "Next step: file the visit report." in body and "report-link" in body
    assert 'id="visit-status">Report due<' in body
    assert "Service time: 0 minutes" in body
    zh = vol.get(f"/visits/{visit.id}", headers=ZH).get_data(as_text=True)
    assert 'id="visit-status">待提交报告<' in zh
    assert "待提交报告" in vol.get("/my/visits", headers=ZH).get_data(as_text=True)
    reports.file_report(v0, visit.id, {"body": "很好"})
    done = vol.get(f"/visits/{visit.id}", headers=ZH).get_data(as_text=True)
    assert 'id="visit-status">已完成<' in done and "report-link" not in done
    assert done.count('id="report-filed"') == 1


def test_filing_the_report_confirms_once(app, team):
    v0, visit = accepted_visit(team, 0.3)
    vol = _as(app, v0)
    vol.post(f"/visits/{visit.id}/checkin", data={"lat": HOME[0], "lon": HOME[1]})
    vol.post(f"/visits/{visit.id}/checkout")
    page = vol.post(f"/visits/{visit.id}/report", data={"body": "很好"}, headers=EN,
                    follow_redirects=True).get_data(as_text=True)
    assert page.count("The report was filed") == 1 and "Report filed" not in page


def test_my_visits_shows_service_time_with_its_unit(app, team):
    v0, visit = accepted_visit(team, 0.3)
    vol = _as(app, v0)
    assert "累计服务时长：0 分钟" in vol.get("/my/visits", headers=ZH).get_data(as_text=True)
    row = next(a for a in db.session.get(Visit, visit.id).assignees if a.user_id == v0.id)
    row.service_minutes = 90
    db.session.commit()
    assert "Service time so far: 1.5 hours" in vol.get("/my/visits", headers=EN).get_data(as_text=True)


def test_a_refused_check_in_gives_only_the_radius_in_the_users_words(app, team):
    v0, visit = accepted_visit(team, 0.3)
    vol = _as(app, v0)
    near = vol.post(f"/visits/{visit.id}/checkin", data={"lat": HOME[0] + 590 / 111_200, "lon": HOME[1]},
                    headers=ZH).get_data(as_text=True)
    assert "您还没有到儿童家（距离超过 300 米）" in near and "590" not in near
    far = vol.post(f"/visits/{visit.id}/checkin", data={"lat": HOME[0] + 1234 / 111_200, "lon": HOME[1]},
                   headers=ZH).get_data(as_text=True)
    assert "您还没有到儿童家（距离超过 300 米）" in far and "公里" not in far and "1.2" not in far
