"""Visit jobs: offers, coordinators' alerts, reminders, expiry and the periodic follow-up sweep.

Ids only; each is safe to run twice (messages are keyed per event and recipient, state changes check
the current state first). POLICIES declares every job's timeout and retry policy.
"""
from volunteer.extensions import db
from volunteer.tasks import services as tasks
from volunteer.tasks.services import declare
from volunteer.visits import notices, reminders
from volunteer.visits.models import Visit
from volunteer.visits.answers import expire_offers as expire

POLICIES = {
    "jobs.visits.notify_offer": declare("jobs.visits.notify_offer", timeout=60, retries=3),
    "jobs.visits.notify_offers": declare("jobs.visits.notify_offers", timeout=300, retries=3),
    "jobs.visits.notify_coordinators": declare("jobs.visits.notify_coordinators", timeout=60, retries=3),
    "jobs.visits.remind": declare("jobs.visits.remind", timeout=60, retries=3, intervals=(30, 120, 600)),
    "jobs.visits.expire_offers": declare("jobs.visits.expire_offers", timeout=120, retries=3),
    "jobs.visits.sweep": declare("jobs.visits.sweep", timeout=600, retries=0),
}


def notify_offer(visit_id: int) -> int:
    """Tell the offered volunteers (or the team's admins) about a visit still on offer; helpers planned
    straight in (their own near-me offer was used) hear that the visit is planned, also when others on
    the same visit still have to answer."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.status not in ("offered", "accepted"):
        return 0
    return notices.planned(visit) + (notices.offer(visit) if visit.status == "offered" else 0)


def notify_offers(*visit_ids: int) -> int:
    """notify_offer for a batch of visits (auto-assign's fan-out: one job per batch, not per message),
    then one expiry job at the latest of their offers' expiry; returns how many new messages."""
    sent, latest = 0, None
    for visit_id in visit_ids:
        sent += notify_offer(int(visit_id))
        visit = db.session.get(Visit, int(visit_id))
        if visit is not None and visit.status == "offered" and visit.offer_expires_at is not None:
            latest = max(latest or visit.offer_expires_at, visit.offer_expires_at)
    if latest is not None:
        expiry = tasks.record("jobs.visits.expire_offers", kind="visit_expiry", queue="default")
        db.session.commit()
        tasks.dispatch(expiry, at=latest)
    return sent


def notify_coordinators(visit_id: int, event: str) -> int:
    """Tell the child's coordinators about a visit event (accepted, declined, expired, report, ...)."""
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        return 0
    return notices.coordinators(visit, str(event)[:16])


def remind(visit_id: int, hours: int) -> int:
    """Remind the helpers of an accepted visit, hours before it."""
    return reminders.remind(visit_id, int(hours))


def expire_offers() -> int:
    """Expire unanswered offers whose time is up; the needs go back to the pool."""
    return expire()


def sweep() -> dict:
    """The periodic follow-up (expiry, overdue, stale check-ins, no contact); schedules its next run first,
    so a failing run does not break the chain."""
    reminders.schedule_sweep()
    return reminders.sweep()
