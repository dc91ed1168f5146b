"""Sign-up, login and logout pages."""
import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import get_locale, ngettext
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import render_error
from ..extensions import limiter
from ..privacy.views import gate as privacy_gate
from ..validation import BadPhone, normalise_phone
from . import throttle
from .forms import LoginForm, PasswordChangeForm, SignupCodeForm, SignupForm
from .services import AccountError, authenticate, change_own_password
from .signup import agreed_notice, confirm_signup, pending_phone, start_signup
from .sessions import end_all_sessions, end_session, open_session

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return default


def _start_session(user, remember=False):
    # A fresh session at login: nothing from before (fixation, an old CSRF token) carries over.
    locale = session.get("locale")
    session.clear()
    if locale and not user.locale:
        session["locale"] = locale
    user.session_id = open_session(user.id)
    login_user(user, remember=remember)
    session.permanent = True


def _end_session():
    # logout_user marks the remember cookie for deletion (session["_remember"]); keep that mark and the
    # language, drop the rest (the CSRF token too).
    logout_user()
    for key in [k for k in session if k not in ("_remember", "locale")]:
        session.pop(key)


def _signup_phone_key() -> str:
    return "signup:" + throttle.account_key()


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_PER_ADDRESS"], methods=["POST"], scope="signup-addr")
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_PER_NUMBER"], key_func=_signup_phone_key,
               methods=["POST"], scope="signup-number")
def signup():
    """A volunteer signs up; a code goes to the phone (the same page whether or not the number has an account)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            req = start_signup(form.phone.e164, form.name.data, form.password.data, form.email.data,
                               locale=str(get_locale()), notice_id=agreed_notice(form.notice.data))
        except AccountError as exc:
            getattr(form, exc.field or "phone").errors.append(exc.message)
        else:
            session["signup_id"] = req.id
            return redirect(url_for("accounts.signup_confirm"))
    return render_template("accounts/signup.html", form=form), 200 if not form.errors else 422


@bp.route("/signup/confirm", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_PER_ADDRESS"], methods=["POST"], scope="signup-code")
def signup_confirm():
    """Enter the code sent to the phone; the account is made and the volunteer fills in their profile."""
    phone = pending_phone(session.get("signup_id"))
    if current_user.is_authenticated or phone is None:
        return redirect(url_for("accounts.signup"))
    form = SignupCodeForm()
    if form.validate_on_submit():
        try:
            user = confirm_signup(session.get("signup_id"), form.code.data)
        except AccountError as exc:
            form.code.errors.append(exc.message)
        else:
            _start_session(user)
            flash(_("Welcome to Huhang! Tell us how you would like to help."), "success")
            return redirect(url_for("volunteers.profile", welcome=1))
    return render_template("accounts/signup_confirm.html", form=form, phone=phone), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ADDRESS"], methods=["POST"], scope="login-addr")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ACCOUNT_ADDRESS"], key_func=throttle.account_place_key,
               methods=["POST"], scope="login-acct-addr")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ACCOUNT"], key_func=throttle.account_key,
               methods=["POST"], scope="login-acct", exempt_when=throttle.known_device)
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
            target = privacy_gate(user, _safe_next(url_for("home.index")))  # a new privacy notice first
            return throttle.remember_device(redirect(target), user.phone)
    status = 401 if error else (422 if form.errors else 200)
    return render_template("accounts/login.html", form=form, error=error), status


def _wait_message():
    """What a rate-limited login is told: why, and how long to wait."""
    current = limiter.current_limit
    # At most the limit's own window: the in-memory fallback (Redis away) gives a reset a moment past it,
    # which read "2 minutes" for a 10-a-minute limit.
    seconds = min(current.reset_at - time.time(), current.limit.get_expiry()) if current else 60
    wait = ngettext("%(num)s minute", "%(num)s minutes", max(1, math.ceil(seconds / 60)))
    scope = current.request_args[-1].rpartition(":")[2] if current else ""  # "accounts.login:login-acct"
    if scope == "login-acct":
        return _("Too many wrong passwords were tried for this mobile number from different places. To protect "
                 "the account, please wait %(wait)s and try again. On a phone or computer where you have logged "
                 "in before, you can log in now.", wait=wait)
    if scope == "login-addr":
        return _("Too many attempts from this network. Please wait %(wait)s and try again.", wait=wait)
    return _("Too many attempts. Please wait %(wait)s and try again.", wait=wait)


@bp.errorhandler(429)
def too_many(e):
    """Keep the login or sign-up form (and what was typed) when rate limited, and say how long to wait."""
    if request.endpoint == "accounts.signup":
        return render_template("accounts/signup.html", form=SignupForm(), error=_wait_message()), 429
    if request.endpoint != "accounts.login":
        return render_error(429)
    form = LoginForm()
    form.password.data = ""
    return render_template("accounts/login.html", form=form, error=_wait_message()), 429


@bp.post("/logout")
@login_required
def logout():
    """Log out: the session ends on the server and the remember cookie is deleted."""
    end_session(current_user.session_id)
    _end_session()
    return redirect(url_for("accounts.login"))


@bp.get("/account")
@login_required
def account():
    """The user's account: details, password, messages, tokens, consents, my data, sessions, deletion."""
    from .account_views import page_context

    return render_template("accounts/account.html", **page_context())


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


@bp.post("/account/password")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ACCOUNT_ADDRESS"], key_func=_user_key,
               scope="password-change")
def change_password():
    """Change the password; every other session of the user ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_own_password(current_user, form.current.data, form.password.data,
                                keep_session=current_user.session_id)
        except AccountError as exc:
            getattr(form, exc.field or "password").errors.append(exc.message)
        else:
            flash(_("Password changed. You are logged out on every other phone and computer."), "success")
            return redirect(url_for("accounts.account"))
    from .account_views import page_context

    return render_template("accounts/account.html", **page_context(form=form)), 422


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session of the user, on every phone and computer (API tokens keep working)."""
    end_all_sessions(current_user.id)
    _end_session()
    flash(_("You are logged out on every phone and computer."), "success")
    return redirect(url_for("accounts.login"))
