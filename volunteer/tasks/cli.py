"""`flask worker`: one command starts an RQ worker with the scheduler."""
import time

import click
import redis
from flask import current_app
from flask.cli import with_appcontext
from rq.serializers import JSONSerializer

from . import AppJob
from .worker import MAINTENANCE_S, WORKER_TTL, HuhangSimpleWorker, HuhangWorker, start_periodic


def make_worker(queues=None, simple=False, name=None):
    """Build a worker on the app's Redis for the named queues (all by default)."""
    all_queues = current_app.extensions["rq_queues"]
    chosen = [all_queues[q] for q in (queues or all_queues)]
    cls = HuhangSimpleWorker if simple else HuhangWorker
    return cls(chosen, connection=current_app.extensions["redis"], serializer=JSONSerializer,
               job_class=AppJob, name=name, worker_ttl=WORKER_TTL, maintenance_interval=MAINTENANCE_S)


@click.command("worker")
@click.option("--queue", "-q", "queues", multiple=True, help="Queue to listen on (repeatable; default all).")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then exit.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of forking.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the scheduler for delayed jobs and retries.")
@with_appcontext
def worker_command(queues, burst, simple, no_scheduler):
    """Start an RQ worker (with the scheduler) for Huhang's queues."""
    from .services import dispatch_pending

    from ..events.services import reconcile

    sent = dispatch_pending() + reconcile(older_than_seconds=0)
    if sent:
        click.echo(f"handed {sent} pending job(s) and event(s) to the queues")
    start_periodic()
    while True:
        w = make_worker(queues or None, simple=simple)
        try:
            w.work(burst=burst, with_scheduler=not no_scheduler, logging_level="INFO")
        except redis.RedisError as exc:  # RQ's loop gives up on a Redis error outside its dequeue wait
            click.echo(f"worker stopped by a Redis error ({exc})", err=True)
        if burst or w._stop_requested:
            return
        click.echo("worker stopped without being asked to: starting again once Redis answers", err=True)
        _wait_for_redis()


def _wait_for_redis(step: float = 1.0) -> None:
    while True:
        try:
            if current_app.extensions["redis"].ping():
                return
        except redis.RedisError:
            pass
        time.sleep(step)


def register(app):
    """Add the worker command to the app's CLI."""
    app.cli.add_command(worker_command)
