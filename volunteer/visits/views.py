"""Visit pages (blueprint `visits`): assign, answer offers, check in/out, report, review.

Other visit pages (auto-assign) add their routes to this same blueprint in autoassign_views.py
(`from .views import bp`), imported by register() before the blueprint is registered.
"""
import importlib
import importlib.util

from flask import Blueprint

bp = Blueprint("visits", __name__)


def register(app):
    """Register the visits blueprint (with the routes other modules attach to it)."""
    for name in ("staff_views", "phone_views", "autoassign_views"):
        if importlib.util.find_spec(f"{__package__}.{name}") is not None:
            importlib.import_module(f"{__package__}.{name}")
    app.register_blueprint(bp)
