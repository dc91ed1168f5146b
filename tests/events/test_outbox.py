"""The outbox: events commit with their change, go to RQ after commit, survive a Redis outage."""
from datetime import timedelta

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq.exceptions import NoSuchJobError
from rq.job import JobStatus
from sqlalchemy import func, select

from volunteer.accounts.models import User
from volunteer.events import services as events
from volunteer.events.models import OutboxEvent
from volunteer.extensions import db
from volunteer.tasks import AppJob, get_queue
from volunteer.types import utcnow


@pytest.fixture(autouse=True)
def outbox(app):
    events.init_app(app)  # idempotent; a no-op once create_app wires it
    return app


def add_user(n=1):
    user = User(phone=f"+86139{n:08d}", name=f"测试{n}", password_hash="x", role="volunteer")
    db.session.add(user)
    db.session.flush()
    return user


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def reload(event_id):
    """The event as the database has it now (dispatch works in a session of its own)."""
    db.session.expire_all()
    return db.session.get(OutboxEvent, event_id)


def fetch(job_id):
    q = get_queue()
    return AppJob.fetch(job_id, connection=q.connection, serializer=q.serializer)


@pytest.fixture
def redis_down(app):
    """Point every queue at a dead Redis; yields a function that restores the real one."""
    good = {name: q.connection for name, q in app.extensions["rq_queues"].items()}
    dead = redis.Redis(unix_socket_path="/nonexistent/redis.sock", retry=Retry(NoBackoff(), 0))
    for q in app.extensions["rq_queues"].values():
        q.connection = dead

    def restore():
        for name, q in app.extensions["rq_queues"].items():
            q.connection = good[name]

    yield restore
    restore()


def test_a_rolled_back_event_is_gone_and_a_committed_one_is_dispatched_and_run(app, run_worker):
    add_user(1)
    events.emit("child.created", "child:1", child_id=1)
    db.session.flush()
    db.session.rollback()
    assert count(OutboxEvent) == 0 and count(User) == 0
    assert get_queue().count == 0 and events._PENDING not in db.session.info  # ids forgotten

    user = add_user(2)
    ev = events.emit("child.created", "child:2", child_id=2, by=user.id)
    assert get_queue().count == 0  # nothing leaves before the commit
    db.session.commit()
    row = reload(ev.id)
    assert row.dispatched_at is not None and row.attempts == 1 and row.last_error == ""
    assert get_queue().job_ids == [f"evt-{ev.id}-0"]
    job = fetch(f"evt-{ev.id}-0")
    assert job.args == [ev.id]  # the event id, nothing else
    assert run_worker() == 1
    assert fetch(f"evt-{ev.id}-0").return_value() == "child.created"


def test_a_savepoint_release_is_not_the_commit(app):
    with db.session.begin_nested():
        ev = events.emit("need.created", "need:3", need_id=3)
    assert get_queue().count == 0
    assert reload(ev.id).dispatched_at is None
    db.session.commit()
    assert reload(ev.id).dispatched_at is not None
    assert get_queue().count == 1


def test_redis_down_at_commit_keeps_the_data_and_reconcile_sends_the_event_later(app, redis_down, run_worker):
    add_user(3)
    ev = events.emit("wish.created", "wish:9", wish_id=9)
    db.session.commit()  # must not raise
    assert count(User) == 1
    row = reload(ev.id)
    assert row.dispatched_at is None and row.attempts == 1 and row.last_error == "ConnectionError"

    assert events.reconcile(older_than_seconds=0) == 0  # still down: no harm, one more attempt
    assert reload(ev.id).attempts == 2
    redis_down()
    assert events.reconcile() == 0  # too fresh for the default age
    assert events.reconcile(older_than_seconds=0) == 1
    row = reload(ev.id)
    assert row.dispatched_at is not None and row.last_error == ""
    assert run_worker() == 1
    assert events.reconcile(older_than_seconds=0) == 0
    assert run_worker() == 0


def test_a_resend_while_the_job_is_still_queued_is_not_a_duplicate(app, run_worker):
    ev = events.emit("child.updated", "child:4", child_id=4)
    db.session.commit()
    reload(ev.id).dispatched_at = None  # as if the dispatched mark was lost
    db.session.commit()
    assert events.reconcile(older_than_seconds=0) == 1
    assert get_queue().job_ids == [f"evt-{ev.id}-0"]
    assert run_worker() == 1


