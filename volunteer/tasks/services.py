"""Enqueue jobs with a job-table row, track their status, report progress."""
import importlib
import json
import uuid

import redis
from flask import current_app
from rq import Retry, get_current_job
from sqlalchemy import select

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


def dispatch_pending(limit: int = 500) -> int:
    """Hand every still-pending job row to RQ (after Redis was down); return how many went."""
    rows = db.session.scalars(
        select(JobRecord).where(JobRecord.status == "pending").order_by(JobRecord.id).limit(limit)).all()
    return sum(dispatch(r) for r in rows)


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


def get_for(rq_id: str, user) -> JobRecord | None:
    """Return a job row its owner (or an admin/coordinator) may see, else None."""
    rec = db.session.scalar(select(JobRecord).where(JobRecord.rq_id == rq_id))
    if rec is None:
        return None
    if rec.owner_id == user.id or user.is_staff:
        return rec
    return None


def _subject_in_scope(user, subject: str) -> bool:
    """Whether a job's subject ("child:12") lies in a staff user's scope (jobs about no child: yes)."""
    kind, _sep, ident = (subject or "").partition(":")
    if kind != "child" or not ident.isdigit():
        return True
    from .. import access
    from ..children.models import Child

    child = db.session.get(Child, int(ident))
    return child is None or access.child_in_scope(user, child)


def failed_for(user, limit: int = 100) -> list[JobRecord]:
    """Failed jobs a coordinator may see (their own, or about children in their scope), newest first."""
    rows = db.session.scalars(select(JobRecord).where(JobRecord.status == "failed")
                              .order_by(JobRecord.id.desc()).limit(limit * 3)).all()
    return [r for r in rows if r.owner_id == user.id or _subject_in_scope(user, r.subject)][:limit]


def retry(rec: JobRecord) -> JobRecord:
    """Run a failed job again as a new run (jobs are idempotent); the failed row is marked retried."""
    again = record(rec.func, *json.loads(rec.args), kind=rec.kind, queue=rec.queue, owner_id=rec.owner_id,
                   subject=rec.subject)
    rec.status = "retried"
    db.session.commit()
    dispatch(again)
    return again
