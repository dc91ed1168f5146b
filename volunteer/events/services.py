"""Domain events through a transactional outbox.

`emit()` adds an OutboxEvent (topic, subject, ids) to the caller's transaction, so the event exists
exactly when the change that caused it was committed. After that commit the new events are handed
to RQ (one job per handler in HANDLERS, deterministic job ids `evt-<event id>-<handler index>`, the
event id as the only argument). When Redis is unreachable the event simply stays undispatched and
`reconcile()` (run every minute by the `outbox-reconciler` job, or `flask events reconcile`) sends
it later. Jobs are idempotent, so a duplicate run does no harm.
"""
import json
import re
from datetime import timedelta

import redis
from flask import current_app
from rq import Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from sqlalchemy import delete, event, func, select, update

from ..extensions import db
from ..tasks import QUEUES, AppJob, get_queue, periodic
from ..types import utcnow
from .models import OutboxEvent

GENERIC = ("jobs.events.handle", "default")

# topic -> [(job function dotted path, queue name)]: the one place to add what an event triggers.
HANDLERS: dict[str, list[tuple[str, str]]] = {
    topic: [GENERIC]
    for topic in ("child.created", "child.updated", "child.deleted", "need.created", "need.updated",
                  "wish.created", "wish.updated", "organisation.created")
}

# topic -> effect(event, ids): in-process work the generic job `jobs.events.handle` does for a topic.
# Effects must be idempotent (a job may run twice). None yet.
EFFECTS: dict[str, object] = {}

# Event jobs are idempotent, so a failed run is simply tried again later (needs the worker's scheduler).
JOB_OPTIONS = {"job_timeout": 300, "failure_ttl": 7 * 86400}
JOB_RETRY = (3, [10, 60, 300])

RECONCILER_ID = "outbox-reconciler"
RECONCILER_FUNC = "jobs.events.reconcile_outbox"
RECONCILE_EVERY = timedelta(seconds=60)

_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}", re.ASCII)
_SUBJECT = re.compile(r"[a-z][a-z_]*:[A-Za-z0-9_.-]{1,32}", re.ASCII)
_PENDING = "outbox_pending_ids"  # session.info key: ids of events flushed in the open transaction


def register(topic: str, func_path: str, queue: str = "default") -> None:
    """Make events of topic also run the job func_path (dotted path, takes the event id) on queue."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    handlers = HANDLERS.setdefault(topic, [])
    if (func_path, queue) not in handlers:
        handlers.append((func_path, queue))


def job_id(event_id: int, index: int) -> str:
    """The RQ job id of an event's index-th handler (deterministic: a re-send is not a duplicate)."""
    return f"evt-{event_id}-{index}"


def emit(topic: str, subject: str, **ids) -> OutboxEvent:
    """Add an event to the current transaction (not committed here: it commits with the change).

    subject ("child:12") names the record the event is about, so erasing that record erases its
    events; ids are the payload and must be ids only (ints or short id-like strings).
    """
    if topic not in HANDLERS:
        raise ValueError(f"unknown event topic {topic!r}")
    if not isinstance(subject, str) or len(subject) > 40 or not _SUBJECT.fullmatch(subject):
        raise ValueError("event subject must look like 'child:12'")
    for key, value in ids.items():
        if isinstance(value, bool) or not isinstance(value, (int, str)) or (
                isinstance(value, str) and not _ID.fullmatch(value)):
            raise ValueError(f"event payload must be ids only; {key} is a {type(value).__name__}")
    ev = OutboxEvent(topic=topic, subject=subject, payload=json.dumps(ids, sort_keys=True),
                     attempts=0, last_error="")
    db.session.add(ev)
    return ev


# --- handing events to RQ -------------------------------------------------------------------------

def dispatch_pending_events(limit: int = 100, older_than_seconds: float | None = None, ids=None) -> int:
    """Hand undispatched events (oldest first) to RQ; return how many went.

    Runs in a session of its own (a fresh app context), so it never commits or touches the caller's
    session. A Redis error never raises: the event stays undispatched with attempts + 1 and
    last_error set, and the rest of the batch waits for the next try.
    """
    app = current_app._get_current_object()
    with app.app_context():  # a new app context = a new db.session, separate from the caller's
        return _send(limit, older_than_seconds, ids)


def _send(limit, older_than_seconds, ids) -> int:
    query = select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None)).order_by(OutboxEvent.id)
    if older_than_seconds is not None:
        query = query.where(OutboxEvent.created_at <= utcnow() - timedelta(seconds=older_than_seconds))
    if ids is not None:
        query = query.where(OutboxEvent.id.in_(list(ids)))
    events = db.session.execute(query.with_only_columns(OutboxEvent.id, OutboxEvent.topic).limit(limit)).all()
    db.session.rollback()  # end the read transaction (SQLite) before talking to Redis
    sent = 0
    for n, ev in enumerate(events):
        try:
            _enqueue_handlers(ev.id, ev.topic)
        except redis.RedisError as exc:
            current_app.logger.warning("redis unreachable; event %s stays undispatched", ev.id)
            failed = [e.id for e in events[n:]]  # Redis is down: do not wait on it once per event
            db.session.execute(
                update(OutboxEvent).where(OutboxEvent.id.in_(failed), OutboxEvent.dispatched_at.is_(None))
                .values(attempts=OutboxEvent.attempts + 1, last_error=type(exc).__name__[:200]))
            db.session.commit()
            break
        db.session.execute(
            update(OutboxEvent).where(OutboxEvent.id == ev.id, OutboxEvent.dispatched_at.is_(None))
            .values(dispatched_at=utcnow(), attempts=OutboxEvent.attempts + 1, last_error=""))
        db.session.commit()
        sent += 1
    return sent