@pytest.mark.parametrize("bad", [{"child_id": 1}, "x" * 200, 3.5, True, "王小明", None])
def test_emit_refuses_anything_but_ids(app, bad):
    with pytest.raises(ValueError):
        events.emit("child.updated", "child:1", child_id=bad)
    assert not db.session.new


@pytest.mark.parametrize("topic, subject", [("child.renamed", "child:1"), ("child.updated", "王小明"),
                                            ("child.updated", "child:" + "9" * 40)])
def test_emit_refuses_unknown_topics_and_odd_subjects(app, topic, subject):
    with pytest.raises(ValueError):
        events.emit(topic, subject, child_id=1)


def test_erase_subject_removes_its_events_and_their_queued_jobs(app, run_worker, redis_conn):
    a = events.emit("child.created", "child:7", child_id=7)
    b = events.emit("child.updated", "child:7", child_id=7)
    other = events.emit("child.created", "child:8", child_id=8)
    db.session.commit()
    erased, kept = [a.id, b.id], other.id
    assert get_queue().count == 3

    assert events.erase_subject("child:7") == 2
    db.session.commit()
    assert db.session.scalars(select(OutboxEvent.id)).all() == [kept]
    assert get_queue().job_ids == [f"evt-{kept}-0"]
    for event_id in erased:
        with pytest.raises(NoSuchJobError):
            fetch(f"evt-{event_id}-0")
        assert not redis_conn.exists(f"rq:job:evt-{event_id}-0")
    assert events.erase_subject("child:8") == 1
    db.session.commit()
    assert get_queue().count == 0 and count(OutboxEvent) == 0
    assert events.erase_subject("child:8") == 0
    assert run_worker() == 0


def test_a_job_for_an_erased_event_is_a_quiet_no_op(app, run_worker):
    get_queue().enqueue("jobs.events.handle", 12345, job_id="late")
    assert run_worker() == 1
    job = fetch("late")
    assert job.get_status() == JobStatus.FINISHED and job.return_value() is None


def test_handling_an_event_twice_does_no_harm(app, run_worker, monkeypatch):
    seen = []
    monkeypatch.setitem(events.EFFECTS, "need.updated", lambda ev, ids: seen.append((ev.id, ids)))
    ev = events.emit("need.updated", "need:5", need_id=5, skill_id=2)
    db.session.commit()
    before = reload(ev.id)
    before = (before.dispatched_at, before.attempts, before.payload)
    assert run_worker() == 1
    get_queue().enqueue("jobs.events.handle", ev.id, job_id="again")
    assert run_worker() == 1
    assert seen == [(ev.id, {"need_id": 5, "skill_id": 2})] * 2
    assert fetch("again").return_value() == fetch(f"evt-{ev.id}-0").return_value() == "need.updated"
    assert get_queue().failed_job_registry.count == 0
    row = reload(ev.id)
    assert (row.dispatched_at, row.attempts, row.payload) == before
    assert count(OutboxEvent) == 1


def test_extra_handlers_from_the_registry_each_get_a_job(app, run_worker, monkeypatch):
    monkeypatch.setitem(events.HANDLERS, "organisation.created", list(events.HANDLERS["organisation.created"]))
    events.register("organisation.created", "jobs.events.handle", "notifications")
    with pytest.raises(ValueError):
        events.register("organisation.created", "jobs.events.handle", "nowhere")
    ev = events.emit("organisation.created", "organisation:1", organisation_id=1)
    db.session.commit()
    assert get_queue("default").job_ids == [f"evt-{ev.id}-0"]
    assert get_queue("notifications").job_ids == [f"evt-{ev.id}-1"]
    assert run_worker() == 2


def emitting_job(child_id: int) -> int:
    """A job that changes data and emits an event (commits inside a job)."""
    ev = events.emit("child.updated", f"child:{child_id}", child_id=child_id)
    db.session.commit()
    return ev.id


def test_commits_in_jobs_and_views_dispatch_too(app, client, run_worker):
    get_queue().enqueue("tests.events.test_outbox.emitting_job", 6, job_id="emitter")
    assert run_worker() == 2  # the job, then the handler its commit dispatched
    event_id = fetch("emitter").return_value()
    assert reload(event_id).dispatched_at is not None
    assert fetch(f"evt-{event_id}-0").return_value() == "child.updated"

    def view():
        ev = events.emit("wish.updated", "wish:3", wish_id=3)
        db.session.commit()
        return str(ev.id)

    app.add_url_rule("/_test/emit", "test_emit", view, methods=["POST"])
    event_id = int(client.post("/_test/emit").get_data(as_text=True))
    assert reload(event_id).dispatched_at is not None
    assert get_queue().job_ids == [f"evt-{event_id}-0"]


