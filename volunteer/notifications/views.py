"""Inbox pages."""
from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user, login_required

from . import services

bp = Blueprint("notifications", __name__, url_prefix="/inbox")


def _unread_count() -> int:
    """The signed-in user's unread messages, counted once a request and only where a page shows it."""
    if "unread_count" not in g:
        g.unread_count = services.unread_count(current_user.id) if current_user.is_authenticated else 0
    return g.unread_count


@bp.app_context_processor
def _unread():
    # A function, not a number: fragments (most htmx answers) never show the badge, so never pay the query.
    return {"unread_count": _unread_count}


@bp.get("/")
@login_required
def inbox():
    """List my messages."""
    return render_template("notifications/inbox.html", items=services.inbox(current_user.id))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id):
    """Mark a message read (htmx swaps the row)."""
    n = services.mark_read(current_user.id, notification_id)
    if n is None:
        abort(404)
    if request.headers.get("HX-Request"):
        return render_template("notifications/_item.html", n=n)
    return render_template("notifications/inbox.html", items=services.inbox(current_user.id))
