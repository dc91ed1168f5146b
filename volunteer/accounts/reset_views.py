"""Forgotten password: a code by SMS to the number, then the code and a new password (routes on accounts.bp)."""
from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import limiter
from . import throttle
from .codes import CODE_MINUTES
from .forms import ForgotForm, ResetForm
from .reset import finish_reset, start_reset
from .services import AccountError
from .views import bp

PHONE = "reset_phone"  # in the session: the number a reset is waiting on


def _number_key() -> str:
    return "reset:" + throttle.account_key()


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["CODE_RATE_PER_ADDRESS"], methods=["POST"], scope="reset-addr")
@limiter.limit(lambda: current_app.config["CODE_RATE_PER_NUMBER"], key_func=_number_key, methods=["POST"],
               scope="reset-number")
def forgot():
    """Ask for a reset code; the same answer whether or not the number has an account."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = ForgotForm()
    if form.validate_on_submit():
        start_reset(form.phone.e164)
        session[PHONE] = form.phone.e164
        return redirect(url_for("accounts.reset"))
    return render_template("accounts/reset_forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ADDRESS"], methods=["POST"], scope="reset-code")
def reset():
    """Enter the code from the SMS and a new password; every session of the account ends."""
    phone = session.get(PHONE)
    if current_user.is_authenticated or not phone:
        return redirect(url_for("accounts.forgot"))
    form = ResetForm()
    if form.validate_on_submit():
        try:
            finish_reset(phone, form.code.data, form.password.data)
        except AccountError as exc:
            getattr(form, exc.field or "code").errors.append(exc.message)
        else:
            session.pop(PHONE, None)
            flash(_("Your password is changed. Log in with your new password."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form, phone=phone, minutes=CODE_MINUTES), \
        422 if form.errors else 200
