"""Lists of visits, for the pages and the API alike.

    helper_visits(user) -> [Visit]                      # assignee or team member, by start time
    helper_sections(user, now=None) -> Sections          # offers to answer, visits ahead, earlier ones
    staff_visits(staff, show="open", limit, offset)     # (visits of children in scope, total), newest first
    to_review(staff, limit) -> [Visit]                  # filed reports not yet reviewed, in scope

The coordinator's scope is a condition in the query (the children's division codes), so a list is never
cut short by visits outside the scope.
"""
from typing import NamedTuple

from sqlalchemy import func, or_, select

from .. import access
from ..children.models import Child
from ..extensions import db
from ..needs.rules import is_staff
from ..types import utcnow
from .answers import can_answer
from .models import Visit, VisitAssignee, VisitReport
from .services import can_see

LIST_FILTERS = {"open": ("proposed", "offered", "accepted", "checked_in"), "flagged": ("flagged",),
                "done": ("done",), "closed": ("expired", "declined", "cancelled")}
REVIEWABLE = ("done", "flagged", "checked_in")


def helper_visits(user) -> list[Visit]:
    """The visits a helper takes part in (their own offers and visits, their organisation's team visits)."""
    cond = VisitAssignee.user_id == user.id
    if access.member_of(user, user.organisation_id):
        cond = or_(cond, Visit.org_id == user.organisation_id)
    q = select(Visit).outerjoin(VisitAssignee, VisitAssignee.visit_id == Visit.id).where(cond)
    visits = db.session.scalars(q.order_by(Visit.starts_at, Visit.id).distinct()).all()
    return [v for v in visits if can_see(user, v)]


class Sections(NamedTuple):
    """A helper's visits as their page shows them."""

    to_answer: list  # offers still open to this helper (or their team's admin), soonest first
    ahead: list      # accepted or under way and not over yet, soonest first
    earlier: list    # everything else (done, declined, expired, cancelled, past), latest first


def helper_sections(user, now=None) -> Sections:
    """The helper's visits in three parts, so an offer to answer is never below a long history."""
    now = now or utcnow()
    to_answer, ahead, earlier = [], [], []
    for v in helper_visits(user):
        if v.ends_at >= now and can_answer(user, v):
            to_answer.append(v)
        elif v.ends_at >= now and v.status in ("accepted", "checked_in"):
            ahead.append(v)
        else:
            earlier.append(v)
    return Sections(to_answer, ahead, earlier[::-1])


def _in_scope(stmt, staff):
    """stmt (selecting visits) limited to children inside staff's scope; None if staff has no scope."""
    prefix = access.scope_prefix(staff) if is_staff(staff) else None
    if prefix is None:
        return None
    stmt = stmt.join(Child, Child.id == Visit.child_id)
    if prefix:
        stmt = stmt.where(access.child_scope_clause(prefix))
    return stmt


def staff_visits(staff, show: str = "open", limit: int = 200, offset: int = 0) -> tuple[list[Visit], int]:
    """Visits of children in staff's scope with the statuses of LIST_FILTERS[show], latest start first."""
    stmt = _in_scope(select(Visit).where(Visit.status.in_(LIST_FILTERS.get(show, LIST_FILTERS["open"]))), staff)
    if stmt is None:
        return [], 0
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Visit.starts_at.desc(), Visit.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def to_review(staff, limit: int = 100) -> list[Visit]:
    """Visits in scope whose report was filed and not yet reviewed, latest start first."""
    stmt = _in_scope(select(Visit).join(VisitReport, VisitReport.visit_id == Visit.id)
                     .where(Visit.status.in_(REVIEWABLE), VisitReport.reviewed_at.is_(None)), staff)
    if stmt is None:
        return []
    return list(db.session.scalars(stmt.order_by(Visit.starts_at.desc(), Visit.id.desc()).limit(limit)))
