"""Scheduled work resumes within 30 s of Redis coming back, and /healthz tells while it has not."""
import os
import signal
import time
from datetime import timedelta

from rq.job import Job

from tests.chaos.conftest import wait_for


def _scheduler_ok(client):
    return client.get("/healthz").get_json().get("scheduler", {}).get("ok")


def test_scheduled_jobs_run_within_30_s_after_a_redis_restart(app, client, redis_server, start_worker):
    worker = start_worker()
    wait_for(lambda: _scheduler_ok(client), 60)

    redis_server.kill()
    wait_for(lambda: client.get("/healthz").status_code == 503, 10)
    time.sleep(3)  # long enough for the worker's scheduler to meet the connection error and die
    # Frozen, the worker cannot take the new server's scheduler lock before /healthz is asked.
    os.killpg(worker.pid, signal.SIGSTOP)
    redis_server.start()  # no persistence: the new server is empty
    assert not _scheduler_ok(client)
    os.killpg(worker.pid, signal.SIGCONT)

    try:
        resumed = wait_for(lambda: _scheduler_ok(client), 30)
    except AssertionError:
        raise AssertionError(open(worker.log_path).read()[-3000:])
    queue = app.extensions["rq_queues"]["default"]
    job = queue.enqueue_in(timedelta(seconds=1), "tests.tasks.sample_jobs.count_to", 2)
    ran = wait_for(lambda: Job.fetch(job.id, connection=queue.connection, serializer=queue.serializer)
                   .get_status() == "finished", 30 - resumed)
    assert resumed + ran <= 30, open(worker.log_path).read()[-2000:]


def test_jobs_asked_for_while_redis_was_down_run_within_60_s_of_its_return(app, client, redis_server,
                                                                            start_worker):
    from volunteer.extensions import db
    from volunteer.tasks import services as tasks
    from volunteer.tasks.models import JobRecord

    start_worker()
    wait_for(lambda: _scheduler_ok(client), 60)
    redis_server.kill()
    rec = tasks.enqueue("tests.tasks.sample_jobs.count_to", 3, kind="test")
    assert db.session.get(JobRecord, rec.id).status == "pending"
    redis_server.start()

    def finished():
        db.session.expire_all()
        return db.session.get(JobRecord, rec.id).status == "finished"

    assert wait_for(finished, 60) <= 60


def test_a_worker_whose_redis_dies_under_a_running_job_goes_on_after_redis_returns(app, redis_server,
                                                                                      start_worker):
    queue = app.extensions["rq_queues"]["default"]
    worker = start_worker()
    job = queue.enqueue("tests.tasks.sample_jobs.nap", 4)
    wait_for(lambda: Job.fetch(job.id, connection=queue.connection, serializer=queue.serializer).meta.get("pid"), 60)
    redis_server.kill()  # the job ends while Redis is away: RQ's loop meets the error and quits
    time.sleep(6)
    redis_server.start()
    assert worker.poll() is None, open(worker.log_path).read()[-2000:]
    later = queue.enqueue("tests.tasks.sample_jobs.count_to", 1)
    wait_for(lambda: Job.fetch(later.id, connection=queue.connection, serializer=queue.serializer)
             .get_status() == "finished", 30)
