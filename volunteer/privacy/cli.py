"""`flask privacy publish`: a new version of the privacy notice."""
from pathlib import Path

import click
from flask.cli import AppGroup

from .services import PrivacyError, publish

privacy_cli = AppGroup("privacy", help="The privacy notice.")


@privacy_cli.command("publish")
@click.argument("file_zh", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("file_en", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--version", "version", required=True, help="The new version's name, e.g. 2 or 2027-01.")
def publish_command(file_zh, file_en, version):
    """Publish FILE_ZH and FILE_EN (UTF-8 text; "## " starts a heading, "- " a list item) as a new version;
    every user is asked to accept it at their next login."""
    try:
        notice = publish(version, file_zh.read_text(encoding="utf-8"), file_en.read_text(encoding="utf-8"))
    except PrivacyError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(f"privacy notice version {notice.version} published")


def register(app):
    """Add the privacy commands to the app's CLI."""
    app.cli.add_command(privacy_cli)
