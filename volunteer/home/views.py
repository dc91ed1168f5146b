"""Home page per role, and the language switch."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..accounts.views import _safe_next
from ..extensions import db
from ..i18n import LOCALES
from . import driver
from .kinds import summary
from .navigation import nav_for

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Welcome page for visitors; the dashboard for people who are logged in."""
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    kind, context = summary(current_user)
    return render_template("home/index.html", kind=kind, driver=driver.summary(current_user), **context)


@bp.get("/more")
@login_required
def more():
    """Everything that is not a tab on the phone's bottom bar (更多)."""
    return render_template("home/more.html", items=nav_for(current_user)[1])


@bp.get("/_components")
@login_required
def components():
    """The design system's building blocks on one page, for review (staff, or anyone when DEBUG)."""
    if not (current_user.is_staff or current_app.debug):
        abort(404)
    return render_template("home/components.html")


@bp.app_context_processor
def _navigation():
    return {"nav_for": nav_for}


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


from . import answer_views  # noqa: E402,F401 (adds the offer answer route to bp)
