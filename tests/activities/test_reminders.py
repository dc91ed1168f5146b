"""Reminders 24 h and 2 h before an activity: scheduled when a sign-up is confirmed (or promoted), sent by
the real scheduler once, never to a cancelled sign-up or for a cancelled activity; the sweep sends what
Redis lost."""
import json
import time
from datetime import timedelta

from sqlalchemy import func, select, update

from tests.activities.conftest import activity_data
from volunteer.activities import reminders, services
from volunteer.activities.models import ActivitySignup
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.tasks import get_queue
from volunteer.tasks.models import JobRecord
from volunteer.types import utcnow


def _notes(user_id, part):
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.key.contains(part)))


def _starting_in(published, delta: timedelta, **over):
    """A published activity starting delta from now (sign-up open until a minute before it)."""
    start = utcnow() + delta
    return published(starts_at=start, ends_at=start + timedelta(hours=2),
                     signup_deadline=start - timedelta(seconds=min(60, delta.total_seconds() / 2)), **over)


def _planned(signup_id):
    """(hours, ...) of the reminder jobs recorded for a sign-up."""
    rows = db.session.scalars(select(JobRecord.args).where(JobRecord.func == reminders.REMIND_FUNC)).all()
    return sorted(json.loads(a)[1] for a in rows if json.loads(a)[0] == signup_id)


def _row(signup_id):
    db.session.expire_all()
    return db.session.get(ActivitySignup, signup_id)


def test_a_confirmed_sign_up_schedules_both_reminders_still_ahead(published, make_user):
    far = _starting_in(published, timedelta(days=3))
    near = _starting_in(published, timedelta(hours=10))
    v = make_user(role="volunteer")
    a, b = services.sign_up(v, far.id), services.sign_up(v, near.id)
    assert _planned(a.id) == [2, 24] and _planned(b.id) == [2]  # 24 h before `near` is already past
    registry = get_queue("notifications").scheduled_job_registry
    assert registry.count == 3


def test_a_waitlisted_sign_up_schedules_nothing_until_promoted(published, make_user):
    a = _starting_in(published, timedelta(days=3), places=1)
    first, second = make_user(role="volunteer"), make_user(role="volunteer")
    services.sign_up(first, a.id)
    waiting = services.sign_up(second, a.id)
    assert waiting.status == "waitlisted" and _planned(waiting.id) == []
    services.cancel_signup(first, a.id)
    assert _row(waiting.id).status == "confirmed" and _planned(waiting.id) == [2, 24]


def test_the_real_scheduler_sends_the_two_hour_reminder_when_due_and_once(published, make_user, app):
    from volunteer.tasks.cli import make_worker

    a = _starting_in(published, timedelta(hours=2, seconds=2))
    v = make_user(role="volunteer", locale="en")
    row = services.sign_up(v, a.id)
    reminders.schedule_reminders(row.id)  # scheduling again sends no second message
    make_worker(simple=True).work(burst=True, with_scheduler=True)
    assert _notes(v.id, f"activity:{a.id}:remind:2:") == 0  # not due yet
    time.sleep(3)
    make_worker(simple=True).work(burst=True, with_scheduler=True)
    assert _notes(v.id, f"activity:{a.id}:remind:2:") == 1
    n = db.session.scalar(select(Notification).where(Notification.user_id == v.id))
    assert n.kind == "activity" and (n.target_kind, n.target_id) == ("activity", a.id)
    assert "六一游园会" in n.title and "about 2 hours" in n.title and "崂山区社区中心" in n.body
    assert _row(row.id).reminded_2h_at is not None and _row(row.id).reminded_24h_at is None


def test_a_reminder_run_twice_sends_once(published, make_user, run_worker):
    a = _starting_in(published, timedelta(hours=1))
    v = make_user(role="volunteer")
    row = services.sign_up(v, a.id)
    for _ in range(2):
        get_queue("notifications").enqueue(reminders.REMIND_FUNC, row.id, 2)
        run_worker()
    assert _notes(v.id, f"activity:{a.id}:remind:2:") == 1
    assert reminders.remind(row.id, 2) == 0


