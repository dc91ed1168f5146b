"""Lists of visits, for the pages and the API alike.

    helper_visits(user) -> [Visit]                      # assignee or team member, by start time
    helper_sections(user, now=None) -> Sections          # offers to answer, visits ahead, earlier ones
    staff_visits(staff, show="open", limit, offset)     # (visits of children in scope, total), newest first
    staff_count(staff, show="open") -> int               # how many staff_visits lists (the home page's counts)
    to_review(staff, limit) -> [Visit]                  # filed reports not yet reviewed, in scope
    to_plan(staff, limit), to_plan_count(staff)          # accepted near-me offers whose need has no live visit

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
# The staff list's ?show= values: the status groups, visits overdue (reminders.overdue_clause) and reports
# to review.
SHOWS = (*LIST_FILTERS, "overdue", "review")


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
    ahead: list      # accepted (by this helper, even while the others' answers wait) or under way and not
                     # over yet, soonest first
    earlier: list    # everything else (done, declined, expired, cancelled, past), latest first


def _mine_accepted(user, visit) -> bool:
    """The helper accepted an offer that still waits for the other helpers' answers."""
    return visit.status == "offered" and any(a.user_id == user.id and a.status == "accepted" for a in visit.assignees)


def helper_sections(user, now=None) -> Sections:
    """The helper's visits in three parts, so an offer to answer is never below a long history."""
    now = now or utcnow()
    to_answer, ahead, earlier = [], [], []
    for v in helper_visits(user):
        if v.ends_at >= now and can_answer(user, v):
            to_answer.append(v)
        elif v.ends_at >= now and (v.status in ("accepted", "checked_in") or _mine_accepted(user, v)):
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


def _shown(staff, show: str, now=None):
    """The statement (selecting visits) of the staff list `show` inside staff's scope, or None."""
    from .reminders import overdue_clause

    stmt = select(Visit)
    if show == "review":
        stmt = stmt.join(VisitReport, VisitReport.visit_id == Visit.id).where(
            Visit.status.in_(REVIEWABLE), VisitReport.reviewed_at.is_(None))
    elif show == "overdue":
        stmt = stmt.where(*overdue_clause(now or utcnow()))
    else:
        stmt = stmt.where(Visit.status.in_(LIST_FILTERS.get(show, LIST_FILTERS["open"])))
    return _in_scope(stmt, staff)


def staff_visits(staff, show: str = "open", limit: int = 200, offset: int = 0,
                 now=None) -> tuple[list[Visit], int]:
    """Visits of children in staff's scope shown by `show` (SHOWS), latest start first, and their number."""
    stmt = _shown(staff, show, now)
    if stmt is None:
        return [], 0
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Visit.starts_at.desc(), Visit.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def staff_count(staff, show: str = "open", now=None) -> int:
    """How many visits staff_visits(staff, show) lists in all (one count query)."""
    stmt = _shown(staff, show, now)
    return 0 if stmt is None else db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def to_review(staff, limit: int = 100) -> list[Visit]:
    """Visits in scope whose report was filed and not yet reviewed, latest start first."""
    return staff_visits(staff, "review", limit=limit)[0]


def _to_plan(staff):
    """(Offer, Need, User) of near-me offers accepted by a coordinator whose need has no live visit yet, the
    child in staff's scope; None without a scope."""
    from ..accounts.models import User
    from ..matching.models import Offer
    from ..needs.models import Need
    from .models import ACTIVE_STATUSES

    live = select(Visit.need_id).where(Visit.status.in_(ACTIVE_STATUSES))
    prefix = access.scope_prefix(staff) if is_staff(staff) else None
    if prefix is None:
        return None
    stmt = (select(Offer, Need, User).join(Need, Need.id == Offer.need_id).join(Child, Child.id == Need.child_id)
            .join(User, User.id == Offer.volunteer_id)
            .where(Offer.status == "accepted", Need.status == "assigned", Need.id.not_in(live)))
    return stmt.where(access.child_scope_clause(prefix)) if prefix else stmt


def to_plan(staff, limit: int = 100) -> list[tuple]:
    """Accepted offers to plan a visit for (Offer, Need, User), the longest waiting first."""
    from ..matching.models import Offer

    stmt = _to_plan(staff)
    return [] if stmt is None else db.session.execute(stmt.order_by(Offer.decided_at, Offer.id).limit(limit)).all()


def to_plan_count(staff) -> int:
    """How many offers to_plan lists in all."""
    stmt = _to_plan(staff)
    return 0 if stmt is None else db.session.scalar(select(func.count()).select_from(stmt.subquery()))
