"""Token management for logged-in users: list, create (the plaintext is shown once), revoke."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..children.validation import InvalidInput
from . import services

bp = Blueprint("api_tokens", __name__)


def _page(status=200, **context):
    full = services.live_count(current_user.id) >= services.MAX_LIVE
    return render_template("api/tokens.html", tokens=services.tokens_of(current_user), full=full,
                           max_live=services.MAX_LIVE, **context), status


@bp.get("/account/tokens")
@login_required
def tokens():
    """The user's API tokens."""
    return _page()


@bp.post("/account/tokens")
@login_required
def create():
    """Create a token and show its plaintext this once (it is never stored)."""
    name = request.form.get("name", "")
    try:
        token, plaintext = services.issue_token(current_user, name)
    except InvalidInput as exc:
        return _page(422, name=name, errors=exc.errors)
    except services.TooManyTokens:
        return _page(409, name=name)
    return _page(201, new_token=token, plaintext=plaintext)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id):
    """Revoke one of the user's tokens (admins: anyone's)."""
    try:
        token = services.revoke_token(current_user, token_id)
    except services.TokenNotFound:
        abort(404)
    flash(_("The token %(name)s no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.tokens"))
