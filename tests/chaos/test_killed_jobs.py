"""A job killed on its last try does not stay "started": its row fails and shows on /jobs/failed."""
import os
import signal

from rq.job import Job

from tests.chaos.conftest import wait_for
from volunteer.extensions import db
from volunteer.tasks import services as tasks
from volunteer.tasks.models import JobRecord


def _row(rec_id):
    db.session.expire_all()
    return db.session.get(JobRecord, rec_id)


def test_a_job_whose_horse_is_killed_on_its_last_try_is_failed_and_listed(app, client, make_user, login,
                                                                          start_worker):
    coordinator = make_user(role="coordinator")
    start_worker()
    rec = tasks.enqueue("tests.tasks.sample_jobs.nap", 120, kind="test", owner_id=coordinator.id, retry=None)
    queue = app.extensions["rq_queues"]["default"]
    wait_for(lambda: Job.fetch(rec.rq_id, connection=queue.connection,
                               serializer=queue.serializer).meta.get("pid"), 60)
    pid = Job.fetch(rec.rq_id, connection=queue.connection, serializer=queue.serializer).meta["pid"]
    assert _row(rec.id).status == "started"

    os.kill(pid, signal.SIGKILL)
    settled = wait_for(lambda: _row(rec.id).status == "failed", 60)

    assert settled <= 60
    login(coordinator)
    page = client.get("/jobs/failed").get_data(as_text=True)
    assert f'id="job-{rec.rq_id}"' in page
