"""The real-name ID number (居民身份证号码, GB 11643-1999): check it, mask it, encrypt it at rest.

    validate(raw) -> str               # normalised (full-width digits, spaces, a final x); IdNumberError
    birth_date_of(number) -> date
    mask(number) -> "3702**********123X"
    encrypt(number) -> str; decrypt(token) -> str   # Fernet; only the national export decrypts
    identity(profile, number, remove, birth_date) -> {field: value}   # the profile's new values

The key: ID_NUMBER_KEY (a Fernet key; several separated by commas rotate: the first encrypts, any decrypts),
else one generated once into the instance folder (mode 0600), like the secret key. Losing that file loses
every stored number, so production sets ID_NUMBER_KEY and keeps it with the database's backups.
"""
import os
import unicodedata
from datetime import date
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet
from flask import current_app
from flask_babel import lazy_gettext as _l

WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # ISO 7064 MOD 11-2
CHECK = "10X98765432"
# Province codes of mainland resident ID numbers (GB/T 2260); 71 (Taiwan), 81-83 (residence permits) excluded.
PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
             "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}


class IdNumberError(ValueError):
    """A number or birth date that cannot be right; field names the form field the message is for."""

    def __init__(self, message, field="id_number"):
        super().__init__(str(message))
        self.message = message
        self.field = field


def normalise(raw) -> str:
    """Half-width, without spaces or hyphens, with a capital X."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").upper()


def check_digit(first17: str) -> str:
    """The 18th character for 17 digits."""
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def _birth(digits: str) -> date | None:
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    return born if date(1900, 1, 1) <= born <= date.today() else None


def validate(raw) -> str:
    """The normalised number, or IdNumberError saying what is wrong with it."""
    number = normalise(raw)
    if len(number) == 15 and number.isdigit():
        raise IdNumberError(_l("This is an old 15-digit number: enter the 18-character number on your "
                               "current ID card."))
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError(_l("Enter the 18 characters of the ID number (17 digits, then a digit or X)."))
    if number[:2] not in PROVINCES or number[2:4] == "00":
        raise IdNumberError(_l("The first digits are not a mainland province's and city's code: please "
                               "check the number."))
    if _birth(number[6:14]) is None:
        raise IdNumberError(_l("The birth date in the number (digits 7 to 14) is not a real date: please "
                               "check the number."))
    if check_digit(number[:17]) != number[17]:
        raise IdNumberError(_l("The last character does not match the others (the check digit): a digit "
                               "may be mistyped."))
    return number


def birth_date_of(number: str) -> date:
    """The birth date a valid number holds."""
    return _birth(number[6:14])


def mask(number: str) -> str:
    """The form shown everywhere: the first and last four characters."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def _fernet() -> MultiFernet:
    app = current_app._get_current_object()
    if "id_number_fernet" not in app.extensions:
        keys = app.config.get("ID_NUMBER_KEY") or os.environ.get("ID_NUMBER_KEY") or _instance_key(app)
        app.extensions["id_number_fernet"] = MultiFernet(
            [Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])
    return app.extensions["id_number_fernet"]


def _instance_key(app) -> str:
    """The key in instance/id_number_key, created once, readable by the owner only."""
    path = Path(app.instance_path) / "id_number_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it first: use theirs
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(Fernet.generate_key().decode())
    return path.read_text().strip()


def encrypt(number: str) -> str:
    """The stored form of a number (a fresh IV each time, so equal numbers do not look equal)."""
    return _fernet().encrypt(number.encode()).decode()


def decrypt(token: str) -> str:
    """The number back (the national export only)."""
    return _fernet().decrypt(token.encode()).decode()


def identity(profile, number, remove: bool, birth_date: date | None) -> dict:
    """The profile's new id_number_enc, id_number_mask and birth_date: a new number replaces the stored one
    (and gives the birth date; a typed one must agree), remove deletes it, neither keeps it. Nothing changes
    when IdNumberError is raised."""
    out = {}
    if birth_date is not None and birth_date > date.today():
        raise IdNumberError(_l("Enter a birth date in the past."), "birth_date")
    if normalise(number):
        valid = validate(number)
        out["id_number_enc"], out["id_number_mask"] = encrypt(valid), mask(valid)
        born = birth_date_of(valid)
    elif remove:
        out["id_number_enc"] = out["id_number_mask"] = None
        born = None
    else:
        born = profile.birth_date if profile is not None and profile.id_number_enc else None  # set from it
    if born is not None and birth_date is not None and birth_date != born:
        raise IdNumberError(_l("This birth date differs from the one in your ID number (%(date)s).",
                               date=born.isoformat()), "birth_date")
    out["birth_date"] = born or birth_date
    return out
