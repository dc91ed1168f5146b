"""`flask worker`: one command starts an RQ worker with the scheduler."""
import click
from flask import current_app
from flask.cli import with_appcontext
from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from . import AppJob


def make_worker(queues=None, simple=False, name=None):
    """Build a worker on the app's Redis for the named queues (all by default)."""
    all_queues = current_app.extensions["rq_queues"]
    chosen = [all_queues[q] for q in (queues or all_queues)]
    cls = SimpleWorker if simple else Worker
    return cls(chosen, connection=current_app.extensions["redis"], serializer=JSONSerializer,
               job_class=AppJob, name=name)


@click.command("worker")
@click.option("--queue", "-q", "queues", multiple=True, help="Queue to listen on (repeatable; default all).")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then exit.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of forking.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the scheduler for delayed jobs and retries.")
@with_appcontext
def worker_command(queues, burst, simple, no_scheduler):
    """Start an RQ worker (with the scheduler) for Huhang's queues."""
    from .services import dispatch_pending

    from ..events.services import reconcile, start_reconciler

    sent = dispatch_pending() + reconcile(older_than_seconds=0)
    if sent:
        click.echo(f"handed {sent} pending job(s) and event(s) to the queues")
    start_reconciler()
    from ..visits.reminders import start_sweep

    start_sweep()
    from ..wishes.schedule import start_release

    start_release()
    w = make_worker(queues or None, simple=simple)
    w.work(burst=burst, with_scheduler=not no_scheduler, logging_level="INFO")


def register(app):
    """Add the worker command to the app's CLI."""
    app.cli.add_command(worker_command)
