"""The activities blueprint; its pages live in one module per part of the loop (imported by register)."""
from flask import Blueprint

bp = Blueprint("activities", __name__)


def register(app):
    """Register the blueprint with the routes of every part of the loop."""
    from . import (attendance_views, certificate_views, export_views, hours_views,  # noqa: F401 (add routes)
                   organise_views, pages)

    app.register_blueprint(bp)
