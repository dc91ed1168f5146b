"""Forms of the account page: name and email, and deleting the account."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..validation import PlainText


class DetailsForm(FlaskForm):
    """The user's name and email address."""

    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Enter your name.")), Length(max=40, message=_l("Use at most 40 characters.")), PlainText()],
        render_kw={"autocomplete": "name", "maxlength": 40})
    email = EmailField(_l("Email (optional)"), validators=[
        Optional(), Length(max=254, message=_l("Use at most 254 characters.")),
        Email(message=_l("Enter a valid email address."), check_deliverability=False)],
        render_kw={"autocomplete": "email", "maxlength": 254})


class DeleteAccountForm(FlaskForm):
    """Delete one's account: the password and an explicit tick."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password.")),
                                                              Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    understood = BooleanField(_l("I understand that my personal data will be erased and cannot be brought back."),
                              validators=[DataRequired(_l("Tick the box to confirm."))])
