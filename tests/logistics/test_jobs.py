"""Logistics jobs on real workers: progress, idempotent reruns, and a worker killed with SIGKILL mid-job."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.logistics import services
from volunteer.logistics.models import Allocation, Campaign, Stock
from volunteer.logistics.stock import LogisticsError, imbalances
from volunteer.tasks.models import JobRecord

from .test_allocation import Form, _campaign

ROOT = Path(__file__).resolve().parents[2]


def _record(rq_id):
    db.session.rollback()  # a fresh snapshot: the worker writes in another connection
    return db.session.scalar(select(JobRecord).where(JobRecord.rq_id == rq_id))


def test_the_allocation_job_reports_progress_and_a_rerun_allocates_nothing_twice(app, logi, make_child, run_worker):
    app.config["LOGISTICS_BATCH"] = 2
    logi["stock"](logi["hubs"][0], logi["bag"], 3)
    for _ in range(5):
        make_child()
    c = _campaign(logi, logi["bag"])
    rec = services.start_allocation(logi["coordinator"], c.id)
    assert run_worker(["logistics"]) == 1
    rec = _record(rec.rq_id)
    assert (rec.status, rec.progress, rec.message) == ("finished", 100, "5/5")
    assert db.session.scalar(select(func.count(Allocation.id))) == 3
    services.start_allocation(logi["coordinator"], c.id)  # two still short: allowed, allocates nothing
    assert run_worker(["logistics"]) == 1
    assert db.session.scalar(select(func.count(Allocation.id))) == 3
    assert imbalances() == []


def test_a_campaign_with_no_eligible_child_is_refused_with_a_message(logi, make_child):
    make_child(birth_date="2024-01-01", grade="")  # two years old, no school: no school bag
    c = _campaign(logi, logi["bag"])
    try:
        with force_locale("en"):
            services.start_allocation(logi["coordinator"], c.id)
    except LogisticsError as exc:
        assert "No child" in exc.message
    else:
        raise AssertionError("no error")
    assert db.session.scalar(select(func.count(JobRecord.id))) == 0


def _worker(database_url, redis_url, instance_dir, burst=False):
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "FLASK_APP": "wsgi:app",
           "LOGISTICS_BATCH": "5", "LOGISTICS_BATCH_PAUSE": "0.15", "SECRET_KEY": "chaos-test",
           "RATELIMIT_ENABLED": "0"}
    args = [sys.executable, "-m", "flask", "worker", "--simple", "--no-scheduler", "-q", "logistics"]
    if burst:
        args.append("--burst")
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def test_a_worker_killed_mid_allocation_leaves_stock_consistent_and_a_rerun_completes(
        app, logi, make_child, database_url, redis_url, instance_dir):
    hubs = logi["hubs"]
    for hub in hubs:
        logi["stock"](hub, logi["bag"], 30)
    before = {h.id: 30 for h in hubs}
    children = [make_child(lat=f"{36.10 + (i // 12) * 0.003:.4f}", lon=f"{120.47 + (i % 12) * 0.003:.4f}")
                for i in range(120)]
    c = _campaign(logi, logi["bag"])
    rec = services.start_allocation(logi["coordinator"], c.id)

    worker = _worker(database_url, redis_url, instance_dir)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            r = _record(rec.rq_id)
            if r.status == "started" and 10 <= r.progress < 60:
                break
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            time.sleep(0.05)
        else:
            raise AssertionError("the job never showed partial progress")
        os.killpg(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    db.session.rollback()
    partial = db.session.scalar(select(func.count(Allocation.id)))
    assert 0 < partial < 90
    assert imbalances() == []  # every batch is all or nothing

    # A new worker and a rerun finish the work.
    rec2 = services.start_allocation(logi["coordinator"], c.id)
    worker = _worker(database_url, redis_url, instance_dir, burst=True)
    assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]
    assert _record(rec2.rq_id).status == "finished"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Allocation.id))) == 90  # 3 hubs x 30 bags for 120 children
    twice = db.session.execute(select(Allocation.child_id).group_by(Allocation.child_id, Allocation.kind_id)
                               .having(func.count() > 1)).all()
    assert twice == []
    assert imbalances() == []
    stock = dict(db.session.execute(select(Stock.hub_id, Stock.qty)).all())
    taken = dict(db.session.execute(select(Allocation.hub_id, func.count()).group_by(Allocation.hub_id)).all())
    assert {h: stock[h] + taken.get(h, 0) for h in stock} == before
    assert db.session.get(Campaign, c.id).status == "proposed"
    assert len({a for a in db.session.scalars(select(Allocation.child_id))}) == 90 <= len(children)
    Form  # noqa: B018 - imported for _campaign's callers
