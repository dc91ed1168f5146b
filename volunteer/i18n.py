"""Locale choice: the user's own choice, then the browser's Accept-Language; zh-CN by default."""
from flask import has_request_context, request, session
from flask_login import current_user

from .extensions import babel

LOCALES = {"zh_Hans_CN": "中文", "en": "English"}


def normalise(code: str | None) -> str | None:
    """Map a language tag (zh-CN, zh_Hans, en-US…) to one of our locales, or None."""
    if not code:
        return None
    code = code.replace("-", "_").lower()
    if code.startswith("zh"):
        return "zh_Hans_CN"
    if code.startswith("en"):
        return "en"
    return None


def select_locale():
    """Return the locale for this request (the default outside requests, e.g. in jobs)."""
    if not has_request_context():
        return None
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    best = request.accept_languages.best_match(["zh_Hans_CN", "zh_CN", "zh", "en"])
    return normalise(best) or "zh_Hans_CN"


def init_app(app):
    """Bind Flask-Babel with our selector and expose the locale list to templates."""
    babel.init_app(app, locale_selector=select_locale)
    from flask_babel import get_locale

    from . import units

    app.jinja_env.globals.update(LOCALES=LOCALES, get_locale=get_locale)
    units.init_app(app)
