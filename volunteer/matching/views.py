"""Matching pages: "near me" for volunteers and help offers (blueprint `matching`).

Other matching pages (find helpers, coverage) add their routes to this same blueprint (helper_views.py).
"""
from flask import Blueprint

bp = Blueprint("matching", __name__)


def register(app):
    """Register the matching blueprint (and the routes other modules attach to it)."""
    import importlib
    import importlib.util

    # find-helpers / coverage routes live in helper_views.py and attach themselves to bp on import.
    if importlib.util.find_spec(f"{__package__}.helper_views") is not None:
        importlib.import_module(f"{__package__}.helper_views")
    app.register_blueprint(bp)
