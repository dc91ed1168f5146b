"""Activity jobs: reminders before an activity and the periodic sweep that sends the ones Redis lost.

Ids only; each is safe to run twice (a reminder is claimed by a conditional update of its sign-up and its
message is keyed). POLICIES declares every job's timeout and retry policy.
"""
from volunteer.activities import reminders
from volunteer.tasks import services as tasks
from volunteer.tasks.services import declare

POLICIES = {
    "jobs.activities.remind": declare("jobs.activities.remind", timeout=60, retries=3, intervals=(30, 120, 600)),
    "jobs.activities.sweep": declare("jobs.activities.sweep", timeout=600, retries=0),
}


def remind(signup_id: int, hours: int) -> int:
    """Remind a confirmed volunteer, hours before the activity."""
    sent = reminders.remind(int(signup_id), int(hours))
    tasks.progress(1, 1)
    return sent


def sweep() -> dict:
    """The periodic catch-up; schedules its next run first, so a failing run does not break the chain."""
    reminders.schedule_sweep()
    return reminders.sweep()
