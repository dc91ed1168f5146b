"""Who is calling: a personal token in `Authorization: Bearer …`, never the session cookie."""
from flask import current_app, g, request
from flask_login import AnonymousUserMixin
from flask_limiter.util import get_remote_address

from ..extensions import csrf, limiter
from . import services
from .errors import error

PUBLIC = {"api.openapi_json"}  # endpoints that need no token


def bearer() -> str | None:
    """The token in the Authorization header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def rate_key() -> str:
    """Limit per token when one is sent (by its hash), else per address."""
    token = bearer()
    return "api-token:" + services.digest(token)[:24] if token else "api-addr:" + get_remote_address()


def authenticate_request():
    """before_request of the API blueprint: set g.api_user from the token, or answer 401."""
    # Whoever the session cookie names is never looked at: current_user is the token's user (or
    # anonymous) for the whole request, so the locale and any service see the same caller.
    g._login_user = AnonymousUserMixin()
    g.api_user = None
    if request.endpoint in PUBLIC:
        return None
    user = services.authenticate(bearer())
    if user is None:
        return error(401)
    g.api_user = g._login_user = user
    return None


def install(bp):
    """Token auth, no CSRF (no cookie is accepted, so there is nothing to forge), and rate limits."""
    csrf.exempt(bp)
    bp.before_request(authenticate_request)
    limiter.limit(lambda: current_app.config.get("API_RATE_LIMIT", "120/minute"), key_func=rate_key,
                  scope="api")(bp)
    limiter.limit(lambda: current_app.config.get("API_RATE_LIMIT_PER_ADDRESS", "600/minute"),
                  key_func=get_remote_address, scope="api-addr")(bp)
