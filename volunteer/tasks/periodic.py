"""Periodic work as one self-rescheduling RQ job with a fixed id (needs the worker's scheduler).

A periodic job's function ends by calling schedule() for its next run; a starting worker calls start().
result_ttl=-1: the job hash never expires, so its scheduled entry always finds it.
"""
from datetime import timedelta

from rq.exceptions import NoSuchJobError
from rq.job import JobStatus

from . import AppJob, get_queue

TIMEOUT = 600


def state(job_id: str, queue_name: str = "default") -> tuple[bool, str | None]:
    """(scheduled, status) of the job with this id; (False, None) when there is none."""
    queue = get_queue(queue_name)
    try:
        job = AppJob.fetch(job_id, connection=queue.connection, serializer=queue.serializer)
    except NoSuchJobError:
        return False, None
    scheduled = queue.connection.zscore(queue.scheduled_job_registry.key, job_id) is not None
    return scheduled, job.get_status(refresh=False)


def schedule(job_id: str, func: str, delay: timedelta, queue_name: str = "default") -> bool:
    """Schedule the job to run in delay unless it is already scheduled; True if it was."""
    if state(job_id, queue_name)[0]:
        return False
    get_queue(queue_name).enqueue_in(delay, func, job_id=job_id, result_ttl=-1, job_timeout=TIMEOUT)
    return True


def start(job_id: str, func: str, queue_name: str = "default") -> bool:
    """Run the job now unless it is scheduled, queued or running; True if it was enqueued."""
    scheduled, status = state(job_id, queue_name)
    if scheduled or status in (JobStatus.QUEUED, JobStatus.STARTED):
        return False
    get_queue(queue_name).enqueue(func, job_id=job_id, result_ttl=-1, job_timeout=TIMEOUT)
    return True
