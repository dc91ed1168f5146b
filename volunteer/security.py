"""Security headers, CSRF and the login manager."""
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


def init_app(app):
    """Apply the security headers, CSRF protection and session handling."""
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
