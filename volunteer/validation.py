"""Field checks shared by every form: phone numbers, plain text, passwords."""
import unicodedata

import phonenumbers
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms.validators import ValidationError


class BadPhone(ValueError):
    """Not a valid mainland China mobile number."""


def normalise_phone(raw: str) -> str:
    """Return a mainland mobile number in E.164 form (+86…), or raise BadPhone."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 32:
        raise BadPhone(_l("Enter a mobile number."))
    try:
        num = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise BadPhone(_l("This is not a phone number.")) from None
    if num.country_code != 86 or not phonenumbers.is_valid_number(num):
        raise BadPhone(_l("Enter a valid mainland China mobile number, e.g. 138 0013 8000."))
    kind = phonenumbers.number_type(num)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise BadPhone(_l("Enter a mobile number, not a landline."))
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """Format a stored number for people: 138 0013 8000."""
    national = phonenumbers.format_number(phonenumbers.parse(e164, "CN"),
                                          phonenumbers.PhoneNumberFormat.NATIONAL)
    return national


def _number(value):
    """The phone number in value, or None when it holds no valid number."""
    try:
        num = phonenumbers.parse(str(value), "CN")
    except phonenumbers.NumberParseException:
        return None
    return num if phonenumbers.is_valid_number(num) else None


def phone_text(value) -> str:
    """A stored number as a Chinese reader writes it (171 6104 5053); other text as it is, '' for none."""
    num = _number(value) if value else None
    if num is None:
        return str(value or "")
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_link(value) -> Markup:
    """A stored number as a tel: link to its E.164 form, showing phone_text; escaped text if no number."""
    num = _number(value) if value else None
    if num is None:
        return escape(value or "")
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    return Markup('<a href="tel:{}">{}</a>').format(e164, phone_text(e164))


def init_app(app):
    """The template filters |phone and |phone_link (the API keeps E.164)."""
    app.jinja_env.filters.update(phone=phone_text, phone_link=phone_link)


def _bad_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    # Cc/Cf/Co/Cs: control and invisible characters; So/Sk: emoji and other symbols.
    return cat in ("Cc", "Cf", "Co", "Cs", "So", "Sk") or ch in "<>{}[]\\`$"


class PlainText:
    """WTForms validator: visible text without markup, emoji or control characters."""

    def __init__(self, allow_newlines=False):
        self.allow_newlines = allow_newlines

    def __call__(self, form, field):
        value = field.data or ""
        for ch in value:
            if self.allow_newlines and ch in "\r\n\t":
                continue
            if _bad_char(ch):
                raise ValidationError(_l("Please use only letters, numbers and ordinary punctuation "
                                         "(no emoji, symbols or markup such as < >)."))


class Phone:
    """WTForms validator: a mainland mobile number; stores the E.164 form in field.e164."""

    def __call__(self, form, field):
        try:
            field.e164 = normalise_phone(field.data)
        except BadPhone as exc:
            raise ValidationError(str(exc.args[0])) from None


class StrongPassword:
    """WTForms validator: not weak by accounts.passwords.weakness (the form's phone and name count)."""

    def __call__(self, form, field):
        from .accounts.passwords import weakness

        phone, name = getattr(form, "phone", None), getattr(form, "name", None)
        problem = weakness(field.data or "", phone.data if phone else None, name.data if name else None)
        if problem:
            raise ValidationError(problem)
