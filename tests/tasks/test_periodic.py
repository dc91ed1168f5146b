"""Periodic jobs: one self-rescheduling job per id, however often a worker starts or a run reschedules."""
from datetime import timedelta

from volunteer.tasks import get_queue, periodic

FUNC = "jobs.events.reconcile_outbox"


def test_start_twice_enqueues_the_job_once(app):
    assert periodic.start("test-periodic", FUNC) is True
    assert periodic.start("test-periodic", FUNC) is False
    assert get_queue("default").job_ids.count("test-periodic") == 1
    assert periodic.state("test-periodic") == (False, "queued")


def test_schedule_twice_schedules_the_job_once_and_start_then_waits_for_it(app):
    assert periodic.schedule("test-periodic", FUNC, timedelta(minutes=5)) is True
    assert periodic.schedule("test-periodic", FUNC, timedelta(minutes=5)) is False
    registry = get_queue("default").scheduled_job_registry
    assert registry.get_job_ids() == ["test-periodic"]
    assert periodic.start("test-periodic", FUNC) is False
    assert periodic.state("test-periodic")[0] is True


def test_state_of_an_unknown_job_is_nothing(app):
    assert periodic.state("no-such-job") == (False, None)
