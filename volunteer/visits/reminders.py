"""Reminders before a visit (scheduled on RQ's scheduler) and the follow-up sweep.

    schedule_reminders(visit) -> int   # one scheduled job per reminder still in the future
    sweep(now=None) -> dict            # expire offers, alert overdue visits, close stale check-ins,
                                       # alert children without contact (contact.py), forget old
                                       # idempotency keys (offline/idempotency.py); safe to run again
"""
from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..tasks import services as tasks
from ..types import utcnow
from . import contact, notices
from .models import Visit
from .answers import expire_offers
from .settings import setting

REMIND_FUNC = "jobs.visits.remind"


def schedule_reminders(visit, now=None) -> int:
    """Schedule the reminders (VISIT_REMINDERS_HOURS before the start) that are still ahead.

    Each is a job on the worker's scheduler; the message it sends is keyed per visit and hour, so a
    reminder scheduled twice still arrives once.
    """
    now = now or utcnow()
    planned = []
    for hours in setting("VISIT_REMINDERS_HOURS"):
        at = visit.starts_at - timedelta(hours=hours)
        if at > now:
            planned.append((tasks.record(REMIND_FUNC, visit.id, int(hours), kind="visit_reminder",
                                         queue="notifications", subject=f"child:{visit.child_id}"), at))
    db.session.commit()
    for rec, at in planned:
        tasks.dispatch(rec, at=at)
    return len(planned)


def remind(visit_id: int, hours: int) -> int:
    """Send one reminder if the visit is still accepted."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.status != "accepted":
        return 0
    return notices.reminder(visit, hours)


def overdue_clause(now) -> tuple:
    """The conditions of an overdue visit: accepted, nobody checked in, VISIT_OVERDUE_HOURS past its end."""
    return Visit.status == "accepted", Visit.ends_at <= now - timedelta(hours=float(setting("VISIT_OVERDUE_HOURS")))


def overdue(now=None) -> int:
    """Alert coordinators of accepted visits nobody checked in to, past their end (once per visit)."""
    visits = db.session.scalars(select(Visit).where(*overdue_clause(now or utcnow()))).all()
    return sum(notices.coordinators(v, "overdue") for v in visits)


def close_stale(now=None) -> int:
    """Close visits still checked in VISIT_STALE_HOURS after check-in: flagged for review, no hours
    counted for those who never checked out; coordinators are told once."""
    now = now or utcnow()
    limit = now - timedelta(hours=float(setting("VISIT_STALE_HOURS")))
    visits = db.session.scalars(select(Visit).where(Visit.status == "checked_in", Visit.checked_in_at <= limit)).all()
    for v in visits:
        v.status, v.flag_reason = "flagged", "open_24h"
        v.checked_out_at = now
    db.session.commit()
    for v in visits:
        notices.coordinators(v, "stale")
    return len(visits)


def sweep(now=None) -> dict:
    """Everything that follows from time passing; idempotent."""
    now = now or utcnow()
    from ..offline.idempotency import cleanup as forget_keys
    from .proposals import delete_expired

    return {"expired": expire_offers(now), "overdue": overdue(now), "stale": close_stale(now),
            "no_contact": contact.alert(now), "proposals_forgotten": delete_expired(now),
            "idempotency_keys_forgotten": forget_keys(now)}


# --- the periodic sweep job (self-rescheduling, fixed id) ------------------------------------------

SWEEP_ID = "visits-sweep"
SWEEP_FUNC = "jobs.visits.sweep"


def schedule_sweep() -> bool:
    """Schedule the next sweep (VISIT_SWEEP_SECONDS from now) unless one is already scheduled."""
    from ..tasks import periodic

    return periodic.schedule(SWEEP_ID, SWEEP_FUNC, timedelta(seconds=int(setting("VISIT_SWEEP_SECONDS"))))


def start_sweep() -> bool:
    """Start the sweep now unless it is scheduled, queued or running (when a worker starts)."""
    from ..tasks import periodic

    return periodic.start(SWEEP_ID, SWEEP_FUNC)
