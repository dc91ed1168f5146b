"""Leases for work that must not run twice at once (an orphaned RQ work horse and its retry):
the database row decides, with an owner and an expiry, so a dead owner's lease simply runs out.

    with held("autoassign.confirm:12", job_id, seconds=120) as lease:   # LeaseHeld if another owner has it
        ...; lease.renew()                                               # often: extends it every third
"""
import time
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..types import utcnow
from .models import JobLease


class LeaseHeld(RuntimeError):
    """Another live run holds the lease (its job raises, so RQ tries again after the retry interval)."""


def acquire(name: str, owner: str, seconds: float) -> bool:
    """Take or renew the lease for owner unless another owner's lease is still running; commits."""
    now = utcnow()
    insert = (sqlite_insert if db.engine.dialect.name == "sqlite" else pg_insert)(JobLease)
    stmt = insert.values(name=name, owner=owner, expires_at=now + timedelta(seconds=seconds))
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=[JobLease.name],
        set_={"owner": stmt.excluded.owner, "expires_at": stmt.excluded.expires_at},
        where=or_(JobLease.expires_at < now, JobLease.owner == owner)))
    db.session.commit()
    return db.session.scalar(select(JobLease.owner).where(JobLease.name == name)) == owner


def release(name: str, owner: str) -> None:
    """Give the lease up (only its owner can)."""
    db.session.execute(delete(JobLease).where(JobLease.name == name, JobLease.owner == owner))
    db.session.commit()


class Lease:
    """A held lease; renew() before it runs out on long work (LeaseHeld if it was lost meanwhile)."""

    def __init__(self, name, owner, seconds):
        self.name, self.owner, self.seconds = name, owner, seconds
        self.renewed = time.monotonic()

    def renew(self) -> None:
        """Extend the lease if a third of it has passed (cheap to call often)."""
        if time.monotonic() - self.renewed < self.seconds / 3:
            return
        if not acquire(self.name, self.owner, self.seconds):
            raise LeaseHeld(self.name)
        self.renewed = time.monotonic()


@contextmanager
def held(name: str, owner: str, seconds: float = 120):
    """Hold the lease for the block; LeaseHeld at once when another live owner has it."""
    if not acquire(name, owner, seconds):
        raise LeaseHeld(name)
    try:
        yield Lease(name, owner, seconds)
    finally:
        release(name, owner)
