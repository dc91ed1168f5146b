"""Answers to visit offers, and their end: accept, decline, cancel, expire.

    respond(user, visit_id, accept) -> Visit      # a volunteer (or the team's organisation admin) answers
    cancel(staff, visit_id) -> Visit
    expire_offers(now=None) -> int               # unanswered offers past their time go back to the pool
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from .. import access
from ..accounts.models import User
from ..audit import services as audit
from ..children.models import AccessGrant
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.rules import NotAllowed, emit, is_staff
from ..safeguarding import services as safeguarding
from ..tasks import services as tasks
from ..types import utcnow
from .models import ACTIVE_STATUSES, Visit, VisitAssignee
from .services import GRANT_REASON, VisitNotFound, _grant, visit_for


def _release_need(visit) -> None:
    """Give the need back to the pool (open) unless another live visit holds it."""
    need = visit.need
    other = db.session.scalar(select(Visit.id).where(Visit.need_id == need.id, Visit.id != visit.id,
                                                     Visit.status.in_(ACTIVE_STATUSES)))
    if need.status == "assigned" and other is None:
        need.status = "open"
        need.team_org_id = None
        emit("need.updated", need.child, need_id=need.id)


def _close_offers(visit, now, status="withdrawn") -> None:
    for a in visit.assignees:
        if a.status == "offered":
            a.status, a.responded_at = status, now


def _require_checks(user, visit) -> None:
    """The safeguarding rule once more at acceptance: a member who joined the team since the offer, or the
    rule turned on since, stops it with the same message as at planning."""
    if visit.org_id:
        unchecked = safeguarding.teams_missing([visit.org_id], on=visit.starts_at).get(visit.org_id)
        if unchecked:
            raise InvalidInput({"status": safeguarding.message(safeguarding.settings.kinds(), ", ".join(unchecked))})
    else:
        lacking = safeguarding.missing(user.id, safeguarding.settings.VISIT, on=visit.starts_at)
        if lacking:
            raise InvalidInput({"status": safeguarding.message(lacking)})


def can_answer(user, visit) -> bool:
    """Whether user may accept or decline the visit's offer now (theirs, or their team's as its admin)."""
    if visit.status != "offered":
        return False
    if visit.org_id:
        return access.admin_of(user, visit.org_id)
    return any(a.user_id == user.id and a.status == "offered" for a in visit.assignees)


def respond(user, visit_id, accept: bool, via="web") -> Visit:
    """The volunteer (or, for a team visit, an admin of the organisation) accepts or declines.

    All accept -> the visit is accepted: each helper gets access to the child for the visit window, and
    reminders are scheduled. One declines -> the visit is declined and the need goes back to the pool.
    Answering again the same way changes nothing; an offer no longer open gets a clear message.
    """
    visit = visit_for(user, visit_id)
    now = utcnow()
    if accept and visit.status == "offered":
        _require_checks(user, visit)
    if visit.org_id:
        if not access.admin_of(user, visit.org_id):
            raise NotAllowed(_l("Only the organisation's admin can answer for the team."))
        mine = next((a for a in visit.assignees if a.user_id == user.id), None)
        if mine is None:
            mine = VisitAssignee(user_id=user.id, status="offered", offered_at=visit.created_at or now)
            visit.assignees.append(mine)
    else:
        mine = next((a for a in visit.assignees if a.user_id == user.id), None)
        if mine is None:
            raise VisitNotFound(visit_id)
    wanted = "accepted" if accept else "declined"
    if mine.status == wanted:
        return visit
    if visit.status != "offered" or mine.status not in ("offered",):
        raise InvalidInput({"status": _l("This offer is no longer open.")})
    mine.status, mine.responded_at = wanted, now
    recs = []
    if not accept:
        visit.status = "declined"
        _close_offers(visit, now)
        _release_need(visit)
        recs.append(tasks.record("jobs.visits.notify_coordinators", visit.id, "declined", kind="notify",
                                 queue="notifications", subject=f"child:{visit.child_id}"))
    elif all(a.status == "accepted" for a in visit.assignees):
        visit.status = "accepted"
        for uid in helper_ids(visit):
            _grant(visit, uid)
        recs.append(tasks.record("jobs.visits.notify_coordinators", visit.id, "accepted", kind="notify",
                                 queue="notifications", subject=f"child:{visit.child_id}"))
    audit.log(user, "update", "visit", visit.id, reason=wanted, via=via, commit=False)
    db.session.commit()
    for rec in recs:
        tasks.dispatch(rec)
    if visit.status == "accepted":
        from .reminders import schedule_reminders

        schedule_reminders(visit)
    return visit


def helper_ids(visit) -> list[int]:
    """Who goes: the accepted volunteers, and for a team visit every active member of the organisation."""
    ids = [a.user_id for a in visit.assignees if a.status == "accepted"]
    if visit.org_id:
        ids += [u for u in db.session.scalars(select(User.id).where(
            User.organisation_id == visit.org_id, User.role.in_(access.ORG_ROLES), User.active.is_(True)))
            if u not in ids]
    return ids


def cancel(staff, visit_id, via="web") -> Visit:
    """A coordinator calls a planned visit off: offers withdrawn, access revoked, the need back to open."""
    visit = visit_for(staff, visit_id)
    if not is_staff(staff):
        raise NotAllowed(_l("Only a coordinator can cancel a visit."))
    if visit.status == "cancelled":
        return visit
    if visit.status not in ("proposed", "offered", "accepted"):
        raise InvalidInput({"status": _l("This visit has started or ended and cannot be cancelled.")})
    now = utcnow()
    visit.status = "cancelled"
    _close_offers(visit, now)
    db.session.execute(delete(AccessGrant).where(AccessGrant.reason == f"{GRANT_REASON}{visit.id}"))
    _release_need(visit)
    audit.log(staff, "update", "visit", visit.id, reason="cancel", via=via, commit=False)
    db.session.commit()
    return visit


def expire_offers(now=None) -> int:
    """Expire every offer unanswered past its time: the visit expires, the need goes back to the pool,
    coordinators are told. Safe twice: a second run finds nothing left to expire."""
    now = now or utcnow()
    visits = db.session.scalars(select(Visit).where(Visit.status == "offered", Visit.offer_expires_at <= now)
                                .order_by(Visit.id)).all()
    recs = []
    for visit in visits:
        _close_offers(visit, now, status="expired")
        visit.status = "expired"
        _release_need(visit)
        recs.append(tasks.record("jobs.visits.notify_coordinators", visit.id, "expired", kind="notify",
                                 queue="notifications", subject=f"child:{visit.child_id}"))
    db.session.commit()
    for rec in recs:
        tasks.dispatch(rec)
    return len(recs)
