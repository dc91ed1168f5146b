"""The periodic release of expired claims: one self-rescheduling RQ job with a fixed id."""
from datetime import timedelta

from ..tasks import periodic

RELEASE_ID = "wish-claim-release"
RELEASE_FUNC = "jobs.wishes.release_expired"
RELEASE_EVERY = timedelta(minutes=10)


def schedule_release(delay: timedelta = RELEASE_EVERY) -> bool:
    """Schedule the release job to run in delay unless it is already scheduled."""
    return periodic.schedule(RELEASE_ID, RELEASE_FUNC, delay)


def start_release() -> bool:
    """Run the release job now unless it is scheduled, queued or running (called when a worker starts)."""
    return periodic.start(RELEASE_ID, RELEASE_FUNC)
