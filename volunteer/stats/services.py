"""The figures for a coordinator's area: children by category and area (districts for the whole city,
towns and streets inside a district or town), needs along the four dimensions, services delivered in a
period by service type, form, content, month and area (breakdown.py), volunteers who served, children
served, children and needs registered, micro-wishes claimed and fulfilled, gift packs delivered, and the
headline figures against the previous period (headline.py).

    period(start, end) -> (first day, last day)     # InvalidInput (field -> message) on bad input
    figures(staff, first, last) -> Figures           # NotAllowed without a staff scope

Everything is counted by the database (GROUP BY, counting.py), inside the staff user's scope (children by
their town or district code), so the same figures come out for the page, the CSV, the JSON and any report.
Services are SERVED visits by checked_in_at and done activities by their start (stats/activities.py);
person-times are the children served (Visit.children_served; an activity's registered children taking part
plus those expected); hours are the helpers' checked-in service minutes / 60 (two helpers for an hour: two
hours; an activity's volunteers: their approved minutes).
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from ..children.models import CATEGORIES, Child
from ..children.validation import InvalidInput
from ..extensions import db
from ..geo import services as geo
from ..needs.models import DIMENSIONS, NEED_STATUSES, Need, Wish
from ..wishes.models import WishClaim
from . import breakdown, counting, headline
from .counting import LOCAL, SERVED, bounds as _bounds, scoped as _scoped  # noqa: F401  (used elsewhere)

MAX_DAYS = 3 * 366


@dataclass
class Figures:
    """The tables of one area and period; every row a dict."""

    first: date
    last: date
    children: list = field(default_factory=list)   # {area (code), name, <category>..., disabled, total}
    children_total: dict = field(default_factory=dict)
    needs: list = field(default_factory=list)      # {dimension, label, <status>..., total}
    services: list = field(default_factory=list)   # {service_type, label, visits, person_times, hours}
    services_total: dict = field(default_factory=dict)
    by_form: list = field(default_factory=list)    # {key, label, services, person_times, hours}
    by_form_total: dict = field(default_factory=dict)
    by_content: list = field(default_factory=list)  # the same, a row per content and key "none"
    by_content_total: dict = field(default_factory=dict)  # the services with a content
    by_month: list = field(default_factory=list)   # {month: "YYYY-MM", services, person_times, hours}
    by_area: list = field(default_factory=list)    # {area, name, services, person_times, hours, children, per_child}
    volunteers: dict = field(default_factory=dict)  # {served, helper_times (check-ins), hours}
    wishes: dict = field(default_factory=dict)     # {claimed, received} in the period, {open} now
    packs: dict = field(default_factory=dict)      # {delivered}
    reach: dict = field(default_factory=dict)      # {children_served, new_children, new_needs} in the period
    headline: list = field(default_factory=list)   # {key, label, value, previous, change, pct}: headline.py


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(str(text).strip()[:10])
    except ValueError:
        raise InvalidInput({name: _l("Enter the date like 2026-06-01.")}) from None


def period(start: str | None, end: str | None, today: date | None = None) -> tuple[date, date]:
    """The period asked for (local days, both included): by default from 1 January to today."""
    today = today or datetime.now(LOCAL).date()
    first = _day(start, "start") if start else date(today.year, 1, 1)
    last = _day(end, "end") if end else today
    if last < first:
        raise InvalidInput({"end": _l("The end comes before the start.")})
    if (last - first).days > MAX_DAYS:
        raise InvalidInput({"end": _l("Choose a period of at most three years.")})
    return first, last


def figures(staff, first: date, last: date) -> Figures:
    """The figures of staff's area for local days first..last (snapshots: children and needs now)."""
    prefix = counting.staff_prefix(staff)
    start, end = counting.bounds(first, last)
    out = Figures(first=first, last=last)
    _children(out, prefix)
    _needs(out, prefix)
    total = _services(out, prefix, start, end)
    _giving(out, prefix, start, end)
    _reach(out, prefix, start, end, children_served=total[3])
    out.headline = headline.rows(prefix, first, last, current={
        "services": out.services_total["visits"], "person_times": out.services_total["person_times"],
        "hours": out.services_total["hours"], "volunteers": out.volunteers["served"],
        "wishes": out.wishes["received"], "packs": out.packs["delivered"]})
    return out


def _children(out: Figures, prefix: str) -> None:
    # The whole city by district; a district's or a town's coordinator by town or street.
    area = Child.town_code if prefix else Child.district_code
    rows = db.session.execute(_scoped(
        select(area, Child.category, func.count(Child.id), func.sum(case((Child.disabled.is_(True), 1), else_=0)))
        .group_by(area, Child.category), prefix)).all()
    by_area: dict = {}
    for code, category, n, disabled in rows:
        row = by_area.setdefault(code or "", {"area": code or "", "disabled": 0, "total": 0,
                                             **{c: 0 for c in CATEGORIES}})
        row[category if category in CATEGORIES else "difficult"] += n
        row["disabled"] += int(disabled or 0)
        row["total"] += n
    out.children = [{**r, "name": geo.name_of(r["area"]) or r["area"]} for _, r in sorted(by_area.items())]
    out.children_total = {k: sum(r[k] for r in out.children) for k in (*CATEGORIES, "disabled", "total")}


def _needs(out: Figures, prefix: str) -> None:
    rows = db.session.execute(_scoped(
        select(Need.dimension, Need.status, func.count(Need.id)).join(Child, Child.id == Need.child_id)
        .group_by(Need.dimension, Need.status), prefix)).all()
    table = {d: {"dimension": d, "label": label, "total": 0, **{s: 0 for s in NEED_STATUSES}}
             for d, label in DIMENSIONS.items()}
    for dimension, status, n in rows:
        row = table.get(dimension)
        if row is not None and status in NEED_STATUSES:
            row[status] += n
            row["total"] += n
    out.needs = list(table.values())


def _services(out: Figures, prefix: str, start, end) -> dict:
    counts = breakdown.count(prefix, start, end, out.first, out.last)
    out.services, out.services_total = breakdown.by_type(counts["type"])
    out.by_form, out.by_form_total = breakdown.by_form(counts["form"])
    out.by_content, out.by_content_total = breakdown.by_content(counts["content"])
    out.by_month = breakdown.by_month(counts["month"], out.first, out.last)
    out.by_area = breakdown.by_area(counts["area"], prefix, out.children)
    helpers = counting.helpers(prefix, start, end)
    out.volunteers = {"served": helpers["served"], "helper_times": helpers["helper_times"],
                      "hours": round(helpers["minutes"] / 60, 1)}
    return counts["total"].get(None, [0, 0, 0, 0])


def _giving(out: Figures, prefix: str, start, end) -> None:
    out.wishes = {
        "claimed": counting.wish_claims(prefix, WishClaim.claimed_at, start, end),
        "received": counting.wishes_received(prefix, start, end),
        "open": counting.count(prefix, select(func.count(Wish.id)).join(Child, Child.id == Wish.child_id)
                               .where(Wish.status == "published")),
    }
    out.packs = {"delivered": counting.packs_delivered(prefix, start, end)}


def _reach(out: Figures, prefix: str, start, end, children_served: int) -> None:
    def count(stmt):
        return counting.count(prefix, stmt)

    out.reach = {
        "children_served": children_served,
        "new_children": count(select(func.count(Child.id)).where(Child.created_at >= start, Child.created_at < end)),
        "new_needs": count(select(func.count(Need.id)).join(Child, Child.id == Need.child_id)
                           .where(Need.created_at >= start, Need.created_at < end)),
    }
