"""`flask demo build`: fill the database with the synthetic demo data set."""
import time

import click
from flask.cli import AppGroup

from .services import DemoDataPresent, build

demo_cli = AppGroup("demo", help="Synthetic demo data.")

ROLE_LABELS = {
    "admin": "admin",
    "coordinator_city": "coordinator (city)",
    "coordinator_district": "coordinator (district)",
    "coordinator_town": "coordinator (town)",
    "org_admin": "org_admin",
    "org_member": "org_member",
    "volunteer": "volunteer",
    "donor": "donor (caring unit)",
}


@demo_cli.command("build")
@click.option("--small", is_flag=True, help="About 200 children, 60 volunteers and 3 organisations.")
@click.option("--seed", type=int, default=2019, show_default=True, help="Random seed; same seed, same data.")
@click.option("--reset", is_flag=True, help="Delete previous demo data (and ALL children) first.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when demo data is already present.")
def build_command(small, seed, reset, if_empty):
    """Build the synthetic demo data set (Qingdao scale unless --small)."""
    started = time.perf_counter()
    try:
        result = build(small=small, seed=seed, reset=reset)
    except DemoDataPresent as exc:
        if if_empty:
            click.echo("demo data already present; the demo logins are listed in README.md")
            return
        raise click.ClickException(str(exc)) from None
    elapsed = time.perf_counter() - started

    counts = result["children"]
    click.echo(f"children: {result['children_total']} "
               f"(orphan {counts['orphan']}, difficult {counts['difficult']}, left_behind {counts['left_behind']})")
    click.echo(f"open needs: {result['needs']}, published micro-wishes: {result['wishes']}, "
               f"wishes of the demo care event: {result['event_wishes']}")
    click.echo(f"volunteers: {result['volunteers']}")
    click.echo(f"organisations: {result['organisations']} ({result['organisation_accounts']} accounts)")
    click.echo(f"staff: {result['staff']}")
    click.echo(f"gift-pack hubs: {result['hubs']}")
    click.echo(f"visits: {result['visits']}")
    click.echo(f"activities: {result['activities']} ({result['activity_signups']} sign-ups)")
    history = result["history"]
    click.echo(f"service history 2017-01 to 2019-11: {history['services']} services "
               f"({history['needs']} needs, {history['children']} children, {history['volunteers']} volunteers)")
    click.echo(f"seed: {result['seed']}")
    click.echo("")
    click.echo(f"Demo logins (every demo account's password: {result['password']})")
    rows = [(ROLE_LABELS.get(login["key"], login["role"]), login["name"], login["phone"], login["scope"])
            for login in result["logins"]]
    header = ("role", "name", "phone", "scope / organisation")
    widths = [max(_width(r[i]) for r in rows + [header]) for i in range(3)]
    for row in [header] + rows:
        click.echo("  ".join(_pad(cell, w) for cell, w in zip(row[:3], widths)) + "  " + row[3])
    click.echo("")
    click.echo(f"built in {elapsed:.1f} s")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def register(app):
    """Add the demo commands to the app's CLI."""
    app.cli.add_command(demo_cli)
