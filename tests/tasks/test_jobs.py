"""Background jobs: ids-only JSON payloads, a real worker, job rows, progress, Redis outages."""
import json
import zlib

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.tasks import services as tasks
from volunteer.tasks.models import JobRecord

SIGNUP = {"phone": "13800138000", "name": "王小明", "password": "huhang2026go", "confirm": "huhang2026go",
          "consent": "y"}


def sign_up(client, run_worker):
    """Sign up through the pages: the form, then the code the SMS job sent."""
    from tests.accounts.test_signup import sms_code
    from volunteer.notifications import backends

    backends.SENT.clear()
    client.post("/signup", data=SIGNUP)
    assert run_worker() == 1  # the SMS with the code
    assert client.post("/signup/confirm", data={"code": sms_code()}).status_code == 302


def test_welcome_notification_runs_end_to_end_on_a_real_worker(client, run_worker):
    sign_up(client, run_worker)
    assert run_worker() == 1
    note = db.session.scalar(select(Notification))
    assert note.kind == "welcome" and "王小明" in note.title
    assert db.session.scalar(select(JobRecord).where(JobRecord.kind == "welcome")).status == "finished"
    assert "王小明" in client.get("/inbox/").get_data(as_text=True)


def test_running_the_welcome_job_twice_leaves_one_message(client, run_worker, app):
    sign_up(client, run_worker)
    rec = db.session.scalar(select(JobRecord).where(JobRecord.kind == "welcome"))
    run_worker()
    tasks.get_queue(rec.queue).enqueue(rec.func, *json.loads(rec.args))
    assert run_worker() == 1
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_job_payload_in_redis_holds_ids_only(client, redis_conn, run_worker):
    sign_up(client, run_worker)
    recs = db.session.scalars(select(JobRecord)).all()
    assert {r.kind for r in recs} == {"notify", "welcome"}  # the sign-up's SMS, then the welcome
    for rec in recs:
        raw = redis_conn.hget(f"rq:job:{rec.rq_id}", "data")
        payload = zlib.decompress(raw).decode()
        assert all(isinstance(a, int) for a in json.loads(payload)[2])  # (func, instance, args, kwargs)
        for secret in ("王小明", "13800138000", "huhang2026go"):
            assert secret not in payload


@pytest.mark.parametrize("bad", [{"name": "王小明"}, ["13800138000"], 3.5, True])
def test_a_job_refuses_anything_but_ids(app, bad):
    with pytest.raises(tasks.NotIds):
        tasks.enqueue("jobs.notifications.send_welcome", bad, kind="welcome")


def test_a_job_queued_while_redis_is_down_is_sent_later(app, client, run_worker, make_user):
    user = make_user()
    good = app.extensions["rq_queues"]["notifications"].connection
    dead = redis.Redis(unix_socket_path="/nonexistent/redis.sock", retry=Retry(NoBackoff(), 0))
    for q in app.extensions["rq_queues"].values():
        q.connection = dead
    rec = tasks.enqueue("jobs.notifications.send_welcome", user.id, kind="welcome", queue="notifications")
    assert db.session.get(JobRecord, rec.id).status == "pending"
    for q in app.extensions["rq_queues"].values():
        q.connection = good
    assert tasks.dispatch_pending() == 1
    assert run_worker() == 1
    assert db.session.get(JobRecord, rec.id).status == "finished"


def test_a_failing_job_is_marked_failed_with_its_error_kind(app, run_worker):
    rec = tasks.enqueue("jobs.notifications.send_welcome", "not-a-number", kind="welcome")
    run_worker()
    row = db.session.get(JobRecord, rec.id)
    assert row.status in ("finished", "failed")  # a missing user is a no-op, not a crash
    rec2 = tasks.enqueue("tests.tasks.sample_jobs.explode", 1, kind="test")
    run_worker()
    row2 = db.session.get(JobRecord, rec2.id)
    assert row2.status == "failed" and row2.error == "RuntimeError"


def test_progress_is_reported_in_job_meta_and_the_job_row(app, run_worker, make_user, client, login):
    owner = make_user()
    rec = tasks.enqueue("tests.tasks.sample_jobs.count_to", 4, kind="test", owner_id=owner.id)
    run_worker()
    row = db.session.get(JobRecord, rec.id)
    assert (row.status, row.progress, row.message) == ("finished", 100, "4/4")
    job = tasks.get_queue().fetch_job(rec.rq_id)
    assert job.meta["done"] == 4 and job.meta["total"] == 4
    login(owner)
    page = client.get(f"/jobs/{rec.rq_id}", headers={"HX-Request": "true"})
    assert page.status_code == 200 and 'value="100"' in page.get_data(as_text=True)


def test_another_users_job_is_not_found(app, make_user, client, login):
    owner, other = make_user(), make_user()
    rec = tasks.enqueue("tests.tasks.sample_jobs.count_to", 1, kind="test", owner_id=owner.id)
    login(other)
    assert client.get(f"/jobs/{rec.rq_id}").status_code == 404


def test_a_worker_takes_messages_to_people_before_queued_events(app):
    from volunteer.tasks.cli import make_worker

    default, notifications = app.extensions["rq_queues"]["default"], app.extensions["rq_queues"]["notifications"]
    default.enqueue("tests.tasks.sample_jobs.count_to", 1)
    notifications.enqueue("tests.tasks.sample_jobs.count_to", 2)
    job, queue = make_worker(simple=True).dequeue_job_and_maintain_ttl(None)
    assert queue.name == "notifications" and job.args == [2]


def test_workers_clean_up_after_killed_workers_every_minute(app):
    from volunteer.tasks.cli import make_worker

    assert make_worker(simple=True).maintenance_interval == 60  # RQ's default is 600 s
