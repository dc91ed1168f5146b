"""What needs and wishes accept: field cleaning, vocabularies, status moves, errors and events."""
from datetime import date

from flask_babel import lazy_gettext as _l

from .. import access
from ..children.services import ChildNotFound
from ..children.validation import InvalidInput, parse_date
from ..validation import _bad_char
from ..volunteers.skills import SKILLS
from .models import (DIMENSIONS, NEED_ACTIONS, NEED_FLOW, NEED_STATUSES, RHYTHMS, SERVICE_TYPES, STAFF_WISH_FLOW,
                     URGENCIES, WISH_ACTIONS, WISH_CATEGORIES, WISH_FLOW, WISH_STATUSES)

DETAILS_MAX = 2000
ITEM_MAX = 60
PRICE_MIN, PRICE_MAX = 1, 5000
PLAIN_TEXT = _l("Please use only letters, numbers and ordinary punctuation (no emoji, symbols or markup such as < >).")

VOCABULARIES = {
    "dimensions": DIMENSIONS, "service_types": SERVICE_TYPES, "urgencies": URGENCIES, "rhythms": RHYTHMS,
    "need_statuses": NEED_STATUSES, "need_flow": NEED_FLOW, "wish_categories": WISH_CATEGORIES,
    "wish_statuses": WISH_STATUSES, "wish_flow": WISH_FLOW, "staff_wish_flow": STAFF_WISH_FLOW, "skills": SKILLS,
    "need_actions": NEED_ACTIONS, "wish_actions": WISH_ACTIONS,
}


class NeedNotFound(ChildNotFound):
    """No such need, or not one this user may see or change (the same answer as a missing child)."""


class WishNotFound(ChildNotFound):
    """No such wish, or not one this user may see or change."""


class NotAllowed(PermissionError):
    """The user's role may not do this (e.g. a volunteer moving a need)."""


def emit(topic, child, **ids):
    """Emit a need or wish event about child (into the current transaction)."""
    from ..events.services import emit as emit_event

    # The subject is the child, so erasing the child erases its needs' and wishes' events too.
    emit_event(topic, f"child:{child.id}", child_id=child.id, **ids)


def text_of(value) -> str:
    """A value as stripped text ('' for None)."""
    return ("" if value is None else str(value)).strip()


def is_staff(user) -> bool:
    """Whether user sees needs in full (coordinators and admins)."""
    return access.view_of(user, "need") == "full"


# --- cleaning ---------------------------------------------------------------------------------------

def _choice(data, field, vocabulary, errors, out, message, default=None, required=True):
    if field not in data and default is not None:
        out[field] = default
        return
    if field not in data and not required:
        return
    value = text_of(data.get(field))
    if value in vocabulary:
        out[field] = value
    elif value == "" and default is not None:
        out[field] = default
    else:
        errors[field] = message


def _skills(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    return [text_of(v) for v in value if text_of(v)]


def clean_need(data: dict, partial: bool = False) -> dict:
    """Return clean need fields, or raise InvalidInput with a message per field."""
    errors, out = {}, {}
    choose = _l("Choose from the list.")
    for field, vocab, default in (("dimension", DIMENSIONS, None), ("service_type", SERVICE_TYPES, None),
                                  ("urgency", URGENCIES, "normal"), ("rhythm", RHYTHMS, "once")):
        if partial and field not in data:
            continue
        _choice(data, field, vocab, errors, out, choose, default=default)
    if not partial or "skills" in data:
        skills = _skills(data.get("skills"))
        if any(s not in SKILLS for s in skills):
            errors["skills"] = _l("Choose skills from the list.")
        else:
            out["skills"] = sorted(set(skills))
    for field in ("window_start", "window_end"):
        if partial and field not in data:
            continue
        raw = data.get(field)
        if raw is None or (not isinstance(raw, date) and text_of(raw) == ""):
            out[field] = None
            continue
        try:
            out[field] = parse_date(raw)
        except ValueError:
            errors[field] = _l("Enter a date like 2026-06-01.")
    if not partial or "details" in data:
        details = text_of(data.get("details"))
        if len(details) > DETAILS_MAX:
            errors["details"] = _l("Use at most %(n)s characters.", n=DETAILS_MAX)
        elif any(_bad_char(ch) for ch in details if ch not in "\r\n\t"):
            errors["details"] = PLAIN_TEXT
        else:
            out["details"] = details or None
    if errors:
        raise InvalidInput(errors)
    return out


def check_window(start, end):
    """Raise InvalidInput when the need's window ends before it starts."""
    if start and end and end < start:
        raise InvalidInput({"window_end": _l("The window cannot end before it starts.")})


def clean_wish(data: dict) -> dict:
    """Return clean wish fields (item, category, price_yuan), or raise InvalidInput."""
    errors, out = {}, {}
    item = text_of(data.get("item"))
    if not item:
        errors["item"] = _l("Say what the child wishes for.")
    elif len(item) > ITEM_MAX:
        errors["item"] = _l("Use at most %(n)s characters.", n=ITEM_MAX)
    elif any(_bad_char(ch) for ch in item):
        errors["item"] = PLAIN_TEXT
    else:
        out["item"] = item
    _choice(data, "category", WISH_CATEGORIES, errors, out, _l("Choose a category from the list."))
    raw = data.get("price_yuan")
    price = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        price = raw
    elif text_of(raw).isascii() and text_of(raw).isdigit():
        price = int(text_of(raw))
    if price is None:
        errors["price_yuan"] = _l("Enter the price as a whole number of yuan.")
    elif not PRICE_MIN <= price <= PRICE_MAX:
        errors["price_yuan"] = _l("Enter a price between %(lo)s and %(hi)s yuan.", lo=PRICE_MIN, hi=PRICE_MAX)
    else:
        out["price_yuan"] = price
    if errors:
        raise InvalidInput(errors)
    return out


def refusal(flow, labels, current, target, what) -> InvalidInput:
    """The InvalidInput for a status move flow does not allow, naming the moves it does."""
    allowed = ", ".join(str(labels[s]) for s in sorted(flow.get(current, ()), key=list(labels).index))
    if target not in labels:
        message = _l("Choose a status from the list.")
    elif allowed:
        message = _l("%(what)s that is %(now)s cannot become %(new)s; it can become: %(allowed)s.",
                     what=what, now=labels[current], new=labels[target], allowed=allowed)
    else:
        message = _l("%(what)s that is %(now)s cannot change any more.", what=what, now=labels[current])
    return InvalidInput({"status": message})
