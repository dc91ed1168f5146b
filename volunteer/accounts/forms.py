"""Sign-up, login, password-reset, phone-change and privacy-consent forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..validation import Phone, PlainText, StrongPassword


class SignupForm(FlaskForm):
    """A volunteer signs up with a mobile number, a name and a password."""

    phone = StringField(_l("Mobile number"), validators=[DataRequired(_l("Enter a mobile number.")), Phone()],
                        render_kw={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20})
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Enter your name.")),
        Length(max=40, message=_l("Use at most 40 characters.")), PlainText()],
        render_kw={"autocomplete": "name", "maxlength": 40})
    email = EmailField(_l("Email (optional)"), validators=[
        Optional(), Length(max=254, message=_l("Use at most 254 characters.")),
        Email(message=_l("Enter a valid email address."), check_deliverability=False)],
        render_kw={"autocomplete": "email", "maxlength": 254})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password.")), StrongPassword()],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat password"), validators=[
        DataRequired(_l("Repeat the password.")), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
    # Not ticked by default: consent to the privacy notice must be given, not assumed (PIPL).
    consent = BooleanField(_l("I have read the privacy notice and agree to it"),
                           validators=[DataRequired(_l("Tick the box to agree to the privacy notice."))])
    notice = HiddenField()  # the version shown; a newer one published meanwhile is shown again


class LoginForm(FlaskForm):
    """Log in with mobile number and password."""

    phone = StringField(_l("Mobile number"), validators=[DataRequired(_l("Enter a mobile number.")),
                                                        Length(max=32)],
                        render_kw={"inputmode": "tel", "autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this phone"))


class SignupCodeForm(FlaskForm):
    """The code from the SMS that finishes a sign-up."""

    code = StringField(_l("Code from the SMS"), validators=[DataRequired(_l("Enter the code from the SMS.")),
                                                           Length(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6})


class PasswordChangeForm(FlaskForm):
    """Change one's password (the current one first)."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password.")),
                                                                Length(max=128)],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password.")), Length(max=128)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat password"), validators=[
        DataRequired(_l("Repeat the password.")), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"})


def _code_field():
    return StringField(_l("Code from the SMS"), validators=[DataRequired(_l("Enter the code from the SMS.")),
                                                            Length(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6})


def _new_password_fields():
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password.")),
                                                             StrongPassword()],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat password"), validators=[
        DataRequired(_l("Repeat the password.")), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
    return password, confirm


class ForgotForm(FlaskForm):
    """The mobile number of an account whose password was forgotten."""

    phone = StringField(_l("Mobile number"), validators=[DataRequired(_l("Enter a mobile number.")), Phone()],
                        render_kw={"inputmode": "tel", "autocomplete": "username", "maxlength": 20})


class ResetForm(FlaskForm):
    """The code from the SMS and a new password."""

    code = _code_field()
    password, confirm = _new_password_fields()


class PhoneChangeForm(FlaskForm):
    """A new mobile number for one's account."""

    phone = StringField(_l("New mobile number"), validators=[DataRequired(_l("Enter a mobile number.")), Phone()],
                        render_kw={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20})


class PhoneConfirmForm(FlaskForm):
    """The code sent to the new number, and the current password."""

    code = _code_field()
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password.")),
                                                                Length(max=128)],
                            render_kw={"autocomplete": "current-password"})


class ConsentForm(FlaskForm):
    """Agreeing to a version of the privacy notice."""

    agree = BooleanField(_l("I have read the privacy notice and agree to it"),
                         validators=[DataRequired(_l("Tick the box to agree to the privacy notice."))])
    version = HiddenField()
