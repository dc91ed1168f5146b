"""Browser test of auto-assignment: a 崂山 coordinator picks a town's open needs, starts auto-assign,
watches the live progress bar, reads the proposal (a reason per pair) and confirms: the offers go out."""
import os
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from e2e.helpers import log_in
from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.visits.models import Visit
from volunteer.volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill


HOME = (36.1102, 120.4622)  # the child's home, 沙子口街道, 崂山区
SHAZIKOU = "370212002"
SHOTS = os.environ.get("HUHANG_SHOTS")  # a directory: keep screenshots of the pages for a visual check


def _volunteer(make_user, name, km_north):
    user = make_user(role="volunteer", name=name)
    p = db.session.get(VolunteerProfile, user.id)
    p.lat, p.lon, p.location_source, p.completed = HOME[0] + km_north / 111.195, HOME[1], "pin", True
    p.district_code, p.town_code, p.radius_km, p.max_visits_per_month = "370212", SHAZIKOU, 10, 4
    for s in ("home_visit", "tutoring"):
        db.session.add(VolunteerSkill(user_id=user.id, skill=s, credential_status="none"))
    for d in range(7):
        db.session.add(AvailabilitySlot(user_id=user.id, weekday=d, period="pm"))
    db.session.commit()
    return user


def test_coordinator_runs_auto_assign_for_a_town_watches_progress_and_confirms(
        live_server, desktop, make_user, make_child, run_worker):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")
    child = make_child(by=coordinator)
    home = create_need(coordinator, child.ref, {"dimension": "social", "service_type": "home_visit_survey",
                                                "rhythm": "monthly", "skills": ["home_visit"]})
    tutoring = create_need(coordinator, child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                                    "rhythm": "monthly", "skills": ["tutoring"]})
    for name, km in (("王一", 1.0), ("李二", 2.0), ("张三", 3.0)):
        _volunteer(make_user, name, km)

    page = desktop()
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server}/visits/auto")
    expect(page.locator("h1")).to_have_text("自动分配探访")
    page.select_option("#f-town", SHAZIKOU)
    page.select_option("#f-rhythm", "monthly")
    page.locator("#autoassign-find").click()
    expect(page.locator("#autoassign-needs li")).to_have_count(2)
    page.fill("#f-max_km", "10")
    page.locator("#autoassign-submit").click()

    # The live progress bar shows while the job waits and runs; nothing is offered yet.
    expect(page.locator("#autoassign-result .job-status progress")).to_be_visible()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "autoassign-progress.png"), full_page=True)
    assert db.session.scalar(select(Visit.id)) is None
    assert run_worker() >= 1
    summary = page.locator("#autoassign-summary")
    expect(summary).to_be_visible(timeout=10_000)
    expect(summary).to_contain_text("2")
    items = page.locator("#autoassign-items > li")
    expect(items).to_have_count(2)
    pair = page.locator(f'#autoassign-items > li[data-need="{home.id}"]')
    expect(pair.locator("select")).to_have_count(2)  # two adults for the home visit
    expect(pair.locator("p.muted")).to_contain_text("距两位志愿者住址分别")
    expect(page.locator(f'#autoassign-items > li[data-need="{tutoring.id}"] select')).to_have_count(1)

    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "autoassign-proposal.png"), full_page=True)
    page.locator("#autoassign-send").click()
    # The offers go out in a job: its progress shows, then the sent state.
    expect(page.locator("#autoassign-sending .job-status progress")).to_be_visible()
    expect(page.locator("#autoassign-send")).to_have_count(0)
    assert run_worker() >= 1
    expect(page.locator("#autoassign-sent")).to_be_visible(timeout=10_000)
    expect(page.locator("#autoassign-items .badge-ok")).to_have_count(2)
    expect(page.locator("#autoassign-send")).to_have_count(0)
    db.session.expire_all()
    visits = db.session.scalars(select(Visit).order_by(Visit.need_id)).all()
    assert [(v.need_id, v.source, v.status, len(v.assignees)) for v in visits] == [
        (home.id, "auto", "offered", 2), (tutoring.id, "auto", "offered", 1)]