def test_commits_with_synchronous_queues_run_the_handler_at_once(database_url, redis_url, instance_dir, app):
    from tests.conftest import make_test_app

    sync_app = make_test_app(database_url, redis_url, instance_dir, RQ_ASYNC=False)
    with sync_app.app_context():
        events.init_app(sync_app)
        ev = events.emit("child.deleted", "child:11", child_id=11)
        db.session.commit()
        assert reload(ev.id).dispatched_at is not None
        job = fetch(f"evt-{ev.id}-0")
        assert job.get_status() == JobStatus.FINISHED and job.return_value() == "child.deleted"
        db.session.remove()


def test_the_reconciler_sends_old_events_and_keeps_itself_scheduled(app, redis_down, run_worker):
    ev = events.emit("child.created", "child:20", child_id=20)
    db.session.commit()
    redis_down()
    reload(ev.id).created_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    assert events.start_reconciler() is True
    assert events.start_reconciler() is False  # queued already
    assert run_worker() == 2  # the reconciler, then the event's handler it sent
    assert reload(ev.id).dispatched_at is not None
    q = get_queue()
    assert events.RECONCILER_ID in q.scheduled_job_registry.get_job_ids()
    assert events.start_reconciler() is False and events.schedule_reconciler() is False
    assert q.scheduled_job_registry.count == 1 and q.count == 0


def test_the_events_commands(app, redis_down):
    events.emit("child.created", "child:30", child_id=30)
    events.emit("child.created", "child:31", child_id=31)
    events.emit("need.created", "need:1", need_id=1)
    db.session.commit()
    redis_down()
    runner = app.test_cli_runner()
    out = runner.invoke(args=["events", "list"]).output
    assert "child.created\t2" in out and "need.created\t1" in out and "total undispatched: 3" in out
    out = runner.invoke(args=["events", "reconcile", "--older-than", "0"]).output
    assert "re-sent 3 event(s)" in out
    assert "total undispatched: 0" in runner.invoke(args=["events", "list"]).output


def test_an_event_is_done_only_once_its_handler_job_has_run(app, run_worker):
    ev = events.emit("child.created", "child:7", child_id=7)
    db.session.commit()
    assert reload(ev.id).dispatched_at is not None and reload(ev.id).handled_at is None
    run_worker()
    assert reload(ev.id).handled_at is not None
    assert events.mark_handled(f"evt-{ev.id}-0") is True  # twice is harmless
    assert events.mark_handled("not-an-event-job") is False


def test_a_dispatched_event_whose_job_redis_lost_is_sent_again_and_then_handled(app, run_worker):
    app.config["OUTBOX_RESEND_SECONDS"] = 0
    ev = events.emit("child.created", "child:8", child_id=8)
    db.session.commit()
    app.extensions["redis"].flushdb()  # Redis restarted without its data
    assert events.reconcile(older_than_seconds=0) == 1
    assert events.reconcile(older_than_seconds=0) == 0  # the job is in Redis again: not sent twice
    run_worker()
    assert reload(ev.id).handled_at is not None
    assert events.reconcile(older_than_seconds=0) == 0


def test_a_young_unhandled_event_is_not_sent_again(app):
    ev = events.emit("child.created", "child:9", child_id=9)
    db.session.commit()
    app.extensions["redis"].flushdb()
    assert events.reconcile(older_than_seconds=0) == 0  # OUTBOX_RESEND_SECONDS (120) not yet passed
    assert reload(ev.id).handled_at is None


def test_deferred_dispatch_sends_a_jobs_committed_events_when_asked_and_at_the_end(app):
    with events.deferred_dispatch() as send:
        ids = []
        for n in range(3):
            ev = events.emit("child.created", f"child:{20 + n}", child_id=20 + n)
            db.session.commit()
            ids.append(ev.id)
        assert get_queue().count == 0 and all(reload(i).dispatched_at is None for i in ids)
        assert send() == 3 and get_queue().count == 3
        last = events.emit("child.created", "child:30", child_id=30)
        db.session.commit()
        assert get_queue().count == 3
    assert get_queue().count == 4 and reload(last.id).dispatched_at is not None
    ev = events.emit("child.created", "child:31", child_id=31)
    db.session.commit()
    assert reload(ev.id).dispatched_at is not None  # outside the block: after each commit again
