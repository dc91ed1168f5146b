"""Time passing: stale check-ins closed and flagged, overdue visits and children without contact alerted,
each once however often the sweep runs; reminders through the real scheduler."""
import time
from datetime import timedelta

from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.types import utcnow
from volunteer.visits import answers, checkin, contact, reminders, services

from .conftest import HOME, window


def _notes(user_id, key_part):
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.key.contains(key_part)))


def _accepted(team, hours=0.2, need="tutoring", vol=0):
    v = team["vols"][vol]
    visit = services.assign_visit(team["coord"], team[need].id, *window(hours), [v.id])
    answers.respond(v, visit.id, True)
    return visit


def test_a_visit_open_24_hours_after_check_in_is_closed_flagged_and_alerted_once(team, run_worker):
    visit = _accepted(team)
    checkin.check_in(team["vols"][0], visit.id, *HOME)
    later = utcnow() + timedelta(hours=25)
    assert reminders.close_stale(later) == 1
    assert reminders.close_stale(later) == 0
    assert visit.status == "flagged" and visit.flag_reason == "open_24h"
    assert _notes(team["coord"].id, f"visit:{visit.id}:stale") == 1


def test_overdue_visit_alerts_coordinators_once_per_visit(team):
    visit = _accepted(team)
    later = visit.ends_at + timedelta(hours=3)
    reminders.overdue(later)
    reminders.overdue(later)
    assert _notes(team["coord"].id, f"visit:{visit.id}:overdue") == 1


def test_no_contact_alert_per_category_days_comes_once_per_silence(team, app):
    child = team["child"]
    now = utcnow()
    assert contact.alert(now) == 0
    app.config["VISIT_NO_CONTACT_DAYS_BY_CATEGORY"] = {"difficult": 10}
    try:
        assert contact.alert(now + timedelta(days=9)) == 0
        assert contact.alert(now + timedelta(days=11)) == 1
        assert contact.alert(now + timedelta(days=12)) == 0
        assert [s.child.id for s in contact.silent_children(now + timedelta(days=12), staff=team["coord"])] == [child.id]
    finally:
        app.config.pop("VISIT_NO_CONTACT_DAYS_BY_CATEGORY")
    assert _notes(team["coord"].id, f"nocontact:{child.id}:") == 1
    visit = _accepted(team)
    checkin.check_in(team["vols"][0], visit.id, *HOME)
    assert contact.alert(utcnow() + timedelta(days=20)) == 0


def test_many_silences_at_once_make_one_digest_a_day(team, make_child):
    for _ in range(contact.DIGEST_OVER + 1):
        make_child(by=team["coord"])
    later = utcnow() + timedelta(days=31)
    assert contact.alert(later) == 1
    assert contact.alert(later) == 0
    assert _notes(team["coord"].id, "nocontact-digest:") == 1
    assert _notes(team["coord"].id, "nocontact:") == 0


def test_sweep_job_run_twice_makes_one_alert_and_one_expiry(team, run_worker, app):
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(72), [team["vols"][0].id])
    visit.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    from volunteer.tasks import get_queue

    for _ in range(2):
        get_queue("default").enqueue("jobs.visits.expire_offers")
        run_worker()
    db.session.expire_all()
    assert visit.status == "expired"
    assert _notes(team["coord"].id, f"visit:{visit.id}:expired") == 1


def test_reminders_are_scheduled_and_sent_by_the_real_scheduler_once(team, run_worker, app):
    from volunteer.tasks.cli import make_worker

    app.config["VISIT_REMINDERS_HOURS"] = (2,)
    try:
        v = team["vols"][0]
        # Due in 8 s: enough for the first burst to finish before it even on a loaded CI machine.
        start = utcnow() + timedelta(hours=2, seconds=8)
        visit = services.assign_visit(team["coord"], team["tutoring"].id, start, start + timedelta(hours=1), [v.id])
        answers.respond(v, visit.id, True)  # schedules the 2 h reminder in about 8 s
        reminders.schedule_reminders(visit)  # scheduling again sends no second message
        make_worker(simple=True).work(burst=True, with_scheduler=True)
        assert _notes(v.id, f"visit:{visit.id}:remind:2") == 0  # not due yet
        time.sleep(max(0.0, (start - timedelta(hours=2) - utcnow()).total_seconds()) + 1)
        make_worker(simple=True).work(burst=True, with_scheduler=True)
        assert _notes(v.id, f"visit:{visit.id}:remind:2") == 1
    finally:
        app.config.pop("VISIT_REMINDERS_HOURS")


def test_the_offer_job_run_twice_sends_one_inbox_message_and_one_sms(team, run_worker):
    from volunteer.notifications import backends, channels
    from volunteer.notifications.models import Delivery
    from volunteer.tasks import services as tasks

    v = team["vols"][0]
    channels.choose(v, sms=True, email=False)
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(30), [v.id])
    backends.SENT.clear()
    tasks.enqueue("jobs.visits.notify_offer", visit.id, kind="notify", queue="notifications")
    run_worker()  # the job assign_visit queued and the second one
    assert _notes(v.id, f"visit:{visit.id}:offer") == 1
    assert [s[1] for s in backends.SENT] == [v.phone]
    assert db.session.scalar(select(func.count(Delivery.id))) == 1


def test_the_sweep_job_run_twice_alerts_an_overdue_visit_once_and_schedules_itself(team, run_worker, app):
    from volunteer.tasks import get_queue

    visit = _accepted(team)
    visit.starts_at, visit.ends_at = utcnow() - timedelta(hours=5), utcnow() - timedelta(hours=4)
    db.session.commit()
    reminders.start_sweep()
    assert reminders.start_sweep() is False  # already queued
    run_worker()
    get_queue("default").enqueue("jobs.visits.sweep")
    run_worker()
    assert _notes(team["coord"].id, f"visit:{visit.id}:overdue") == 1
    assert app.extensions["redis"].zscore(get_queue("default").scheduled_job_registry.key, reminders.SWEEP_ID)


def test_no_contact_alerts_reach_exactly_the_coordinators_whose_scope_holds_the_child(team, make_user):
    child = team["child"]  # 崂山区 (370212), 沙子口街道 (370212002)
    town = make_user(role="coordinator", scope_level="town", scope_code="370212002")
    other_town = make_user(role="coordinator", scope_level="town", scope_code="370212003")
    city = make_user(role="coordinator", scope_level="city")
    elsewhere = make_user(role="coordinator", scope_level="district", scope_code="370203")
    gone = make_user(role="coordinator", scope_level="city", active=False)
    later = utcnow() + timedelta(days=31)
    assert contact.alert(later) == 3  # the district, the town and the city coordinator
    for user, expected in ((team["coord"], 1), (town, 1), (city, 1), (other_town, 0), (elsewhere, 0), (gone, 0)):
        assert _notes(user.id, f"nocontact:{child.id}:") == expected, user.scope_code
    assert [s.child.id for s in contact.silent_children(later, staff=town)] == [child.id]
    assert contact.silent_children(later, staff=other_town) == []
    assert contact.silent_children(later, staff=team["vols"][0]) == []  # no scope, no list
