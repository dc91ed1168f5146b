"""The headline figures of /stats, each against the previous period of the same length:

    headline(staff, first, last) -> [{key, label, value, previous, change, pct}]

Children on the register (all, then each category) count the children registered before each period ends
(created_at, as they are now: in scope by their current area); services, person-times (children served),
service hours, volunteers who served, micro-wishes fulfilled (received by the child) and gift packs delivered
count within each period, with the queries of figures() (counting.py). change = value - previous; pct = the
change in per cent of previous, to 0.1 (None when previous is 0).
"""
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from ..children.models import CATEGORIES
from . import counting

LABELS = {
    "children": _l("Children on the register"),
    "orphan": _l("Orphans"),
    "de_facto_unsupported": _l("De-facto unsupported children"),
    "difficult": _l("Children in difficult circumstances"),
    "left_behind": _l("Rural left-behind children"),
    "services": _l("Number of services"),
    "person_times": _l("Children served (person-times)"),
    "hours": _l("Service hours"),
    "volunteers": _l("Volunteers who served"),
    "wishes": _l("Micro-wishes fulfilled"),
    "packs": _l("Gift packs delivered"),
}
assert set(CATEGORIES) <= set(LABELS)


def previous(first: date, last: date) -> tuple[date, date]:
    """The period of the same length just before first..last."""
    n = (last - first).days + 1
    return first - timedelta(days=n), first - timedelta(days=1)


def totals(prefix: str, first: date, last: date) -> dict:
    """The period's own figures of the headline (not the children): as figures() counts them."""
    start, end = counting.bounds(first, last)
    total = counting.service_counts(prefix, start, end, {"total": None})["total"]
    services, person_times, minutes, _children = total.get(None, (0, 0, 0, 0))
    return {"services": services, "person_times": person_times, "hours": round(minutes / 60, 1),
            "volunteers": counting.helpers(prefix, start, end)["served"],
            "wishes": counting.wishes_received(prefix, start, end),
            "packs": counting.packs_delivered(prefix, start, end)}


def rows(prefix: str, first: date, last: date, current: dict | None = None) -> list[dict]:
    """The headline of a scope; current: this period's totals when the caller has counted them already."""
    p_first, p_last = previous(first, last)
    now = current if current is not None else totals(prefix, first, last)
    before = totals(prefix, p_first, p_last)
    kids_now, kids_before = counting.children_at(prefix, [counting.bounds(first, last)[1],
                                                          counting.bounds(p_first, p_last)[1]])
    now = {"children": sum(kids_now.values()), **kids_now, **now}
    before = {"children": sum(kids_before.values()), **kids_before, **before}
    return [_row(key, now[key], before[key]) for key in LABELS]


def _row(key: str, value, previous_value) -> dict:
    change = round(value - previous_value, 1) if isinstance(value, float) else value - previous_value
    pct = round(change * 100 / previous_value, 1) if previous_value else None
    return {"key": key, "label": LABELS[key], "value": value, "previous": previous_value, "change": change,
            "pct": pct}


def headline(staff, first: date, last: date) -> list[dict]:
    """The headline figures of staff's area for local days first..last against the period before."""
    return rows(counting.staff_prefix(staff), first, last)
