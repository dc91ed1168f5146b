"""A late retry of a killed allocation, after its proposal was redone and cancelled, allocates nothing."""
import json

from sqlalchemy import func, select

from tests.chaos.conftest import wait_for
from tests.logistics.conftest import logi  # noqa: F401 - the fixture
from tests.logistics.test_allocation import _campaign
from volunteer.extensions import db
from volunteer.logistics import allocation, services
from volunteer.logistics.models import Allocation, Campaign, Stock
from volunteer.logistics.stock import imbalances
from volunteer.tasks.models import JobRecord


def _allocations():
    db.session.rollback()
    return db.session.scalar(select(func.count(Allocation.id)))


def test_a_stale_retry_of_an_allocation_does_nothing_and_says_so(app, logi, make_child,  # noqa: F811
                                                                 start_worker):
    logi["stock"](logi["hubs"][0], logi["bag"], 10)
    for _ in range(6):
        make_child()
    c = _campaign(logi, logi["bag"])
    old = services.start_allocation(logi["coordinator"], c.id)  # its worker "dies": it never runs now
    old_args = json.loads(old.args)
    db.session.execute(JobRecord.__table__.update().where(JobRecord.id == old.id).values(status="started"))
    db.session.commit()

    services.start_allocation(logi["coordinator"], c.id)  # restarted by hand, completed, cancelled
    start_worker("--burst", "-q", "logistics").wait(timeout=120)
    assert _allocations() == 6
    allocation.cancel(logi["coordinator"], c.id)
    assert _allocations() == 0

    # RQ's late retry of the first run: the same job id and arguments, handed to a worker again.
    queue = app.extensions["rq_queues"]["logistics"]
    queue.enqueue("jobs.logistics.allocate", *old_args, job_id=old.rq_id)
    start_worker("--burst", "-q", "logistics").wait(timeout=120)

    assert _allocations() == 0
    assert db.session.get(Campaign, c.id).status == "open"
    assert db.session.scalar(select(Stock.qty).where(Stock.hub_id == logi["hubs"][0].id)) == 10
    assert imbalances() == []
    assert wait_for(lambda: db.session.get(JobRecord, old.id).message == "stale", 5) is not None
