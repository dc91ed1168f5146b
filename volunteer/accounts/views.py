"""Sign-up, login and logout pages."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import render_error
from ..extensions import limiter
from ..validation import BadPhone, normalise_phone
from .forms import LoginForm, SignupForm
from .services import AccountError, authenticate, register_volunteer

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return default


def _account_key() -> str:
    raw = request.form.get("phone", "")
    try:
        return "acct:" + normalise_phone(raw)
    except BadPhone:
        return "acct:" + raw.strip()[:32]


def _start_session(user, remember=False):
    # A fresh session at login: nothing from before (fixation, an old CSRF token) carries over.
    locale = session.get("locale")
    session.clear()
    if locale and not user.locale:
        session["locale"] = locale
    login_user(user, remember=remember)
    session.permanent = True


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """A volunteer signs up; next they fill in their profile."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = register_volunteer(form.phone.e164, form.name.data, form.password.data, form.email.data)
        except AccountError as exc:
            getattr(form, exc.field or "phone").errors.append(exc.message)
        else:
            _start_session(user)
            flash(_("Welcome to Huhang! Tell us how you would like to help."), "success")
            return redirect(url_for("volunteers.profile", welcome=1))
    return render_template("accounts/signup.html", form=form), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ADDRESS"], methods=["POST"], scope="login-addr")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ACCOUNT"], key_func=_account_key,
               methods=["POST"], scope="login-acct")
def login():
    """Log in with mobile number and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = authenticate(normalise_phone(form.phone.data), form.password.data)
        except (AccountError, BadPhone):
            error = _("Wrong mobile number or password.")
        else:
            _start_session(user, remember=form.remember.data)
            return redirect(_safe_next(url_for("home.index")))
    status = 401 if error else (422 if form.errors else 200)
    return render_template("accounts/login.html", form=form, error=error), status


@bp.errorhandler(429)
def too_many(e):
    """Keep the login form (and what was typed) when attempts are rate limited."""
    if request.endpoint != "accounts.login":
        return render_error(429)
    form = LoginForm()
    form.password.data = ""
    return render_template("accounts/login.html", form=form,
                           error=_("Too many attempts. Please wait a minute and try again.")), 429


@bp.post("/logout")
@login_required
def logout():
    """Log out and forget the session."""
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))
