"""The privacy notice page, and a new version to accept after logging in before anything else."""
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, user_loaded_from_cookie

from .services import VIA, blocks, by_version, current, due, history, record_consent, versions

bp = Blueprint("privacy", __name__)
DUE = "privacy_due"  # in the session: this login must accept the current notice first
# What a user asked to accept a new notice may still open: the notice, the question, the language, logging out,
# and, not agreeing, their data and deleting the account (PIPL: refusing must be as easy as agreeing).
OPEN = {"privacy.notice", "privacy.accept", "accounts.logout", "home.set_locale", "static", "health.healthz",
        "accounts.my_data", "accounts.my_data_json", "accounts.delete_account"}


def text(notice) -> str:
    """The notice's text in the page's language."""
    return notice.text_en if str(get_locale()).startswith("en") else notice.text_zh


def gate(user, next_url: str) -> str:
    """Where a user goes after logging in: next_url, or first the new notice to accept."""
    if due(user.id) is None:
        session.pop(DUE, None)
        return next_url
    session[DUE] = True
    return url_for("privacy.accept", next=next_url)


@user_loaded_from_cookie.connect
def _remembered(sender, user):
    # Coming back with "keep me logged in" is a login too: a new notice is asked for then.
    if due(user.id) is not None:
        session[DUE] = True


@bp.before_app_request
def _accept_first():
    if request.endpoint in OPEN:
        return None
    if DUE not in session and "_user_id" not in session and request.cookies.get(
            current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        current_user.is_authenticated  # noqa: B018 - restores a remembered login now (see _remembered)
    if not session.get(DUE):
        return None
    if not current_user.is_authenticated:
        session.pop(DUE, None)
        return None
    target = url_for("privacy.accept", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    if request.headers.get("HX-Request"):
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target)


@bp.get("/privacy")
def notice():
    """The privacy notice: the current version, or an older one (?version=)."""
    version = request.args.get("version", "")
    shown = by_version(version[:20]) if version else current()
    if shown is None:
        abort(404)
    return render_template("privacy/notice.html", notice=shown, blocks=blocks(text(shown)), current=current(),
                           versions=versions())


@bp.route("/privacy/accept", methods=["GET", "POST"])
@login_required
def accept():
    """Accept the current notice (asked after logging in when it is new to the user); nothing else until then."""
    from ..accounts.forms import ConsentForm
    from ..accounts.views import _safe_next

    next_url = _safe_next(url_for("home.index"))
    notice = due(current_user.id)
    if notice is None:
        session.pop(DUE, None)
        return redirect(next_url)
    session[DUE] = True
    form = ConsentForm(version=notice.version)
    if form.validate_on_submit():
        if form.version.data == notice.version:
            record_consent(current_user.id, notice.id, "login")
            session.pop(DUE, None)
            return redirect(next_url)
        form.agree.errors.append(_("The privacy notice has just changed. Please read it again."))
    return render_template("privacy/accept.html", form=form, notice=notice, blocks=blocks(text(notice)),
                           next_url=next_url), 422 if form.errors else 200


@bp.app_template_global("consent_history")
def consent_history(user_id: int) -> list[dict]:
    """A user's consents for the account page: version, when, how."""
    return [{"version": version, "given_at": consent.given_at, "via": VIA.get(consent.via, consent.via)}
            for consent, version in history(user_id)]


def register(app):
    """Register the privacy pages and the `flask privacy` commands."""
    from .cli import register as register_cli

    app.register_blueprint(bp)
    register_cli(app)


@bp.app_template_global("privacy_notice_version")
def privacy_notice_version() -> str:
    """The current notice's version (the sign-up form says which one was ticked)."""
    return current().version
