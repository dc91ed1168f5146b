"""A worker stops its scheduler's process even when that process does not heed SIGTERM (a SIGTERM sent a moment
after the fork reaches the handler it inherited from the worker, and RQ's own stop then waited for ever)."""
import os
import signal
import threading
import time
from multiprocessing.context import ForkProcess

from volunteer.tasks.cli import make_worker


def _deaf_to_sigterm():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(0.1)


def _heeds_sigterm():
    # The default action: a test before may have left an RQ worker's handler in this process, which a fork
    # inherits (it raised StopRequested: exit code 1).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        time.sleep(0.1)


def _worker_with_scheduler_process(target):
    worker = make_worker(simple=True)
    worker.stop_wait_s = 0.5
    worker.scheduler = type("Scheduler", (), {})()  # stop_scheduler reads only its _process
    worker.scheduler._process = ForkProcess(target=target, daemon=True)
    worker.scheduler._process.start()
    time.sleep(0.3)  # the process has set its handler
    return worker, worker.scheduler._process


def _stop(worker, process, limit=10):
    """worker.stop_scheduler() in a thread; whether it returned within limit seconds (the process is killed
    afterwards either way, so a failing test does not hang)."""
    stopper = threading.Thread(target=worker.stop_scheduler, daemon=True)
    stopper.start()
    stopper.join(limit)
    returned = not stopper.is_alive()
    if process.is_alive():
        os.kill(process.pid, signal.SIGKILL)
        process.join(5)
    return returned


def test_a_scheduler_process_deaf_to_sigterm_is_killed_within_the_bounded_waits(app):
    worker, process = _worker_with_scheduler_process(_deaf_to_sigterm)
    started = time.monotonic()
    assert _stop(worker, process)
    assert process.exitcode == -signal.SIGKILL
    assert time.monotonic() - started < 5  # three waits of 0.5 s, not for ever


def test_a_scheduler_process_that_heeds_sigterm_stops_at_the_first(app):
    worker, process = _worker_with_scheduler_process(_heeds_sigterm)
    assert _stop(worker, process)
    assert process.exitcode == -signal.SIGTERM
