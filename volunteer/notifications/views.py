"""Inbox pages: messages by day; opening one marks it read and lands on its subject."""
from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from babel.dates import format_skeleton
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required

from ..rendering import render, wants_fragment
from ..types import utcnow
from . import services, targets

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


def _day_label(day, today) -> str:
    """今天, 昨天 or the date, for a day heading."""
    if day == today:
        return _("Today")
    if day == today - timedelta(days=1):
        return _("Yesterday")
    return format_skeleton("MMMdEEE" if day.year == today.year else "yMMMd", day, locale=get_locale())


@bp.get("/")
@login_required
def inbox():
    """My messages, newest first, under a heading per Qingdao day."""
    items = services.inbox(current_user.id)
    today = services.local_day(utcnow())
    days = [(day, _day_label(day, today), group) for day, group in services.by_day(items)]
    return render_template("notifications/inbox.html", items=items, days=days, unread=_unread_count())


@bp.post("/<int:notification_id>/open")
@login_required
def open_message(notification_id):
    """Mark a message read and go to what it is about (its row in the inbox when that is gone)."""
    n = services.mark_read(current_user.id, notification_id)
    if n is None:
        abort(404)
    url = targets.resolve(current_user, n)
    if url is None and n.target_kind:
        flash(_("What this message was about is no longer available to you."), "info")
    return redirect(url or targets.url_for(current_user, n), 303)


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id):
    """Mark a message read (htmx swaps the row and the nav's count)."""
    n = services.mark_read(current_user.id, notification_id)
    if n is None:
        abort(404)
    if wants_fragment():
        return render("notifications/inbox.html", block="message", n=n, oob_unread=_unread_count())
    return redirect(url_for("notifications.inbox"))


@bp.post("/read-all")
@login_required
def read_all():
    """Mark every message read."""
    services.mark_all_read(current_user.id)
    return redirect(url_for("notifications.inbox"), 303)
