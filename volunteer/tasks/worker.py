"""RQ workers that bring their scheduler and the periodic jobs back within seconds of a Redis outage."""
import os
import signal
import time
from datetime import timezone

import redis
from flask import has_app_context
from rq import SimpleWorker, Worker
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler
from rq.utils import utcparse

# RQ restarts a dead scheduler only at its 10-minute maintenance; these workers look every few seconds.
CHECK_EVERY_S = 5
# Resend-what-is-missing of the periodic jobs (their chain breaks when Redis loses its data).
PERIODIC_EVERY_S = 30
# Idle workers wake this often (dequeue timeout = ttl - 15 s), so the checks run while no job comes.
WORKER_TTL = 25
# RQ's own clean-up (abandoned jobs of a killed worker are retried or failed) every minute, not every 10.
MAINTENANCE_S = 60
SCHEDULER_FRESH_S = 15


def start_periodic() -> int:
    """Start each periodic job unless it is already scheduled, queued or running; return how many."""
    from ..accounts.deletion import start_erasure
    from ..activities.reminders import start_sweep as start_activity_sweep
    from ..events.services import start_reconciler
    from ..safeguarding.expiry import start as start_expiry
    from ..visits.reminders import start_sweep
    from ..wishes.schedule import start_release

    return sum((start_reconciler(), start_sweep(), start_release(), start_erasure(), start_expiry(),
                start_activity_sweep()))


def catch_up(older_than_seconds: float = PERIODIC_EVERY_S) -> int:
    """Hand job rows and events left pending while Redis was away to the queues and settle the rows of
    lost jobs; return how many."""
    from ..events.services import reconcile
    from .services import dispatch_pending, settle_lost

    return (dispatch_pending(older_than_seconds=older_than_seconds) + reconcile(older_than_seconds)
            + settle_lost())


class Resilient:
    """Mixin: restart a dead scheduler and lost periodic jobs soon after Redis answers again."""

    max_connection_wait_time = 5.0  # RQ's default backoff grows to 60 s between reconnect tries

    _last_check = 0.0
    _last_periodic = 0.0
    _keep_alive = False

    def work(self, burst=False, *args, with_scheduler=False, **kwargs):
        # Only a long-running worker with the scheduler keeps the periodic jobs and the backlog going.
        self._keep_alive = with_scheduler and not burst
        self._last_periodic = time.monotonic()  # `flask worker` has just done both
        return super().work(burst, *args, with_scheduler=with_scheduler, **kwargs)

    @property
    def should_run_maintenance_tasks(self):
        return super().should_run_maintenance_tasks or time.monotonic() - self._last_check >= CHECK_EVERY_S

    def run_maintenance_tasks(self):
        now = time.monotonic()
        self._last_check = now
        try:
            # A burst run ends in moments: a scheduler forked now would be sent SIGTERM at once (stop_scheduler).
            if self._keep_alive and self.scheduler is not None and not _alive(self.scheduler):
                self.log.warning("Worker %s: scheduler is not running; restarting it", self.name)
                self.scheduler.acquire_locks(auto_start=True)
            if self._keep_alive and has_app_context() and now - self._last_periodic >= PERIODIC_EVERY_S:
                self._last_periodic = now
                if started := start_periodic():
                    self.log.warning("Worker %s: restarted %d periodic job(s)", self.name, started)
                if sent := catch_up():
                    self.log.warning("Worker %s: handed %d waiting job(s) and event(s) over", self.name, sent)
            if super().should_run_maintenance_tasks:
                super().run_maintenance_tasks()
        except redis.RedisError as exc:  # Redis is still away: the next check tries again
            self.log.warning("Worker %s: maintenance postponed: %s", self.name, exc)

    stop_wait_s = 5.0

    def stop_scheduler(self):
        """Stop the scheduler's process for sure. RQ sends one SIGTERM and joins without a limit, but a process
        forked a moment earlier may get that signal before it installs its own handler: the worker's handler it
        inherited takes it, the scheduler loops on, and the join waited for ever (a CI run hung on it). So:
        SIGTERM, again, then SIGKILL, each followed by a bounded wait (its locks expire on their own)."""
        process = getattr(self.scheduler, "_process", None) if self.scheduler is not None else None
        if process is None or not process.pid:
            return
        for sig in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(process.pid, sig)
            except OSError:
                pass
            process.join(self.stop_wait_s)
            if not process.is_alive():
                return
        self.log.warning("Worker %s: the scheduler process %s did not stop", self.name, process.pid)


def _alive(scheduler: RQScheduler) -> bool:
    return scheduler._process is not None and scheduler._process.is_alive()


class HuhangWorker(Resilient, Worker):
    """A forking worker (a work horse per job)."""


class HuhangSimpleWorker(Resilient, SimpleWorker):
    """A worker that runs jobs in its own process (tests, --simple)."""


def scheduler_state(conn, queue_names) -> dict:
    """Whether a scheduler with a fresh heartbeat holds the lock of every queue (for /healthz)."""
    stale = []
    for name in queue_names:
        owner = conn.get(RQScheduler.get_locking_key(name))
        beat = conn.hget(SCHEDULER_KEY_TEMPLATE % owner.decode(), "last_heartbeat") if owner else None
        if beat is None or _age(beat) > SCHEDULER_FRESH_S:
            stale.append(name)
    return {"ok": not stale, "queues_without_scheduler": stale}


def _age(stamp: bytes) -> float:
    parsed = utcparse(stamp.decode())
    return time.time() - parsed.replace(tzinfo=parsed.tzinfo or timezone.utc).timestamp()
