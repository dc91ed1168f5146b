"""Errors under /api/ as JSON: {"error": {"code", "message", "fields"?}}, in the user's language."""
from flask import current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..errors import MESSAGES

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "bad_request", 409: "conflict",
         413: "bad_request", 415: "bad_request", 422: "invalid", 429: "rate_limited", 500: "server_error"}


def _message(status: int) -> str:
    if status == 401:
        return _("Send a valid API token in the header: Authorization: Bearer <token>.")
    if status == 422:
        return _("Please correct the fields listed; nothing was saved.")
    return MESSAGES.get(status, MESSAGES[500])()


def error(status: int, message: str | None = None, fields: dict | None = None):
    """An error response in the API's format."""
    body = {"code": CODES.get(status, "server_error" if status >= 500 else "bad_request"),
            "message": str(message or _message(status))}
    if status == 422:
        body["fields"] = {k: str(v) for k, v in (fields or {}).items()}
    resp = jsonify({"error": body})
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="huhang"'
    return resp


def is_api_path() -> bool:
    return request.path.startswith("/api/")


def api_error_response(e):
    """The JSON error for an exception raised under /api/, or None elsewhere.

    Blueprint handlers cover errors inside API views; routing errors (unknown URL, wrong method)
    have no blueprint, so the app's handlers in volunteer/errors.py call this first.
    """
    if not is_api_path():
        return None
    if isinstance(e, HTTPException):
        resp = error(e.code or 500)
        if e.code == 405 and getattr(e, "valid_methods", None):
            resp.headers["Allow"] = ", ".join(e.valid_methods)
        return resp
    current_app.logger.exception("unhandled API error")
    from ..extensions import db

    db.session.rollback()
    return error(500)


def install_on(bp):
    """JSON errors for everything raised inside the API blueprint."""
    bp.register_error_handler(HTTPException, api_error_response)
    bp.register_error_handler(Exception, api_error_response)
