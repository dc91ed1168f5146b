"""Changing one's mobile number: a code to the new number, then the code and the password (routes on accounts.bp)."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import limiter
from . import throttle
from .codes import CODE_MINUTES
from .forms import PhoneChangeForm, PhoneConfirmForm
from .phone import finish_phone_change, pending, start_phone_change
from .services import AccountError
from .views import bp


def _user_key() -> str:
    return f"phone-user:{current_user.id}"


def _number_key() -> str:
    return "phone:" + throttle.account_key()


@bp.route("/account/phone", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["CODE_RATE_PER_ADDRESS"], methods=["POST"], scope="phone-addr")
@limiter.limit(lambda: current_app.config["CODE_RATE_PER_NUMBER"], key_func=_user_key, methods=["POST"],
               scope="phone-user")
@limiter.limit(lambda: current_app.config["CODE_RATE_PER_NUMBER"], key_func=_number_key, methods=["POST"],
               scope="phone-number")
def phone_change():
    """A new mobile number: a code goes to it."""
    form = PhoneChangeForm()
    if form.validate_on_submit():
        try:
            start_phone_change(current_user, form.phone.e164)
        except AccountError as exc:
            form.phone.errors.append(exc.message)
        else:
            return redirect(url_for("accounts.phone_confirm"))
    return render_template("accounts/phone.html", phone_form=form), 422 if form.errors else 200


@bp.route("/account/phone/confirm", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ACCOUNT_ADDRESS"], key_func=_user_key, methods=["POST"],
               scope="phone-confirm")
def phone_confirm():
    """The code sent to the new number and the current password move the account to it."""
    change = pending(current_user)
    if change is None:
        return redirect(url_for("accounts.phone_change"))
    form, error = PhoneConfirmForm(), None
    if form.validate_on_submit():
        try:
            finish_phone_change(current_user, form.code.data, form.current.data)
        except AccountError as exc:
            if exc.field:
                getattr(form, exc.field).errors.append(exc.message)
            else:
                error = exc.message
        else:
            flash(_("Your mobile number is changed. Log in with it from now on."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/phone_confirm.html", form=form, phone=change.phone, minutes=CODE_MINUTES,
                           error=error), 422 if form.errors or error else 200


@bp.app_template_global("pending_phone_change")
def pending_phone_change() -> str | None:
    """The new number the current user's phone change waits on (for the account page), or None."""
    change = pending(current_user) if current_user.is_authenticated else None
    return change.phone if change is not None else None
