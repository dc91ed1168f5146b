"""GET /healthz: database, Redis, worker heartbeat, the scheduler's liveness and queue lengths."""
import time

from flask import Blueprint, current_app
from rq import Worker
from sqlalchemy import text

from .extensions import csrf, db, limiter
from .tasks.worker import scheduler_state

bp = Blueprint("health", __name__)


def check() -> tuple[dict, bool]:
    """Probe every part; return the report and whether all parts are up."""
    report, ok = {}, True
    t0 = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        report["database"] = {"ok": True, "backend": db.engine.dialect.name,
                              "ms": round((time.perf_counter() - t0) * 1000, 2)}
    except Exception as exc:  # any driver error means "down"
        db.session.rollback()
        report["database"] = {"ok": False, "error": type(exc).__name__}
        ok = False
    conn = current_app.extensions["redis"]
    try:
        conn.ping()
        report["redis"] = {"ok": True}
    except Exception as exc:
        report["redis"] = {"ok": False, "error": type(exc).__name__}
        return {**report, "worker": {"ok": False}, "scheduler": {"ok": False}, "queues": {}}, False
    max_age = current_app.config["WORKER_HEARTBEAT_MAX_AGE"]
    now = time.time()
    beats = [w.last_heartbeat.timestamp() for w in Worker.all(connection=conn) if w.last_heartbeat]
    newest = max(beats, default=None)
    worker_ok = newest is not None and now - newest <= max_age
    report["worker"] = {"ok": worker_ok, "workers": len(beats),
                        "last_heartbeat_s": None if newest is None else round(now - newest, 1)}
    queues = current_app.extensions["rq_queues"]
    report["scheduler"] = scheduler_state(conn, queues)
    report["queues"] = {name: q.count for name, q in queues.items()}
    return report, ok and worker_ok and report["scheduler"]["ok"]


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    """Report the state of every part; 503 when one is down."""
    report, ok = check()
    report["status"] = "ok" if ok else "degraded"
    return report, 200 if ok else 503
