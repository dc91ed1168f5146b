"""Clean a child's fields from any source (form, API, spreadsheet): one set of rules for all."""
import re
from datetime import date, datetime

import phonenumbers
from flask_babel import lazy_gettext as _l

from ..geo import services as geo
from ..validation import _bad_char
from .cards import age_on
from .models import CATEGORIES, GENDERS, PURPOSES

CATEGORY_WORDS = {"孤儿": "orphan", "事实无人抚养儿童": "de_facto_unsupported", "困境儿童": "difficult",
                  "农村留守儿童": "left_behind", "留守儿童": "left_behind"}
GENDER_WORDS = {"女": "f", "男": "m", "girl": "f", "boy": "m", "female": "f", "male": "m"}
YES = {"1", "true", "yes", "y", "on", "是", "有"}
NO = {"", "0", "false", "no", "n", "off", "否", "无"}
TEXT_LIMITS = {"name": 40, "village": 60, "address": 200, "school": 80, "grade": 20, "notes": 2000,
               "guardian_name": 40, "guardian_relation": 20, "consent_given_by": 40, "consent_relation": 20}
REQUIRED = ("name", "gender", "birth_date", "category", "district_code", "guardian_name",
            "guardian_relation", "guardian_phone")
CONSENT_FIELDS = ("consent_given_by", "consent_relation", "consent_given_on", "consent_purpose")


class InvalidInput(ValueError):
    """Field errors: {field: message}; nothing was saved."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _text(value) -> str:
    return ("" if value is None else str(value)).strip()


def parse_date(value) -> date:
    """Accept 2015-06-01, 2015/6/1, 2015.6.1, 2015年6月1日, or a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", _text(value))
    if not m:
        raise ValueError
    return date(int(m[1]), int(m[2]), int(m[3]))


def _division(value, level: str):
    text = _text(value)
    if not text:
        return None
    d = geo.get(text)
    if d is None:
        d = next((x for x in (geo.districts() if level == "district" else _all_towns()) if x.name == text), None)
    if d is None or d.level != level:
        raise ValueError
    return d


def _all_towns():
    return [t for d in geo.districts() for t in geo.towns(d.code)]


def clean(data: dict, *, partial: bool = False, today: date | None = None) -> dict:
    """Return clean child fields (and consent_* fields when given), or raise InvalidInput."""
    today = today or date.today()
    errors, out = {}, {}
    present = lambda f: f in data and _text(data.get(f)) != ""  # noqa: E731
    for f in REQUIRED:  # a change may leave a field out, never empty it
        if (not partial or f in data) and not present(f) and not (f == "district_code" and present("town_code")):
            errors[f] = _l("This field is required.")
    for f, limit in TEXT_LIMITS.items():
        if f in data and f not in errors:
            v = _text(data[f])
            if len(v) > limit:
                errors[f] = _l("Use at most %(n)s characters.", n=limit)
            elif any(_bad_char(ch) for ch in v if not (f == "notes" and ch in "\r\n\t")):
                errors[f] = _l("Please use only letters, numbers and ordinary punctuation "
                               "(no emoji, symbols or markup such as < >).")
            else:
                out[f] = v or None
    if present("gender"):
        g = _text(data["gender"]).lower()
        g = GENDER_WORDS.get(g, g)
        if g in GENDERS:
            out["gender"] = g
        else:
            errors["gender"] = _l("Choose girl or boy.")
    if present("birth_date"):
        try:
            b = parse_date(data["birth_date"])
        except ValueError:
            errors["birth_date"] = _l("Enter a date like 2015-06-01.")
        else:
            if b > today:
                errors["birth_date"] = _l("The birth date cannot be in the future.")
            elif age_on(b, today) > 17:
                errors["birth_date"] = _l("Huhang serves children under 18; check the birth date.")
            else:
                out["birth_date"] = b
    if present("category"):
        c = _text(data["category"])
        c = CATEGORY_WORDS.get(c, c)
        if c in CATEGORIES:
            out["category"] = c
        else:
            errors["category"] = _l("Choose a category from the list.")
    if "disabled" in data:
        v = _text(data["disabled"]).lower()
        if v in YES or data["disabled"] is True:
            out["disabled"] = True
        elif v in NO or data["disabled"] is False:
            out["disabled"] = False
        else:
            errors["disabled"] = _l("Answer yes or no.")
    _clean_divisions(data, out, errors)
    _clean_point(data, out, errors)
    if present("guardian_phone"):
        try:
            num = phonenumbers.parse(_text(data["guardian_phone"]), "CN")
            if num.country_code != 86 or not phonenumbers.is_valid_number(num):
                raise ValueError
            out["guardian_phone"] = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
        except (phonenumbers.NumberParseException, ValueError):
            errors["guardian_phone"] = _l("Enter a valid mainland China phone number.")
    if any(present(f) for f in CONSENT_FIELDS):
        _clean_consent(data, out, errors, today)
    if errors:
        raise InvalidInput(errors)
    return out


def _clean_divisions(data, out, errors):
    try:
        district = _division(data.get("district_code"), "district")
    except ValueError:
        errors["district_code"] = _l("Unknown district.")
        return
    try:
        town = _division(data.get("town_code"), "town")
    except ValueError:
        errors["town_code"] = _l("Unknown town or street.")
        return
    if town and district and town.parent_code != district.code:
        errors["town_code"] = _l("Choose a town or street in the chosen district.")
        return
    if town:
        out["town_code"], out["district_code"] = town.code, town.parent_code
    elif district:
        out["district_code"] = district.code
        if "town_code" in data and not errors.get("district_code"):
            errors["town_code"] = _l("Choose the town or street.")


def _clean_point(data, out, errors):
    lat, lon = _text(data.get("lat")), _text(data.get("lon"))
    if not lat and not lon:
        if "lat" in data or "lon" in data:
            out["lat"] = out["lon"] = None
        return
    try:
        plat, plon = geo.parse_point(lat, lon)
    except geo.BadLocation as exc:
        errors["lat"] = str(exc)
        return
    found = geo.district_code_at(plat, plon)
    if out.get("district_code") and found and found != out["district_code"]:
        errors["lat"] = _l("The pin lies in %(name)s, not in the chosen district.", name=geo.get(found).name)
        return
    out["lat"], out["lon"] = round(plat, 6), round(plon, 6)


def _clean_consent(data, out, errors, today):
    for f in ("consent_given_by", "consent_relation"):
        if not out.get(f) and f not in errors:
            errors[f] = _l("This field is required.")
    try:
        given = parse_date(data.get("consent_given_on"))
        if given > today:
            errors["consent_given_on"] = _l("The consent date cannot be in the future.")
        else:
            out["consent_given_on"] = given
    except ValueError:
        errors["consent_given_on"] = _l("Enter a date like 2015-06-01.")
    purpose = _text(data.get("consent_purpose"))
    if purpose in PURPOSES:
        out["consent_purpose"] = purpose
    else:
        errors["consent_purpose"] = _l("Choose the purpose the guardian agreed to.")
