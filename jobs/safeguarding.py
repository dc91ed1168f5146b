"""Safeguarding jobs: the periodic expiry reminder (ids only; safe twice: each check is reminded once)."""
from volunteer.safeguarding import expiry
from volunteer.tasks.services import declare

POLICIES = {
    "jobs.safeguarding.remind_expiring": declare("jobs.safeguarding.remind_expiring", timeout=600, retries=0),
}


def remind_expiring() -> int:
    """Remind volunteers of checks expiring soon; schedules its next run first, so a failing run does not
    break the chain."""
    expiry.schedule()
    return expiry.remind_expiring()
