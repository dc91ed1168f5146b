"""Events queued when Redis loses its data are sent again and handled: none is lost."""
from sqlalchemy import func, select

from tests.chaos.conftest import wait_for
from volunteer.events import services as events
from volunteer.events.models import OutboxEvent
from volunteer.extensions import db


def _unhandled():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.handled_at.is_(None)))


def test_events_queued_before_redis_restarts_empty_are_all_handled(app, redis_server, start_worker,
                                                                   monkeypatch):
    for n in range(3):
        events.emit("organisation.created", f"organisation:{n + 1}", organisation_id=n + 1)
    db.session.commit()
    queue = app.extensions["rq_queues"]["default"]
    assert queue.count == 3 and _unhandled() == 3

    redis_server.kill()
    redis_server.start()  # without persistence: the three jobs are gone
    assert queue.count == 0

    monkeypatch.setenv("OUTBOX_RESEND_SECONDS", "2")
    start_worker()
    wait_for(lambda: _unhandled() == 0, 60)
