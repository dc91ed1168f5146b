"""Enqueue jobs with a job-table row, track their status, report progress."""
import importlib
import json
import uuid
from datetime import timedelta

import redis
from flask import current_app
from rq import Retry, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import func as sql_func, select

from .. import access
from ..extensions import db
from ..types import utcnow
from . import get_queue
from .models import JobRecord


class NotIds(ValueError):
    """A job argument was not an id: jobs carry ids, never personal data."""


def _check_ids(args):
    for a in args:
        if isinstance(a, bool) or not isinstance(a, (int, str)) or (isinstance(a, str) and len(a) > 64):
            raise NotIds(f"job arguments must be ids, got {type(a).__name__}")


def record(func: str, *args, kind: str, queue: str = "default", owner_id=None, subject: str = "") -> JobRecord:
    """Add a pending job row to the current transaction; it is handed to RQ after commit.

    subject ("child:12") names the record the job is about, so erasing that record can cancel it.
    """
    _check_ids(args)
    rec = JobRecord(rq_id=uuid.uuid4().hex, kind=kind, queue=queue, func=func, subject=subject,
                    args=json.dumps(list(args)), owner_id=owner_id, status="pending")
    db.session.add(rec)
    return rec


# Jobs are idempotent, so a failed run is simply tried again later (needs the worker's scheduler).
DEFAULT_OPTIONS = {"job_timeout": 300, "retry": Retry(max=3, interval=[10, 60, 300]), "failure_ttl": 7 * 86400}
# Per-function timeout and retry policy, declared by the job modules (jobs/*.py: POLICIES).
JOB_OPTIONS: dict[str, dict] = {}


def declare(func: str, timeout: int, retries: int, intervals=(10, 60, 300)) -> dict:
    """Declare a job function's timeout (s) and retry policy; used whenever it is enqueued."""
    JOB_OPTIONS[func] = {"job_timeout": timeout, "retry": Retry(max=retries, interval=list(intervals))
                         if retries else None}
    return JOB_OPTIONS[func]


def policy(func: str) -> dict:
    """The declared options of a job function (importing its module declares them), else {}."""
    if func not in JOB_OPTIONS:
        try:
            importlib.import_module(func.rsplit(".", 1)[0])
        except ImportError:
            return {}
    return JOB_OPTIONS.get(func, {})


def dispatch(rec: JobRecord, at=None, **options) -> bool:
    """Hand a committed pending row to RQ (at: an aware datetime, run then by the worker's scheduler);
    False (row stays pending) when Redis is unreachable."""
    try:
        queue = get_queue(rec.queue)
        options = {**DEFAULT_OPTIONS, **policy(rec.func), **options}
        if at is not None:
            queue.enqueue_at(at, rec.func, *json.loads(rec.args), job_id=rec.rq_id, **options)
        else:
            queue.enqueue(rec.func, *json.loads(rec.args), job_id=rec.rq_id, **options)
    except redis.RedisError:
        current_app.logger.warning("redis unreachable; job %s stays pending", rec.rq_id)
        return False
    db.session.execute(
        JobRecord.__table__.update()
        .where(JobRecord.id == rec.id, JobRecord.status == "pending")
        .values(status="queued"))
    db.session.commit()
    return True


def enqueue(func: str, *args, kind: str, queue: str = "default", owner_id=None, subject: str = "",
            **options) -> JobRecord:
    """Record and hand over a job in one step (commits the current transaction)."""
    rec = record(func, *args, kind=kind, queue=queue, owner_id=owner_id, subject=subject)
    db.session.commit()
    dispatch(rec, **options)
    return rec


def dispatch_pending(limit: int = 500, older_than_seconds: float = 0) -> int:
    """Hand still-pending job rows to RQ (after Redis was down); return how many went.

    older_than_seconds leaves young rows to the request that recorded them and is dispatching them now.
    """
    query = select(JobRecord).where(JobRecord.status == "pending")
    if older_than_seconds:
        query = query.where(JobRecord.created_at <= utcnow() - timedelta(seconds=older_than_seconds))
    rows = db.session.scalars(query.order_by(JobRecord.id).limit(limit)).all()
    sent = 0
    for rec in rows:
        if not dispatch(rec):
            break  # Redis is away again: the next round tries the rest
        sent += 1
    return sent


