"""GET /healthz reports each part and answers 503 when one is down."""
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from rq.scheduler import RQScheduler

from volunteer.tasks.cli import make_worker


def test_healthz_is_503_without_a_worker(client):
    resp = client.get("/healthz")
    body = resp.get_json()
    assert resp.status_code == 503
    assert body["database"]["ok"] and body["redis"]["ok"] and not body["worker"]["ok"]
    assert set(body["queues"]) == {"default", "notifications", "logistics"}


def _scheduler(app):
    """A scheduler that holds every queue's lock and has just sent its heartbeat (no process)."""
    scheduler = RQScheduler(list(app.extensions["rq_queues"]), connection=app.extensions["redis"])
    scheduler.acquire_locks()
    scheduler.heartbeat()
    return scheduler


def test_healthz_is_200_with_a_live_worker_and_scheduler_and_counts_queues(app, client):
    w = make_worker(simple=True)
    w.register_birth()
    scheduler = _scheduler(app)
    try:
        w.heartbeat()
        app.extensions["rq_queues"]["notifications"].enqueue("jobs.notifications.send_welcome", 1)
        body = client.get("/healthz").get_json()
        assert body["status"] == "ok" and body["worker"]["workers"] >= 1 and body["scheduler"]["ok"]
        assert body["queues"]["notifications"] == 1
    finally:
        scheduler.release_locks()
        w.register_death()


def test_healthz_is_503_when_no_scheduler_holds_the_queues(app, client):
    w = make_worker(simple=True)
    w.register_birth()
    try:
        w.heartbeat()
        resp = client.get("/healthz")
        body = resp.get_json()
        assert resp.status_code == 503 and body["worker"]["ok"] and not body["scheduler"]["ok"]
        assert set(body["scheduler"]["queues_without_scheduler"]) == {"default", "notifications", "logistics"}
    finally:
        w.register_death()


def test_healthz_is_503_when_redis_is_down(app, client):
    app.extensions["redis"] = redis.Redis(unix_socket_path="/nonexistent/redis.sock", retry=Retry(NoBackoff(), 0))
    resp = client.get("/healthz")
    assert resp.status_code == 503 and resp.get_json()["redis"]["ok"] is False
