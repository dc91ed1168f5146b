"""The periodic release of expired claims: one self-rescheduling RQ job with a fixed id."""
from datetime import timedelta

from rq.exceptions import NoSuchJobError
from rq.job import JobStatus

from ..tasks import AppJob, get_queue

RELEASE_ID = "wish-claim-release"
RELEASE_FUNC = "jobs.wishes.release_expired"
RELEASE_EVERY = timedelta(minutes=10)


def _state(queue):
    try:
        job = AppJob.fetch(RELEASE_ID, connection=queue.connection, serializer=queue.serializer)
    except NoSuchJobError:
        return False, None
    scheduled = queue.connection.zscore(queue.scheduled_job_registry.key, RELEASE_ID) is not None
    return scheduled, job.get_status(refresh=False)


def schedule_release(delay: timedelta = RELEASE_EVERY) -> bool:
    """Schedule the release job to run in delay unless it is already scheduled (needs the worker's
    scheduler: `flask worker`)."""
    queue = get_queue("default")
    if _state(queue)[0]:
        return False
    queue.enqueue_in(delay, RELEASE_FUNC, job_id=RELEASE_ID, result_ttl=-1, job_timeout=600)
    return True


def start_release() -> bool:
    """Run the release job now unless it is scheduled, queued or running (called when a worker starts)."""
    queue = get_queue("default")
    scheduled, status = _state(queue)
    if scheduled or status in (JobStatus.QUEUED, JobStatus.STARTED):
        return False
    queue.enqueue(RELEASE_FUNC, job_id=RELEASE_ID, result_ttl=-1, job_timeout=600)
    return True
