"""`flask create-admin`: the first administrator."""
import click
from flask.cli import with_appcontext

from ..validation import BadPhone, normalise_phone
from .passwords import weakness
from .services import AccountError, create_staff


@click.command("create-admin")
@click.option("--phone", prompt=True, help="Mainland mobile number.")
@click.option("--name", prompt=True, help="Display name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Password (prompted, hidden, when not given).")
@with_appcontext
def create_admin_command(phone, name, password):
    """Create an administrator account."""
    try:
        e164 = normalise_phone(phone)
        problem = weakness(password, e164, name)
        if problem:
            raise click.BadParameter(str(problem), param_hint="--password")
        user = create_staff(e164, name, password, role="admin")
    except BadPhone as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--phone") from None
    except AccountError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(f"admin {user.id} created for {e164}")


def register(app):
    """Add the account commands to the app's CLI."""
    app.cli.add_command(create_admin_command)
