"""Browser test of the activities loop on a phone in Chinese: a volunteer finds an activity near home on
/activities, signs up, scans in with the typed code at the venue, scans out later; the organiser approves the
hours, the volunteer sees them on /my/hours, issues a service certificate for the year, downloads its PDF,
and anyone can check it on its public page.

The test reads the current code from the service, as the volunteer reads it off the organiser's screen.
"Later" is made by moving the activity and the sign-in two hours back in the database (the clock of the
live server cannot be stopped): the sign-out then uses a code of a later window than the sign-in's."""
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select, update

from e2e.helpers import log_in
from volunteer.activities import attendance, services
from tests.activities.test_certificates import pdf_text
from volunteer.activities.models import Activity, ActivitySignup, Certificate
from volunteer.extensions import db
from volunteer.types import utcnow
from volunteer.volunteers.models import VolunteerProfile

VENUE = (36.1025, 120.4678)  # 沙子口; the phone fixture stands here


def _type_current_code(page, activity_id):
    page.fill("#scan-code", attendance.code_for(activity_id))
    page.locator("#scan-submit").click()


def test_a_volunteer_signs_up_scans_in_and_out_and_sees_the_approved_hours(live_server, phone, make_user):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="郭老师")
    volunteer = make_user(role="volunteer", name="于伟峰")
    db.session.execute(update(VolunteerProfile).where(VolunteerProfile.user_id == volunteer.id)
                       .values(lat=VENUE[0] + 0.01, lon=VENUE[1]))  # home about 1 km from the venue
    db.session.commit()
    start = utcnow().replace(microsecond=0) + timedelta(minutes=15)  # sign-in opens 30 minutes before
    activity = services.create(coordinator, {
        "title": "沙子口社区六一游园会", "service_type": "group_service", "starts_at": start,
        "ends_at": start + timedelta(hours=3), "signup_deadline": start - timedelta(minutes=5),
        "venue": "沙子口街道社区服务中心", "lat": VENUE[0], "lon": VENUE[1], "district_code": "370212",
        "town_code": "370212002", "places": 10, "skills": [], "min_age": None, "children_expected": 20})
    services.publish(coordinator, activity.id)
    a_id = activity.id

    page = phone()
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, volunteer)

    # Find it near home and sign up.
    page.goto(f"{live_server}/activities")
    card = page.locator(f"#activity-{a_id}")
    expect(card).to_contain_text("沙子口社区六一游园会")
    card.get_by_role("link", name="沙子口社区六一游园会").click()
    expect(page).to_have_url(f"{live_server}/activities/{a_id}")
    page.locator("#signup-button").click()
    expect(page.locator("#signup-state, #signup-done")).to_be_visible()

    # At the venue: the activity page offers the scan; the typed code signs in.
    page.reload()
    page.locator("#attendance-scan").click()
    expect(page).to_have_url(f"{live_server}/activities/scan?a={a_id}")
    expect(page.locator("#scan-submit")).to_have_text("确认签到")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _type_current_code(page, a_id)
    expect(page.locator(".flashes .flash-success")).to_contain_text("已签到")
    expect(page.locator("#attendance-in")).to_contain_text("签到时间")

    # Two hours later (the activity and the sign-in moved back): scan out with the code of now.
    row = db.session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == a_id,
                                                         ActivitySignup.volunteer_id == volunteer.id))
    back = timedelta(hours=2)
    db.session.execute(update(Activity).where(Activity.id == a_id).values(
        starts_at=start - back, ends_at=start + timedelta(hours=3) - back, signup_deadline=start - back - back))
    db.session.execute(update(ActivitySignup).where(ActivitySignup.id == row.id).values(
        signed_in_at=row.signed_in_at - back))
    db.session.commit()
    page.goto(f"{live_server}/activities/scan")
    expect(page.locator("#scan-submit")).to_have_text("确认签退")
    _type_current_code(page, a_id)
    expect(page.locator(".flashes .flash-success")).to_contain_text("已签退")
    expect(page.locator("#attendance-hours")).to_contain_text("待核准")

    # The organiser approves the counted hours.
    organiser = phone()
    organiser.set_viewport_size({"width": 360, "height": 740})
    log_in(organiser, live_server, coordinator)
    organiser.goto(f"{live_server}/activities/{a_id}")
    organiser.locator("#attendance-hours").click()
    expect(organiser).to_have_url(f"{live_server}/activities/{a_id}/hours")
    item = organiser.locator(f"#signup-{row.id}")
    expect(item).to_contain_text("于伟峰")
    expect(item).to_contain_text("待核准")
    item.get_by_role("button", name="核准 1.75 小时").click()
    expect(organiser.locator(".flashes .flash-success")).to_contain_text("时长已核准")
    expect(organiser.locator(f"#signup-{row.id}")).to_contain_text("已核准 1.75 小时")

    # The volunteer's hours.
    page.goto(f"{live_server}/my/hours")
    expect(page.locator("#hours-year-total")).to_have_text("1.75 小时")  # as the certificate counts them
    expect(page.locator("#hours-items")).to_contain_text("沙子口社区六一游园会")
    expect(page.locator("#hours-items")).not_to_contain_text("待核准")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # A service certificate for this year: issued, downloaded, and checked by anyone on its public page.
    page.locator("#hours-certificates").click()
    expect(page.locator("#cert-hours")).to_have_text("1.75")  # certificates give hours to two decimals
    page.locator("#cert-issue").click()
    number = db.session.scalar(select(Certificate.number).where(Certificate.volunteer_id == volunteer.id))
    with page.expect_download() as download:
        page.locator(f"#cert-{number} a[download]").click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert number in text and "1.75" in text and "于伟峰" in text and "沙子口社区六一游园会" in text
    anyone = phone()
    anyone.goto(f"{live_server}/verify/{number}")
    facts = anyone.locator("#verify-facts")
    expect(facts).to_contain_text("于*峰")
    expect(facts).to_contain_text("1.75")
    expect(facts).not_to_contain_text("于伟峰")
