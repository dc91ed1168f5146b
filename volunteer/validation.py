"""Field checks shared by every form: phone numbers, plain text, passwords."""
import unicodedata

import phonenumbers
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

COMMON_PASSWORDS = {
    "12345678", "123456789", "1234567890", "password", "password1", "11111111", "88888888",
    "qwertyui", "qwerty123", "abc12345", "abcd1234", "iloveyou", "00000000", "66666666",
    "a1234567", "aa123456", "1qaz2wsx", "woaini1314", "asdfghjk", "zxcvbnm1",
}


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
    """WTForms validator: at least 8 characters, not common, not only digits, not the phone number."""

    def __call__(self, form, field):
        pw = field.data or ""
        if len(pw) < 8:
            raise ValidationError(_l("Use at least 8 characters."))
        if len(pw) > 128:
            raise ValidationError(_l("Use at most 128 characters."))
        if pw.lower() in COMMON_PASSWORDS or len(set(pw)) < 4:
            raise ValidationError(_l("This password is too easy to guess."))
        if pw.isdigit():
            raise ValidationError(_l("Mix letters and numbers; digits alone are easy to guess."))
        phone = getattr(form, "phone", None)
        if phone is not None and phone.data and pw in (phone.data or "").replace(" ", ""):
            raise ValidationError(_l("Do not use your phone number as the password."))
