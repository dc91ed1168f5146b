"""Browser test of a visit on the phone: a volunteer accepts an offered visit, checks in at the child's
home (emulated GPS) and files a report; a check-in 1 km away is refused with a clear message."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from e2e.helpers import log_in
from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.types import utcnow
from volunteer.visits import answers, services
from volunteer.visits.models import Visit, VisitReport
from volunteer.volunteers.models import VolunteerSkill

HOME = (36.1102, 120.4622)  # the child's home in tests/conftest.py CHILD
KM_NORTH = 1 / 111.2


def _offered_visit(make_user, make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    volunteer = make_user(role="volunteer", name="王志愿")
    db.session.add(VolunteerSkill(user_id=volunteer.id, skill="tutoring"))
    db.session.commit()
    child = make_child(by=coordinator)
    need = create_need(coordinator, child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                                "skills": ["tutoring"]})
    start = utcnow() + timedelta(minutes=20)
    visit = services.assign_visit(coordinator, need.id, start, start + timedelta(hours=1), [volunteer.id])
    return volunteer, visit


def test_volunteer_accepts_checks_in_at_the_home_and_files_a_report(live_server, phone, make_user, make_child):
    volunteer, visit = _offered_visit(make_user, make_child)
    page = phone(geolocation=HOME)
    log_in(page, live_server, volunteer)
    page.goto(f"{live_server}/my/visits")
    page.locator(f"#visit-{visit.id} a").click()
    page.locator("#accept-visit").click()
    expect(page.locator("#visit-status")).to_have_text("已接受")
    expect(page.locator("#visit-contact")).to_contain_text("崂山区某路1号")
    assert "36.1102" not in page.content() and "120.4622" not in page.content()
    page.locator("#checkin-button").click()
    expect(page.locator("#checked-in")).to_be_visible()
    page.locator("#report-link").click()
    page.fill("#f-body", "身体健康，吃得好")
    page.fill("#f-intellect", "数学作业需要辅导")
    page.select_option("select[name=need_service_0]", "counselling")
    page.select_option("select[name=need_dimension_0]", "mind")
    page.locator("#report-submit").click()
    expect(page.locator("#report-filed")).to_be_visible()
    db.session.expire_all()
    report = db.session.scalar(select(VisitReport).where(VisitReport.visit_id == visit.id))
    assert report is not None and report.body == "身体健康，吃得好"
    assert db.session.get(Visit, visit.id).status == "checked_in"


def test_a_check_in_one_km_away_is_refused_with_a_clear_message(live_server, phone, make_user, make_child):
    volunteer, visit = _offered_visit(make_user, make_child)
    answers.respond(volunteer, visit.id, True)
    page = phone(geolocation=(HOME[0] + KM_NORTH, HOME[1]))
    log_in(page, live_server, volunteer)
    page.goto(f"{live_server}/visits/{visit.id}")
    page.locator("#checkin-button").click()
    expect(page.locator("#visit-error")).to_contain_text("您还没有到儿童家（距离超过 300 米）")
    expect(page.locator("#visit-error")).not_to_contain_text("公里")
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "accepted"


def test_checking_in_and_out_shows_one_message_per_state_and_the_report_as_the_next_step(live_server, phone, make_user,
                                                                                        make_child):
    volunteer, visit = _offered_visit(make_user, make_child)
    answers.respond(volunteer, visit.id, True)
    page = phone(geolocation=HOME)
    log_in(page, live_server, volunteer)
    page.goto(f"{live_server}/visits/{visit.id}")
    page.locator("#checkin-button").click()
    expect(page.locator("#checked-in")).to_have_text("您已签到。离开时请签退。")
    expect(page.locator(".flash")).to_have_count(1)
    page.locator("#checkout-button").click()
    expect(page.locator("#checked-out")).to_contain_text("下一步：填写探访报告")
    expect(page.locator(".flash")).to_have_count(1)
    expect(page.locator("#visit-status")).to_have_text("待提交报告")
    expect(page.locator("#visit-minutes")).to_have_text("服务时长：0 分钟")
    page.locator("#report-link").click()
    page.fill("#f-body", "身体健康")
    page.locator("#report-submit").click()
    expect(page.locator("#report-filed")).to_be_visible()
    expect(page.locator(".flash")).to_have_count(1)
    expect(page.locator("#visit-status")).to_have_text("已完成")


def test_before_check_in_opens_the_phone_shows_when_it_opens(live_server, phone, make_user, make_child):
    volunteer, visit = _offered_visit(make_user, make_child)
    visit.starts_at, visit.ends_at = visit.starts_at + timedelta(days=3), visit.ends_at + timedelta(days=3)
    db.session.commit()
    answers.respond(volunteer, visit.id, True)
    page = phone(geolocation=HOME)
    log_in(page, live_server, volunteer)
    page.goto(f"{live_server}/visits/{visit.id}")
    expect(page.locator("#checkin-opens")).to_contain_text("签到将于")
    expect(page.locator("#checkin-button")).to_have_count(0)
