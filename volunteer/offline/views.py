"""The installable app's routes (blueprint `offline`): the manifest, the service worker at the root scope, the
offline page, the session a phone's outbox needs to send, and clearing the phone's copies at logout.

The actions a phone sends late (check-in, check-out, report) are in actions.py, on this blueprint.
"""
import json

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..access import roles_required
from ..needs.models import DIMENSIONS, SERVICE_TYPES
from ..security import cacheable
from ..visits.reports import MAX_NEW_NEEDS
from . import app_shell
from . import visits as phone_visits

bp = Blueprint("offline", __name__)
HELPERS = ("volunteer", "org_member", "org_admin")
LOGOUTS = ("accounts.logout", "accounts.logout_everywhere")


def _json(data, status=200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, default=str), status, mimetype="application/json")


@bp.get("/manifest.webmanifest")
@cacheable
def manifest():
    """The web app manifest (name, icons, theme colour, start page): the same for everyone."""
    resp = Response(json.dumps(app_shell.manifest(), ensure_ascii=False), mimetype="application/manifest+json")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/sw.js")
@cacheable
def worker():
    """The service worker, served from the root so it may control every page."""
    resp = Response(app_shell.worker_source(), mimetype="text/javascript")
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Service-Worker-Allowed"] = "/"
    return resp


@bp.get("/offline")
def page():
    """What works without signal, the visits kept on this phone and the actions waiting to be sent (the
    service worker shows this page, kept at install, whenever a page cannot load)."""
    return render_template("offline/page.html", offline_shell=True, services=SERVICE_TYPES, dimensions=DIMENSIONS,
                           rows=range(MAX_NEW_NEEDS))


@bp.get("/offline/session")
@login_required
def session_state():
    """Who is logged in and a fresh CSRF token: the outbox sends only its own user's actions, with this."""
    return _json({"user_id": current_user.id, "csrf_token": generate_csrf()})


@bp.get("/offline/visits.json")
@roles_required(*HELPERS)
def visits():
    """The helper's visits for the phone to keep (with the address while the grant runs)."""
    return _json({"user_id": current_user.id, "visits": phone_visits.for_phone(current_user)})


@bp.after_app_request
def clear_at_logout(response):
    """Logging out clears what the browser kept for the user: caches, IndexedDB (the visits kept offline)."""
    if request.endpoint in LOGOUTS and response.status_code in (302, 303):
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.app_context_processor
def shell_context():
    """The theme colour for base.html's head (offline/_head.html)."""
    return {"offline_theme": app_shell.theme_colour()}


def register(app):
    """Register the blueprint with its action routes."""
    from . import actions  # noqa: F401 (adds the routes)

    app.register_blueprint(bp)
