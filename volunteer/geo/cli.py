"""The `flask geo` commands."""
import click
from flask.cli import AppGroup

from .services import load_divisions

geo_cli = AppGroup("geo", help="Qingdao divisions and district polygons.")


@geo_cli.command("load")
def load_command():
    """Load or refresh the division table from the shipped data."""
    count = load_divisions()
    click.echo(f"loaded {count} divisions")


def register(app):
    """Add the geo command group to the app's CLI."""
    app.cli.add_command(geo_cli)