def _enqueue_handlers(event_id: int, topic: str) -> None:
    for index, (func_path, queue) in enumerate(HANDLERS.get(topic, [])):
        try:
            get_queue(queue).enqueue(func_path, event_id, job_id=job_id(event_id, index), unique=True,
                                     retry=Retry(max=JOB_RETRY[0], interval=JOB_RETRY[1]), **JOB_OPTIONS)
        except DuplicateJobError:
            pass  # already handed over (an earlier try got this far): not sent twice


def reconcile(older_than_seconds: float = 30, limit: int = 1000) -> int:
    """Re-send events still undispatched after older_than_seconds (Redis was down); return how many
    went. Idempotent: dispatched events are never sent again."""
    return dispatch_pending_events(limit=limit, older_than_seconds=older_than_seconds)


def undispatched_by_topic() -> dict[str, int]:
    """Count the events still waiting for Redis, by topic."""
    rows = db.session.execute(
        select(OutboxEvent.topic, func.count(OutboxEvent.id))
        .where(OutboxEvent.dispatched_at.is_(None)).group_by(OutboxEvent.topic).order_by(OutboxEvent.topic))
    return {topic: count for topic, count in rows}


# --- erasure --------------------------------------------------------------------------------------

def erase_subject(subject: str) -> int:
    """Delete the events about subject ("child:12") and their queued jobs; return how many events.

    The deletion is part of the caller's transaction (not committed here); the RQ jobs are removed at
    once (a job whose event is gone does nothing anyway). Call it before emitting "child.deleted"
    for the same subject, or that event is erased too.
    """
    rows = db.session.execute(
        select(OutboxEvent.id, OutboxEvent.topic).where(OutboxEvent.subject == subject)).all()
    if not rows:
        return 0
    db.session.execute(delete(OutboxEvent).where(OutboxEvent.subject == subject),
                       execution_options={"synchronize_session": "fetch"})
    try:
        for event_id, topic in rows:
            for index, (_func, queue_name) in enumerate(HANDLERS.get(topic, [])):
                queue = get_queue(queue_name)
                try:
                    AppJob.fetch(job_id(event_id, index), connection=queue.connection,
                                 serializer=queue.serializer).delete()
                except NoSuchJobError:
                    pass
    except redis.RedisError:
        current_app.logger.warning("redis unreachable; queued jobs of %s left (they find no event)", subject)
    return len(rows)


# --- the reconciler job ---------------------------------------------------------------------------

def schedule_reconciler(delay: timedelta = RECONCILE_EVERY) -> bool:
    """Schedule the reconciler job (fixed id) to run in delay unless it is already scheduled."""
    return periodic.schedule(RECONCILER_ID, RECONCILER_FUNC, delay)


def start_reconciler() -> bool:
    """Start the self-rescheduling reconciler now unless it is already scheduled, queued or running
    (call it when a worker starts); True if it was enqueued."""
    return periodic.start(RECONCILER_ID, RECONCILER_FUNC)


# --- after-commit trigger -------------------------------------------------------------------------

def _after_flush(session, _flush_context):
    ids = [obj.id for obj in session.new if isinstance(obj, OutboxEvent)]
    if ids:
        session.info.setdefault(_PENDING, set()).update(ids)


def _after_commit(session):
    # A savepoint release is not the real commit: keep the ids until the outermost transaction commits.
    if session.in_nested_transaction():
        return
    ids = session.info.pop(_PENDING, None)
    if not ids:
        return
    try:
        # This session may not emit SQL now, so the events go out in a fresh app context's session.
        dispatch_pending_events(limit=len(ids), ids=sorted(ids))
    except Exception:  # never fail the caller's (already committed) work; reconcile() catches up
        current_app.logger.exception("outbox dispatch after commit failed; reconcile will resend")


def _after_transaction_end(session, transaction):
    if transaction.parent is None:  # the outermost transaction ended (rolled back): forget its ids
        session.info.pop(_PENDING, None)


_LISTENERS = (("after_flush", _after_flush), ("after_commit", _after_commit),
              ("after_transaction_end", _after_transaction_end))


def init_app(app) -> None:
    """Install the after-commit dispatch (once, for every app) and the `flask events` commands.

    The listeners are on db.session's session class, global and app-agnostic: they use the
    current app context, so they work for commits in views, CLI commands and jobs alike.
    """
    for name, fn in _LISTENERS:
        if not event.contains(db.session, name, fn):
            event.listen(db.session, name, fn)
    if not app.extensions.get("outbox"):
        from .cli import register as register_cli

        register_cli(app)
        app.extensions["outbox"] = True
