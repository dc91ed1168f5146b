"""Which passwords are too weak: short, common, or built from the phone number or the name."""
import gzip
import re
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from pypinyin import lazy_pinyin

MIN_LENGTH = 8
MAX_LENGTH = 128
LIST = Path(__file__).with_name("common-passwords.txt.gz")  # source and licence: common-passwords.md
# Common in China and missing from the list above; the demo password is published in the README.
EXTRA = {
    "88888888", "66666666", "qwertyui", "aa123456", "woaini1314", "woaini520", "5201314520", "zxcvbnm1",
    "1qaz2wsx", "asdfghjk", "huhang-demo-2019", "huhang2019", "huhang123", "huhang2026", "huhang-2019",
}


@lru_cache(maxsize=1)
def common() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    with gzip.open(LIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip()) | EXTRA


def _is_common(pw: str) -> bool:
    low = pw.lower()
    # A common password with a year or a few digits or symbols added is still common.
    stem = re.sub(r"[\d\W_]{1,4}$", "", low)
    return low in common() or (len(stem) >= 4 and stem in common())


def _phone_digits(phone: str | None) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def _from_phone(pw: str, phone: str | None) -> bool:
    digits = _phone_digits(phone)
    runs = re.findall(r"\d{6,}", pw)
    return len(digits) >= 6 and any(digits[i:i + 6] in run for run in runs for i in range(len(digits) - 5))


def _from_name(pw: str, name: str | None) -> bool:
    name = re.sub(r"\s+", "", name or "")
    if not name:
        return False
    low = pw.lower()
    if len(name) >= 2 and name.lower() in low:
        return True
    letters = re.sub(r"[^a-z]", "", low)
    syllables = [s.lower() for s in lazy_pinyin(name) if s.isascii() and s.isalpha()]
    whole = "".join(syllables)
    given = "".join(syllables[1:])
    return any(len(part) >= 4 and part in letters for part in (whole, given))


def weakness(pw: str, phone: str | None = None, name: str | None = None):
    """Why pw is too weak for an account with this phone and name (a message), or None when it is fine."""
    pw = pw or ""
    if len(pw) < MIN_LENGTH:
        return _l("Use at least 8 characters.")
    if len(pw) > MAX_LENGTH:
        return _l("Use at most 128 characters.")
    if _from_phone(pw, phone):
        return _l("Do not build your password from your mobile number.")
    if _from_name(pw, name):
        return _l("Do not build your password from your name.")
    if _is_common(pw) or len(set(pw)) < 4:
        return _l("This password is too easy to guess.")
    if pw.isdigit():
        return _l("Mix letters and numbers; digits alone are easy to guess.")
    return None