def test_no_reminder_to_a_cancelled_sign_up_nor_for_a_cancelled_activity(published, people, make_user):
    a = _starting_in(published, timedelta(hours=1))
    b = _starting_in(published, timedelta(hours=1, minutes=30))
    v = make_user(role="volunteer")
    gone = services.sign_up(v, a.id)
    services.cancel_signup(v, a.id)
    kept = services.sign_up(v, b.id)
    services.cancel(people["coordinator"], b.id)
    assert reminders.remind(gone.id, 2) == 0 and reminders.remind(kept.id, 2) == 0
    assert _notes(v.id, ":remind:") == 0
    assert _row(gone.id).reminded_2h_at is None and _row(kept.id).reminded_2h_at is None


def test_a_reminder_out_of_its_time_sends_nothing(published, make_user):
    a = _starting_in(published, timedelta(hours=30))
    b = _starting_in(published, timedelta(hours=1))
    v = make_user(role="volunteer")
    early, late = services.sign_up(v, a.id), services.sign_up(v, b.id)
    assert reminders.remind(early.id, 24) == 0  # 30 h ahead: the 24 h reminder is not due
    assert reminders.remind(late.id, 24) == 0   # 1 h ahead: the 2 h reminder is the one due
    assert reminders.remind(late.id, 2) == 1


def test_the_sweep_sends_what_redis_lost_once(published, make_user, redis_conn):
    a = _starting_in(published, timedelta(hours=23))
    b = _starting_in(published, timedelta(minutes=90))
    v, w = make_user(role="volunteer"), make_user(role="volunteer")
    rows = [services.sign_up(v, a.id), services.sign_up(v, b.id), services.sign_up(w, a.id)]
    # v signed up two days ago (the jobs were scheduled then); w just now, inside the 24 h.
    db.session.execute(update(ActivitySignup).where(ActivitySignup.id.in_([rows[0].id, rows[1].id]))
                       .values(updated_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    redis_conn.flushdb()  # the scheduled jobs are lost
    assert reminders.sweep() == {"reminded": 2}
    assert reminders.sweep() == {"reminded": 0}
    assert _notes(v.id, f"activity:{a.id}:remind:24:") == 1 and _notes(v.id, f"activity:{b.id}:remind:2:") == 1
    assert _notes(v.id, f"activity:{b.id}:remind:24:") == 0  # 90 min ahead: its 24 h reminder is past
    assert _notes(w.id, ":remind:") == 0  # confirmed inside the 24 h: no "tomorrow" message


def test_the_sweep_job_reports_progress_and_schedules_itself(published, make_user, run_worker, app):
    from volunteer.tasks import AppJob as Job

    a = _starting_in(published, timedelta(hours=1))
    v = make_user(role="volunteer")
    row = services.sign_up(v, a.id)
    db.session.execute(update(ActivitySignup).where(ActivitySignup.id == row.id)
                       .values(updated_at=utcnow() - timedelta(hours=3)))
    db.session.commit()
    app.extensions["redis"].flushdb()
    assert reminders.start_sweep() is True and reminders.start_sweep() is False
    run_worker()
    assert _notes(v.id, f"activity:{a.id}:remind:2:") == 1
    queue = get_queue("default")
    job = Job.fetch(reminders.SWEEP_ID, connection=queue.connection, serializer=queue.serializer)
    assert job.meta["progress"] == 100 and job.meta["done"] == job.meta["total"] == 1
    assert app.extensions["redis"].zscore(get_queue("default").scheduled_job_registry.key, reminders.SWEEP_ID)


def test_moving_the_start_sends_the_reminders_again_for_the_new_time(people, published, make_user):
    a = _starting_in(published, timedelta(hours=1))
    v = make_user(role="volunteer")
    row = services.sign_up(v, a.id)
    assert reminders.remind(row.id, 2) == 1
    start = utcnow() + timedelta(minutes=90)
    services.edit(people["coordinator"], a.id, activity_data(
        starts_at=start, ends_at=start + timedelta(hours=2), signup_deadline=start - timedelta(minutes=30)))
    assert _row(row.id).reminded_2h_at is None
    assert reminders.remind(row.id, 2) == 1  # keyed by the start: a new message
    assert _notes(v.id, f"activity:{a.id}:remind:2:") == 2
    assert _notes(v.id, f"activity:{a.id}:changed:") == 1  # and told of the new time at once
    later = utcnow() + timedelta(days=3)
    services.edit(people["coordinator"], a.id, activity_data(
        starts_at=later, ends_at=later + timedelta(hours=2), signup_deadline=later - timedelta(days=1)))
    assert _planned(row.id) == [2, 24]  # none before (both times were past at sign-up), two for the new time
