"""Domain events through a transactional outbox.

`emit()` adds an OutboxEvent (topic, subject, ids) to the caller's transaction, so the event exists
exactly when the change that caused it was committed. After that commit the new events are handed
to RQ (one job per handler in HANDLERS, deterministic job ids `evt-<event id>-<handler index>`, the
event id as the only argument). When Redis is unreachable the event simply stays undispatched and
`reconcile()` (run every minute by the `outbox-reconciler` job, or `flask events reconcile`) sends
it later. An event is done (handled_at) once every handler's job has run to its end, not once queued:
a dispatched event whose job is gone from Redis (Redis restarted without its data) is sent again after
OUTBOX_RESEND_SECONDS. Jobs are idempotent, so a duplicate run does no harm.
"""
import json
import re
from contextlib import contextmanager
from datetime import timedelta

import redis
from flask import current_app
from rq import Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..tasks import QUEUES, AppJob, get_queue, periodic
from ..types import utcnow
from .models import OutboxEvent, OutboxHandled

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

_JOB_ID = re.compile(r"evt-(\d+)-(\d+)", re.ASCII)
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}", re.ASCII)
_SUBJECT = re.compile(r"[a-z][a-z_]*:[A-Za-z0-9_.-]{1,32}", re.ASCII)
_PENDING = "outbox_pending_ids"  # session.info key: ids of events flushed in the open transaction
_DEFERRED = "outbox_deferred_ids"  # session.info key: committed ids a batch job will send (deferred_dispatch)


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
    sent = []
    for n, ev in enumerate(events):
        try:
            _enqueue_handlers(ev.id, ev.topic)
        except redis.RedisError as exc:
            current_app.logger.warning("redis unreachable; event %s stays undispatched", ev.id)
            failed = [e.id for e in events[n:]]  # Redis is down: do not wait on it once per event
            db.session.execute(
                update(OutboxEvent).where(OutboxEvent.id.in_(failed), OutboxEvent.dispatched_at.is_(None))
                .values(attempts=OutboxEvent.attempts + 1, last_error=type(exc).__name__[:200]))
            break
        sent.append(ev.id)
    # One write for the batch: a crash before it only means a re-send, and a re-sent job id is refused.
    for chunk in range(0, len(sent), 500):
        db.session.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(sent[chunk:chunk + 500]), OutboxEvent.dispatched_at.is_(None))
            .values(dispatched_at=utcnow(), attempts=OutboxEvent.attempts + 1, last_error=""))
    db.session.commit()
    return len(sent)


def _enqueue_handlers(event_id: int, topic: str) -> None:
    for index, (func_path, queue) in enumerate(HANDLERS.get(topic, [])):
        try:
            get_queue(queue).enqueue(func_path, event_id, job_id=job_id(event_id, index), unique=True,
                                     retry=Retry(max=JOB_RETRY[0], interval=JOB_RETRY[1]), **JOB_OPTIONS)
        except DuplicateJobError:
            pass  # already handed over (an earlier try got this far): not sent twice


def reconcile(older_than_seconds: float = 30, limit: int = 1000) -> int:
    """Re-send events still undispatched after older_than_seconds (Redis was down), and dispatched
    events whose jobs were lost; return how many went. A job still in Redis is never sent twice."""
    return (dispatch_pending_events(limit=limit, older_than_seconds=older_than_seconds)
            + resend_lost(limit=limit))


def is_event_job(rq_job_id: str) -> bool:
    """Whether an RQ job id is one of an event's handler jobs (`evt-<event>-<handler>`)."""
    return bool(_JOB_ID.fullmatch(rq_job_id or ""))


def mark_handled(rq_job_id: str) -> bool:
    """Record that an event job (`evt-<event>-<handler>`) ran to its end; the event is done once all
    its handlers have. Safe twice. False for a job id that is no event job (or an erased event)."""
    match = _JOB_ID.fullmatch(rq_job_id or "")
    if not match:
        return False
    event_id, handler = int(match[1]), int(match[2])
    ev = db.session.get(OutboxEvent, event_id)
    if ev is None:
        return False
    insert = (sqlite_insert if db.engine.dialect.name == "sqlite" else pg_insert)(OutboxHandled)
    db.session.execute(insert.values(event_id=event_id, handler=handler, handled_at=utcnow())
                       .on_conflict_do_nothing())
    done = db.session.scalar(select(func.count()).where(OutboxHandled.event_id == event_id))
    if done >= len(HANDLERS.get(ev.topic, [])):
        db.session.execute(update(OutboxEvent).where(OutboxEvent.id == event_id, OutboxEvent.handled_at.is_(None))
                           .values(handled_at=utcnow()))
    db.session.commit()
    return True


def resend_lost(limit: int = 1000) -> int:
    """Hand again the handler jobs of events dispatched OUTBOX_RESEND_SECONDS ago or more, not yet
    handled, whose RQ job no longer exists; return how many jobs went."""
    cutoff = utcnow() - timedelta(seconds=current_app.config.get("OUTBOX_RESEND_SECONDS", 120))
    rows = db.session.execute(
        select(OutboxEvent.id, OutboxEvent.topic).where(
            OutboxEvent.dispatched_at.is_not(None), OutboxEvent.dispatched_at <= cutoff,
            OutboxEvent.handled_at.is_(None)).order_by(OutboxEvent.id).limit(limit)).all()
    handled = set(db.session.execute(select(OutboxHandled.event_id, OutboxHandled.handler).where(
        OutboxHandled.event_id.in_([r.id for r in rows]))).all()) if rows else set()
    db.session.rollback()  # end the read transaction (SQLite) before talking to Redis
    sent = 0
    for ev in rows:
        before = sent
        for index, (func_path, queue_name) in enumerate(HANDLERS.get(ev.topic, [])):
            if (ev.id, index) in handled:
                continue
            queue = get_queue(queue_name)
            try:
                AppJob.fetch(job_id(ev.id, index), connection=queue.connection, serializer=queue.serializer)
                continue  # still queued, running, retrying or failed in Redis: not lost
            except NoSuchJobError:
                pass
            queue.enqueue(func_path, ev.id, job_id=job_id(ev.id, index),
                          retry=Retry(max=JOB_RETRY[0], interval=JOB_RETRY[1]), **JOB_OPTIONS)
            sent += 1
        if sent > before:
            db.session.execute(update(OutboxEvent).where(OutboxEvent.id == ev.id)
                               .values(attempts=OutboxEvent.attempts + 1))
            db.session.commit()
    return sent


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
    if _DEFERRED in session.info:  # a batch job sends them every so often (deferred_dispatch)
        session.info[_DEFERRED].extend(ids)
        return
    try:
        # This session may not emit SQL now, so the events go out in a fresh app context's session.
        dispatch_pending_events(limit=len(ids), ids=sorted(ids))
    except Exception:  # never fail the caller's (already committed) work; reconcile() catches up
        current_app.logger.exception("outbox dispatch after commit failed; reconcile will resend")


@contextmanager
def deferred_dispatch():
    """For a job that commits many changes: their events go to RQ when it calls send() (say every 50
    changes) and at the end, in one round each, instead of one dispatch after every commit. A crash in
    between leaves them undispatched: the reconciler sends them."""
    session = db.session()
    session.info[_DEFERRED] = []

    def send() -> int:
        ids, session.info[_DEFERRED] = session.info[_DEFERRED], []
        return dispatch_pending_events(limit=len(ids), ids=sorted(ids)) if ids else 0

    try:
        yield send
        send()
    finally:
        session.info.pop(_DEFERRED, None)


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
