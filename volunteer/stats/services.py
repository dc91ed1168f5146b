"""The figures for a coordinator's area: children by category and area (districts for the whole city,
towns and streets inside a district or town), needs along the four
dimensions, services delivered in a period (visits, person-times, hours) by service type, volunteers who
served, micro-wishes claimed and fulfilled, gift packs delivered.

    period(start, end) -> (first day, last day)     # InvalidInput (field -> message) on bad input
    figures(staff, first, last) -> Figures           # NotAllowed without a staff scope

Everything is counted by the database (GROUP BY), inside the staff user's scope (children by their town or
district code), so the same figures come out for the page, the CSV and any report.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from .. import access
from ..children.models import CATEGORIES, Child
from ..children.validation import InvalidInput
from ..extensions import db
from ..geo import services as geo
from ..logistics.models import Allocation, Stop
from ..needs.models import DIMENSIONS, NEED_STATUSES, SERVICE_TYPES, Need, Wish
from ..needs.rules import NotAllowed
from ..visits.models import Visit, VisitAssignee
from ..wishes.models import WishClaim

LOCAL = ZoneInfo("Asia/Shanghai")
SERVED = ("checked_in", "done", "flagged")  # a visit that took place (someone checked in)
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
    volunteers: dict = field(default_factory=dict)  # {served, hours}
    wishes: dict = field(default_factory=dict)     # {claimed, received} in the period, {open} now
    packs: dict = field(default_factory=dict)      # {delivered}


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


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC for local days first..last."""
    start = datetime.combine(first, time(0), LOCAL).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time(0), LOCAL).astimezone(timezone.utc)
    return start, end


def _scoped(stmt, prefix: str):
    """stmt (joined to Child) limited to children under the code prefix ('' = the whole city)."""
    if prefix:
        stmt = stmt.where(access.child_scope_clause(prefix))
    return stmt


def figures(staff, first: date, last: date) -> Figures:
    """The figures of staff's area for local days first..last (snapshots: children and needs now)."""
    prefix = access.scope_prefix(staff)
    if prefix is None or access.view_of(staff, "child") != "full":
        raise NotAllowed(_l("Only staff see statistics."))
    start, end = _bounds(first, last)
    out = Figures(first=first, last=last)
    _children(out, prefix)
    _needs(out, prefix)
    _services(out, prefix, start, end)
    _giving(out, prefix, start, end)
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


def _services(out: Figures, prefix: str, start, end) -> None:
    served = (Visit.status.in_(SERVED), Visit.checked_in_at >= start, Visit.checked_in_at < end)
    visits = dict(db.session.execute(_scoped(
        select(Need.service_type, func.count(Visit.id)).join(Need, Need.id == Visit.need_id)
        .join(Child, Child.id == Visit.child_id).where(*served).group_by(Need.service_type), prefix)).all())
    people = {t: (n, m) for t, n, m in db.session.execute(_scoped(
        select(Need.service_type, func.count(VisitAssignee.id), func.coalesce(func.sum(VisitAssignee.service_minutes), 0))
        .join(Visit, Visit.id == VisitAssignee.visit_id).join(Need, Need.id == Visit.need_id)
        .join(Child, Child.id == Visit.child_id)
        .where(*served, VisitAssignee.checked_in_at.is_not(None)).group_by(Need.service_type), prefix))}
    out.services = [{"service_type": t, "label": label, "visits": visits.get(t, 0),
                     "person_times": people.get(t, (0, 0))[0], "hours": round(people.get(t, (0, 0))[1] / 60, 1)}
                    for t, label in SERVICE_TYPES.items()]
    out.services_total = {k: sum(r[k] for r in out.services) for k in ("visits", "person_times")}
    out.services_total["hours"] = round(sum(r["hours"] for r in out.services), 1)
    helpers = db.session.execute(_scoped(
        select(func.count(func.distinct(VisitAssignee.user_id)), func.coalesce(func.sum(VisitAssignee.service_minutes), 0))
        .join(Visit, Visit.id == VisitAssignee.visit_id).join(Child, Child.id == Visit.child_id)
        .where(*served, VisitAssignee.checked_in_at.is_not(None)), prefix)).one()
    out.volunteers = {"served": helpers[0], "hours": round(helpers[1] / 60, 1)}


def _giving(out: Figures, prefix: str, start, end) -> None:
    def count(stmt):
        return db.session.scalar(_scoped(stmt, prefix)) or 0

    claims = select(func.count(WishClaim.id)).join(Wish, Wish.id == WishClaim.wish_id).join(Child, Child.id == Wish.child_id)
    out.wishes = {
        "claimed": count(claims.where(WishClaim.claimed_at >= start, WishClaim.claimed_at < end)),
        "received": count(claims.where(WishClaim.received_at >= start, WishClaim.received_at < end)),
        "open": count(select(func.count(Wish.id)).join(Child, Child.id == Wish.child_id)
                      .where(Wish.status == "published")),
    }
    out.packs = {"delivered": count(
        select(func.count(Allocation.id)).join(Stop, Stop.id == Allocation.stop_id)
        .join(Child, Child.id == Allocation.child_id)
        .where(Allocation.status == "delivered", Stop.delivered_at >= start, Stop.delivered_at < end))}
