"""The counts every statistic is built from, each one query inside a scope prefix ('' = the whole city):

    staff_prefix(staff) -> str                           # NotAllowed unless staff with the full child view
    bounds(first, last) -> (start, end)                  # local days -> [start, end) in UTC
    service_counts(prefix, start, end, keys) -> {name: {k: [services, person_times, minutes, children]}}
        keys: {name: (SQL over Visit/Need/Child, SQL over Activity) or None}
    helpers(prefix, start, end) -> {served, helper_times, minutes}
    wishes_received / packs_delivered(prefix, start, end) -> int
    children_at(prefix, ends) -> [{category: n}] per end  # children registered before each end

A service is a SERVED visit (someone checked in) counted by its checked_in_at. Person-times are the children
it served (Visit.children_served: a group activity with 12 children is 12). Minutes are the helpers' checked-in
service minutes (VisitAssignee.service_minutes): two helpers for an hour are two hours of service.
A done activity is a service too, by its start (activities.py: its rows are added to the visits' here).
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, null, select, union_all

from .. import access
from ..children.models import CATEGORIES, Child
from ..extensions import db
from ..logistics.models import Allocation, Stop
from ..needs.models import Need, Wish
from ..needs.rules import NotAllowed
from ..visits.models import Visit, VisitAssignee
from ..wishes.models import WishClaim
from . import activities

LOCAL = ZoneInfo("Asia/Shanghai")
SERVED = ("checked_in", "done", "flagged")  # a visit that took place (someone checked in)


def staff_prefix(staff) -> str:
    """The scope prefix of a staff user who may see statistics."""
    prefix = access.scope_prefix(staff)
    if prefix is None or access.view_of(staff, "child") != "full":
        raise NotAllowed(_l("Only staff see statistics."))
    return prefix


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC for local days first..last."""
    return local_midnight(first), local_midnight(last + timedelta(days=1))


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL).astimezone(timezone.utc)


def scoped(stmt, prefix: str):
    """stmt (joined to Child) limited to children under the code prefix ('' = the whole city)."""
    if prefix:
        stmt = stmt.where(access.child_scope_clause(prefix))
    return stmt