def settle_lost(grace_seconds: float = 30, limit: int = 1000) -> int:
    """Settle job rows whose RQ job ended or vanished without them knowing (a killed worker or horse,
    Redis emptied): failed in RQ, or gone while started -> failed (listed for a retry); gone while
    queued -> handed over again (it never ran). Return how many rows changed."""
    young = utcnow() - timedelta(seconds=grace_seconds)
    rows = db.session.scalars(select(JobRecord).where(JobRecord.status.in_(("queued", "started")))
                              .order_by(JobRecord.id).limit(limit)).all()
    changed = 0
    for rec in rows:
        rq_status = _rq_status(rec)
        if rq_status == "gone" and (rec.created_at is None or rec.created_at > young):
            continue  # just handed over: RQ may not have it yet
        if rq_status == "gone" and rec.status == "queued":
            db.session.execute(JobRecord.__table__.update().where(
                JobRecord.id == rec.id, JobRecord.status == "queued").values(status="pending"))
            db.session.commit()
            changed += dispatch(rec)
        elif rq_status in ("gone", JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            error = "lost" if rq_status == "gone" else f"rq: {rq_status.value}"
            result = db.session.execute(JobRecord.__table__.update().where(
                JobRecord.id == rec.id, JobRecord.status == rec.status).values(
                status="failed", finished_at=utcnow(), error=error))
            db.session.commit()
            changed += result.rowcount
    return changed


def _rq_status(rec: JobRecord):
    queue = get_queue(rec.queue)
    try:
        return Job.fetch(rec.rq_id, connection=queue.connection, serializer=queue.serializer).get_status()
    except NoSuchJobError:
        return "gone"


def mark(rq_id: str, status: str, error: str = "") -> None:
    """Set a job row's status (called by the worker around every job)."""
    values = {"status": status}
    if status == "started":
        values["started_at"] = utcnow()
    elif status in ("finished", "failed"):
        values["finished_at"] = utcnow()
        values["error"] = error[:200]
        if status == "finished":
            values["progress"] = 100
    db.session.execute(JobRecord.__table__.update().where(JobRecord.rq_id == rq_id).values(**values))
    db.session.commit()


def progress(done: int, total: int, message: str = "") -> None:
    """Report progress of the running job in job.meta and in its job row."""
    pct = 100 if total <= 0 else min(100, int(done * 100 / total))
    job = get_current_job()
    if job is None:
        return
    job.meta.update(progress=pct, done=done, total=total, message=message)
    job.save_meta()
    db.session.execute(JobRecord.__table__.update().where(JobRecord.rq_id == job.id)
                       .values(progress=pct, message=message[:200]))
    db.session.commit()


# The message of a job row whose run found its subject changed since it was asked for (shown translated).
STALE = "stale"
# ... whose work another run of the same thing was doing at that moment (it did nothing).
BUSY = "busy"


def note(message: str) -> None:
    """Set the running job's message on its job row (e.g. STALE)."""
    job = get_current_job()
    if job is not None:
        db.session.execute(JobRecord.__table__.update().where(JobRecord.rq_id == job.id)
                           .values(message=message[:200]))
        db.session.commit()


def get_for(rq_id: str, user) -> JobRecord | None:
    """Return a job row the user may see (access.may_see_job), else None."""
    rec = db.session.scalar(select(JobRecord).where(JobRecord.rq_id == rq_id))
    return rec if rec is not None and access.may_see_job(user, rec) else None


def failed_for(user, limit: int = 100) -> list[JobRecord]:
    """Failed jobs a user may see (access.may_see_job: their own, or about records in their scope), newest
    first."""
    return db.session.scalars(select(JobRecord).where(JobRecord.status == "failed", access.job_seen_clause(user))
                              .order_by(JobRecord.id.desc()).limit(limit)).all()


def failed_count(user) -> int:
    """How many jobs failed_for(user) lists in all (one count query)."""
    return db.session.scalar(select(sql_func.count(JobRecord.id)).where(JobRecord.status == "failed",
                                                                    access.job_seen_clause(user)))


def retry(rec: JobRecord) -> JobRecord:
    """Run a failed job again as a new run (jobs are idempotent); the failed row is marked retried."""
    again = record(rec.func, *json.loads(rec.args), kind=rec.kind, queue=rec.queue, owner_id=rec.owner_id,
                   subject=rec.subject)
    rec.status = "retried"
    db.session.commit()
    dispatch(again)
    return again
