"""Home page per role, and the language switch."""
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..accounts.views import _safe_next
from ..extensions import db
from ..i18n import LOCALES

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Welcome page for visitors; the dashboard for people who are logged in."""
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    profile = getattr(current_user, "profile", None)
    return render_template("home/index.html", profile=profile)


@bp.post("/locale")
def set_locale():
    """Remember the chosen language (in the session, and on the account when logged in)."""
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(_safe_next(url_for("home.index")))
