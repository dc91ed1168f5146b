"""`flask events`: inspect the outbox and re-send what Redis missed."""
import click
from flask.cli import AppGroup

events_cli = AppGroup("events", help="Domain events (the transactional outbox).")


@events_cli.command("reconcile")
@click.option("--older-than", default=30, show_default=True, type=float,
              help="Only events undispatched for at least this many seconds.")
def reconcile_command(older_than):
    """Re-send events still undispatched (Redis was down)."""
    from .services import reconcile

    click.echo(f"re-sent {reconcile(older_than_seconds=older_than)} event(s)")


@events_cli.command("list")
def list_command():
    """Show how many events are still undispatched, by topic."""
    from .services import undispatched_by_topic

    counts = undispatched_by_topic()
    for topic, count in counts.items():
        click.echo(f"{topic}\t{count}")
    click.echo(f"total undispatched: {sum(counts.values())}")


def register(app):
    """Add the events commands to the app's CLI."""
    app.cli.add_command(events_cli)
