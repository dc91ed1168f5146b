"""Security headers, caching (no-store), CSRF and the login manager."""
from flask import current_app, request
from flask_babel import lazy_gettext as _l

from .extensions import csrf, login_manager, talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:", "blob:", "https://*.tile.openstreetmap.org",
                "https://*.is.autonavi.com"],
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def cacheable(view):
    """Mark a view whose answers browsers and proxies may keep (it must carry no personal data)."""
    view.cacheable = True
    return view


def no_store(response):
    """Every dynamic answer says no-store (any may carry personal data); static files keep their caching."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return response
    if getattr(current_app.view_functions.get(endpoint), "cacheable", False):
        return response
    if "no-store" not in response.headers.get("Cache-Control", ""):  # a view's own (e.g. private, no-store) stays
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    """Apply the security headers, CSRF protection and session handling."""
    app.after_request(no_store)
    https = app.config["HTTPS"]
    talisman.init_app(
        app,
        force_https=https,
        strict_transport_security=https,
        session_cookie_secure=https,
        session_cookie_http_only=True,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy={"geolocation": "(self)", "camera": "()", "microphone": "()"},
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    from . import errors

    errors.init_app(app)
