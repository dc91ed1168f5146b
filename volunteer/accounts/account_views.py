"""The account page's own actions: name and email, my data (readable and JSON), deleting the account and
taking that back. The page itself is views.account(), which renders with page_context()."""
import json

import click
from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user, login_required

from ..audit import services as audit
from ..extensions import db
from ..rendering import render, wants_fragment
from . import deletion, mydata
from .account_forms import DeleteAccountForm, DetailsForm
from .details import update_details
from .forms import PasswordChangeForm
from .services import AccountError
from .views import _end_session, bp

# While a deletion waits, the user stays on the account pages (keep the account, read or download the data,
# log out) and the privacy notice's: every other page leads back to the account page and its offer.
PENDING_ALLOWED = {"home.set_locale", "static"}
PENDING_ALLOWED_PARTS = ("accounts.", "privacy.", "api.", "api_docs.", "api_tokens.")


def page_context(form=None, details=None) -> dict:
    """Everything the account page shows (views.account and the forms that render it again)."""
    from ..api.services import live_count
    from ..notifications.channels import chosen

    user = current_user
    return {"form": form or PasswordChangeForm(formdata=None),
            "details": details or DetailsForm(formdata=None, data={"name": user.name, "email": user.email}),
            # Staff script against the API; anyone else only meets tokens they already made ("connected apps").
            "connected_apps": 0 if user.is_staff else live_count(user.id),
            "channels": chosen(user.id), "may_delete": deletion.may_delete(user),
            "deletion_due": deletion.due_at(user), "grace_days": deletion.grace().days}


@bp.before_app_request
def offer_to_keep_the_account():
    """A user whose deletion waits (they logged in again) is offered to keep the account first."""
    endpoint = request.endpoint or ""
    if endpoint in PENDING_ALLOWED or endpoint.startswith(PENDING_ALLOWED_PARTS):
        return None  # before current_user: a static file loads no user
    if current_user.is_authenticated and current_user.deletion_requested_at is not None:
        return redirect(url_for("accounts.account"))
    return None


@bp.post("/account/details")
@login_required
def update_account_details():
    """Change one's name and email address."""
    form = DetailsForm()
    if form.validate_on_submit():
        try:
            changed = update_details(current_user, form.name.data, form.email.data)
        except AccountError as exc:
            getattr(form, exc.field or "name").errors.append(exc.message)
        else:
            if not wants_fragment():
                flash(_("Saved.") if changed else _("Nothing changed."), "success")
                return redirect(url_for("accounts.account"))
            return render("accounts/account.html", block="details_card", saved=changed, **page_context(details=form))
    return render("accounts/account.html", block="details_card", **page_context(details=form)), 422


@bp.get("/account/data")
@login_required
def my_data():
    """Everything kept about me, as a page to read and print."""
    audit.log(current_user, "export", "account", current_user.id, reason="my data page")
    return render_template("accounts/mydata.html", data=mydata.collect(current_user))


@bp.get("/account/data.json")
@login_required
def my_data_json():
    """Everything kept about me, as a JSON file to download."""
    audit.log(current_user, "export", "account", current_user.id, reason="my data json")
    body = json.dumps(mydata.as_json(mydata.collect(current_user)), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": "attachment; filename=huhang-my-data.json", "Cache-Control": "no-store"})


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Delete my account: what happens, then the password and a tick; every session ends."""
    if not deletion.may_delete(current_user) or current_user.deletion_requested_at is not None:
        return redirect(url_for("accounts.account"))
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            due = deletion.request_deletion(current_user, form.password.data)
        except AccountError as exc:
            getattr(form, exc.field or "password").errors.append(exc.message)
        else:
            _end_session()
            flash(_("Your account will be deleted on %(day)s. Until then, log in again to keep it.",
                    day=local_day(due)), "info")
            return redirect(url_for("accounts.login"))
    status = 422 if form.errors else 200
    return render_template("accounts/delete.html", form=form, grace_days=deletion.grace().days,
                           ahead=deletion.commitments(current_user)), status


@bp.post("/account/deletion/cancel")
@login_required
def cancel_deletion():
    """Keep my account: the deletion I asked for is called off."""
    if deletion.cancel_deletion(current_user):
        flash(_("Your account stays. Welcome back!"), "success")
    return redirect(url_for("accounts.account"))


@bp.app_template_filter("account_name")
def account_name(user):
    """A user's name, or "Deleted volunteer" (translated) once their account is erased."""
    return deletion.display_name(user)


@bp.app_template_filter("local_day")
def local_day(moment) -> str:
    """A moment as the local date, e.g. 2026-12-14."""
    return to_user_timezone(moment).strftime("%Y-%m-%d") if moment else ""


@bp.app_template_filter("local_time")
def local_time(moment) -> str:
    """A moment as local date and time, e.g. 2026-12-14 09:30."""
    return to_user_timezone(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@bp.cli.command("delete-account")
@click.argument("user_id", type=int)
@click.option("--now", is_flag=True, help="Erase at once instead of after the grace period.")
def delete_account_command(user_id, now):
    """Delete an account (staff too): its sessions end; the personal data is erased after the grace."""
    from .models import User

    user = db.session.get(User, user_id)
    if user is None:
        raise click.ClickException("No such user.")
    deletion.request_deletion(user, None, check_role=False)
    if now:
        deletion.erase(user.id, immediately=True)
    click.echo(f"user {user.id}: " + ("erased" if now else f"erasure due {deletion.due_at(user)}"))
    current_app.logger.info("account %s deletion by CLI", user.id)
