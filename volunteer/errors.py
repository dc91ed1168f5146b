"""Error pages in the user's language: a full page, or a fragment for htmx."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .rendering import wants_fragment

MESSAGES = {
    400: lambda: _("The request could not be understood. Please check what you entered and try again."),
    403: lambda: _("You do not have permission to do this."),
    404: lambda: _("The page you asked for does not exist."),
    405: lambda: _("This action is not allowed here."),
    413: lambda: _("What you sent is too large."),
    429: lambda: _("Too many attempts. Please wait a minute and try again."),
    500: lambda: _("Something went wrong on our side. Nothing you entered was lost; please try again."),
}


def render_error(status: int, message: str | None = None):
    """Render an error page (or fragment) with status."""
    message = message or MESSAGES.get(status, MESSAGES[500])()
    template = "errors/_error.html" if wants_fragment() else "errors/error.html"
    if request.path.startswith("/healthz") or request.accept_mimetypes.best == "application/json":
        return {"error": {"status": status, "message": message}}, status
    return render_template(template, status=status, message=message), status


def init_app(app):
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_error(400, _("Your form expired or was sent from elsewhere. Please reload the page and try again."))

    from werkzeug.exceptions import NotFound

    from .api.errors import api_error_response
    from .children.services import ChildNotFound

    @app.errorhandler(ChildNotFound)
    def not_found(e):
        # Out of scope answers exactly like missing, wherever a view forgot to catch it.
        return api_error_response(NotFound()) or render_error(404)

    @app.errorhandler(PermissionError)
    def not_allowed(e):
        # A domain rule's refusal (needs.rules.NotAllowed, orgs.services.NotAllowed) wherever a view let it
        # through: a 403 with the rule's own message, never a 500.
        from werkzeug.exceptions import Forbidden

        return api_error_response(Forbidden(str(e))) or render_error(403, str(e) or None)

    @app.errorhandler(HTTPException)
    def http_error(e):
        return api_error_response(e) or render_error(e.code or 500)

    @app.errorhandler(Exception)
    def unhandled(e):
        app.logger.exception("unhandled error")
        from .extensions import db

        db.session.rollback()
        return api_error_response(e) or render_error(500)