def months(first: date, last: date) -> list[tuple[str, datetime]]:
    """("YYYY-MM", UTC instant of its first local midnight) for every local month touching first..last."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((f"{y:04d}-{m:02d}", local_midnight(max(date(y, m, 1), first))))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_key(first: date, last: date, column=Visit.checked_in_at):
    """SQL: the local month ("YYYY-MM") of column (a visit's checked_in_at), by comparing with the months'
    UTC starts (portable: no date functions of SQLite or PostgreSQL), halving the months at each CASE so a
    row takes about log2(months) comparisons. Rows outside first..last fall in the nearest month."""
    ms = months(first, last)

    def bucket(lo: int, hi: int):
        if hi - lo == 1:
            return literal(ms[lo][0])
        mid = (lo + hi) // 2
        return case((column < ms[mid][1], bucket(lo, mid)), else_=bucket(mid, hi))

    return bucket(0, len(ms))


def area_key(prefix: str):
    """SQL: the area a child counts in, as in the children table (districts for the city, else towns)."""
    return Child.town_code if prefix else Child.district_code


def service_counts(prefix: str, start: datetime, end: datetime, keys: dict) -> dict:
    """{name: {k: [services, person_times, minutes, children]}} of the services in [start, end), for each
    grouping name -> (SQL over Visit, Need and Child; SQL over Activity), or None: no grouping, one row
    under None; children: distinct children served. One statement: the services once (a CTE of the
    served visits and the done activities), then one GROUP BY a key."""
    minutes = (select(func.coalesce(func.sum(VisitAssignee.service_minutes), 0))
               .where(VisitAssignee.visit_id == Visit.id, VisitAssignee.checked_in_at.is_not(None))
               .correlate(Visit).scalar_subquery())
    names = list(keys)
    visits = scoped(
        select(*[(null() if keys[n] is None else keys[n][0]).label(f"k{i}") for i, n in enumerate(names)],
               literal(1).label("service"), Visit.child_id.label("child_id"),
               func.coalesce(Visit.children_served, 1).label("children"), minutes.label("minutes"))
        .join(Need, Need.id == Visit.need_id).join(Child, Child.id == Visit.child_id)
        .where(Visit.status.in_(SERVED), Visit.checked_in_at >= start, Visit.checked_in_at < end), prefix)
    done = activities.service_rows(prefix, start, end, [None if keys[n] is None else keys[n][1] for n in names])
    served = union_all(visits, *done).cte("served")
    # Grouped over the CTE's columns, so expressions with bound values (CASE) group on PostgreSQL too.
    parts = [select(literal(i).label("dim"), served.c[f"k{i}"].label("k"),
                    func.coalesce(func.sum(served.c.service), 0).label("n"),
                    func.coalesce(func.sum(served.c.children), 0).label("children"),
                    func.coalesce(func.sum(served.c.minutes), 0).label("minutes"),
                    func.count(func.distinct(served.c.child_id)).label("kids"))
             .group_by(served.c[f"k{i}"]) for i in range(len(names))]
    out: dict = {n: {} for n in names}
    for dim, k, n, children, m, kids in db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0]):
        out[names[int(dim)]][k] = [int(n), int(children), int(m), int(kids)]
    return out


def helpers(prefix: str, start: datetime, end: datetime) -> dict:
    """Volunteers who served in [start, end): distinct helpers, helper check-ins (visits) and sign-ins
    (activities), their minutes (activities: approved minutes)."""
    visits = scoped(
        select(VisitAssignee.user_id.label("user_id"),
               func.coalesce(VisitAssignee.service_minutes, 0).label("minutes"))
        .join(Visit, Visit.id == VisitAssignee.visit_id).join(Child, Child.id == Visit.child_id)
        .where(Visit.status.in_(SERVED), Visit.checked_in_at >= start, Visit.checked_in_at < end,
               VisitAssignee.checked_in_at.is_not(None)), prefix)
    rows = union_all(visits, activities.helper_rows(prefix, start, end)).subquery()
    row = db.session.execute(select(func.count(func.distinct(rows.c.user_id)), func.count(),
                                    func.coalesce(func.sum(rows.c.minutes), 0))).one()
    return {"served": int(row[0]), "helper_times": int(row[1]), "minutes": int(row[2])}


def count(prefix: str, stmt) -> int:
    return db.session.scalar(scoped(stmt, prefix)) or 0


def wish_claims(prefix: str, column, start: datetime, end: datetime) -> int:
    """Claims whose WishClaim column (claimed_at, received_at) falls in [start, end)."""
    return count(prefix, select(func.count(WishClaim.id)).join(Wish, Wish.id == WishClaim.wish_id)
                  .join(Child, Child.id == Wish.child_id).where(column >= start, column < end))


def wishes_received(prefix: str, start: datetime, end: datetime) -> int:
    """Micro-wishes fulfilled: the child received the gift in [start, end)."""
    return wish_claims(prefix, WishClaim.received_at, start, end)


def packs_delivered(prefix: str, start: datetime, end: datetime) -> int:
    """Gift packs delivered to a child (their stop delivered in [start, end))."""
    return count(prefix, select(func.count(Allocation.id)).join(Stop, Stop.id == Allocation.stop_id)
                  .join(Child, Child.id == Allocation.child_id)
                  .where(Allocation.status == "delivered", Stop.delivered_at >= start, Stop.delivered_at < end))


def children_at(prefix: str, ends: list[datetime]) -> list[dict]:
    """For each instant: {category: children registered before it} (children as they are now, in scope)."""
    category = case((Child.category.in_(list(CATEGORIES)), Child.category), else_=literal("difficult"))
    inner = scoped(select(category.label("category"), Child.created_at.label("created_at")), prefix).subquery()
    rows = db.session.execute(select(inner.c.category, *[
        func.coalesce(func.sum(case((inner.c.created_at < end, 1), else_=0)), 0) for end in ends])
        .group_by(inner.c.category)).all()
    out = [{c: 0 for c in CATEGORIES} for _ in ends]
    for category, *counts in rows:
        for i, n in enumerate(counts):
            out[i][category] += int(n)
    return out
