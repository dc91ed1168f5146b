"""Idempotency keys: an action a phone sends again (no answer came back through a weak signal) returns its
first result instead of running twice.

    run(user_id, key, endpoint, work) -> Result          # work() -> (status, body); once per user and key
    claim(...), finish(...), release(...)                # run's steps
    cleanup(now=None) -> int                             # keys past their KEEP (the visits sweep calls it)

The key's row is inserted before the work starts, in its own transaction: under concurrency the unique
constraint (user_id, key) lets exactly one request through; the others get the first result once it is
stored, or KeyInUse while it runs. A claim whose request died without a result is taken over after STALE
(the services' own checks keep that second run from doubling anything: a helper checks in once, a visit
has one report).
"""
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..database import atomic
from ..extensions import db
from ..types import utcnow
from .models import IdempotencyKey

KEEP = timedelta(days=7)
STALE = timedelta(minutes=2)
KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


class KeyInUse(Exception):
    """Another request with this key is still running: try again in a moment."""


class KeyMismatch(Exception):
    """The key was first used for another action."""


@dataclass
class Result:
    status: int
    body: str
    replayed: bool = False


def valid(key) -> bool:
    """Whether key looks like an idempotency key (8-64 letters, digits, - and _; a UUID fits)."""
    return isinstance(key, str) and KEY.fullmatch(key) is not None


def _row(user_id, key):
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                          IdempotencyKey.key == key))


def claim(user_id: int, key: str, endpoint: str, now=None) -> Result | None:
    """Take the key for this action: None when this request does the work; the stored first result when
    it is done already. KeyInUse while another request works on it; KeyMismatch for another endpoint."""
    now = now or utcnow()
    for _ in range(2):  # a claim released between our insert and our read: insert again
        try:
            with atomic():
                db.session.add(IdempotencyKey(user_id=user_id, key=key, endpoint=endpoint, created_at=now,
                                              expires_at=now + KEEP))
            return None
        except IntegrityError:
            db.session.rollback()
        row = _row(user_id, key)
        if row is None:
            continue
        if row.endpoint != endpoint:
            raise KeyMismatch(key)
        if row.status_code is not None:
            return Result(row.status_code, row.response or "", replayed=True)
        taken = db.session.execute(update(IdempotencyKey).where(
            IdempotencyKey.id == row.id, IdempotencyKey.status_code.is_(None),
            IdempotencyKey.created_at < now - STALE).values(created_at=now)).rowcount
        db.session.commit()
        if taken:
            return None
        raise KeyInUse(key)
    raise KeyInUse(key)


def finish(user_id: int, key: str, status: int, body: str) -> None:
    """Store the first result of the key's action."""
    db.session.rollback()  # whatever the work left unfinished is not ours to commit
    db.session.execute(update(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key, IdempotencyKey.status_code.is_(None))
        .values(status_code=status, response=body))
    db.session.commit()


def release(user_id: int, key: str) -> None:
    """Give the key back when its action failed without a result (an error): a retry runs it again."""
    db.session.rollback()
    db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key, IdempotencyKey.status_code.is_(None)))
    db.session.commit()


def run(user_id: int, key: str, endpoint: str, work) -> Result:
    """Do work() -> (status, body) once for this user and key; a repeat gets the first result back."""
    stored = claim(user_id, key, endpoint)
    if stored is not None:
        return stored
    try:
        status, body = work()
    except BaseException:
        release(user_id, key)
        raise
    finish(user_id, key, status, body)
    return Result(status, body)


def cleanup(now=None) -> int:
    """Forget keys older than KEEP; return how many."""
    count = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at < (now or utcnow()))).rowcount
    db.session.commit()
    return count
