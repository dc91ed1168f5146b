"""Assigning visits and answering their offers.

    assign_visit(coordinator, need_id, starts_at, ends_at, volunteer_ids=(), org_id=None) -> Visit
    validate(...), busy_between(...), check_child_free(child_id, starts_at, ends_at), skills_of(...),
    needs_two_adults(need), visit_for(user, visit_id)
    (answers.py: respond, cancel, expire_offers)

Errors: InvalidInput (field -> message; nothing saved), NotAllowed (the role may not do this),
VisitNotFound / NeedNotFound (missing or outside the user's reach: one answer for both).
Messages to people go out through background jobs (jobs/visits.py, ids only) recorded in the same
transaction as the change, so a rolled-back change sends nothing.
"""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import access
from ..accounts.models import User
from ..audit import services as audit
from ..children import services as children
from ..children.models import AccessGrant, Child
from ..database import atomic
from ..children.validation import InvalidInput
from ..extensions import db
from ..matching import offers
from ..needs.models import Need
from ..needs.rules import NeedNotFound, NotAllowed, emit, is_staff
from ..orgs.models import Organisation
from ..safeguarding import services as safeguarding
from ..tasks import services as tasks
from ..types import utcnow
from ..volunteers.models import VolunteerSkill
from ..volunteers.skills import CREDENTIAL_SKILLS
from .models import ACTIVE_STATUSES, HOME_SERVICE_TYPES, Visit, VisitAssignee
from .settings import setting

MAX_WINDOW = timedelta(hours=12)
PAST_GRACE = timedelta(minutes=5)
OPEN_OFFER = ("offered", "accepted")
# A child's visits in these states take its time: one visit at a time, one a day (VISIT_CHILD_ONE_PER_DAY).
CHILD_STATUSES = (*ACTIVE_STATUSES, "done", "flagged")
LOCAL = ZoneInfo("Asia/Shanghai")
GRANT_BEFORE, GRANT_AFTER = timedelta(hours=2), timedelta(hours=24)
GRANT_REASON = "visit:"


class VisitNotFound(NeedNotFound):
    """No such visit, or not one this user may see or act on: the same answer."""


def needs_two_adults(need) -> bool:
    """Whether a need is served in the child's home, where two adults go (when the setting is on)."""
    return bool(setting("VISIT_TWO_ADULTS")) and need.service_type in HOME_SERVICE_TYPES


def _ids(values) -> list[int]:
    out = []
    for v in values or ():
        try:
            i = int(v)
        except (TypeError, ValueError):
            raise InvalidInput({"volunteers": _l("Choose volunteers from the list.")}) from None
        if i not in out:
            out.append(i)
    return out


def check_window(starts_at, ends_at, now=None) -> None:
    """A window of aware datetimes, in the future, ending after it starts and at most 12 hours long."""
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime) \
            or starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput({"starts_at": _l("Enter the date and time of the visit.")})
    if starts_at < (now or utcnow()) - PAST_GRACE:
        raise InvalidInput({"starts_at": _l("This time has already passed; choose a time in the future.")})
    if ends_at <= starts_at:
        raise InvalidInput({"ends_at": _l("The visit must end after it starts.")})
    if ends_at - starts_at > MAX_WINDOW:
        raise InvalidInput({"ends_at": _l("A visit lasts at most 12 hours.")})


def skills_of(user_ids) -> dict[int, set]:
    """user_id -> the skills that count (a credential skill only once a coordinator verified it)."""
    out = {u: set() for u in user_ids}
    if user_ids:
        for uid, skill, status in db.session.execute(select(
                VolunteerSkill.user_id, VolunteerSkill.skill, VolunteerSkill.credential_status)
                .where(VolunteerSkill.user_id.in_(user_ids))):
            if skill not in CREDENTIAL_SKILLS or status == "verified":
                out[uid].add(skill)
    return out


def busy_between(user_ids, starts_at, ends_at, exclude_visit_id=None) -> set[int]:
    """Users with another live visit overlapping the window."""
    if not user_ids:
        return set()
    q = (select(VisitAssignee.user_id).join(Visit, Visit.id == VisitAssignee.visit_id)
         .where(VisitAssignee.user_id.in_(user_ids), VisitAssignee.status.in_(OPEN_OFFER),
                Visit.status.in_(ACTIVE_STATUSES), Visit.starts_at < ends_at, Visit.ends_at > starts_at))
    if exclude_visit_id:
        q = q.where(Visit.id != exclude_visit_id)
    return set(db.session.scalars(q))


def check_child_free(child_id, starts_at, ends_at) -> None:
    """InvalidInput if the child has another visit overlapping the window or, with VISIT_CHILD_ONE_PER_DAY,
    on one of its days (Qingdao time)."""
    lo, hi = starts_at, ends_at
    if setting("VISIT_CHILD_ONE_PER_DAY"):
        lo = datetime.combine(starts_at.astimezone(LOCAL).date(), time(0), LOCAL)
        hi = datetime.combine((ends_at - timedelta(microseconds=1)).astimezone(LOCAL).date() + timedelta(days=1),
                              time(0), LOCAL)
    others = db.session.scalars(select(Visit).where(Visit.child_id == child_id, Visit.status.in_(CHILD_STATUSES),
                                                    Visit.starts_at < hi, Visit.ends_at > lo)
                                .order_by(Visit.starts_at)).all()
    overlap = [v for v in others if v.starts_at < ends_at and v.ends_at > starts_at]
    if overlap:
        a, b = overlap[0].starts_at.astimezone(LOCAL), overlap[0].ends_at.astimezone(LOCAL)
        raise InvalidInput({"starts_at": _l("This child already has another visit at this time (%(when)s).",
                                            when=f"{a:%Y-%m-%d %H:%M}–{b:%H:%M}")})
    if others:
        a, b = others[0].starts_at.astimezone(LOCAL), others[0].ends_at.astimezone(LOCAL)
        raise InvalidInput({"starts_at": _l("This child already has a visit on %(day)s (%(time)s); a child is "
                                            "visited at most once a day.", day=f"{a:%Y-%m-%d}",
                                            time=f"{a:%H:%M}–{b:%H:%M}")})


def _volunteers(ids) -> list[User]:
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    if any(i not in users or users[i].role != "volunteer" or not users[i].active for i in ids):
        raise InvalidInput({"volunteers": _l("Choose volunteers from the list.")})
    return [users[i] for i in ids]


def _need_in_scope(coordinator, need_id, via="web") -> Need:
    if not is_staff(coordinator):
        raise NotAllowed(_l("Only a coordinator can assign visits."))
    need = db.session.get(Need, need_id) if isinstance(need_id, int) and not isinstance(need_id, bool) else None
    if need is None or not access.child_in_scope(coordinator, need.child):
        audit.log(coordinator, "deny", "need", need.id if need else None, reason="assign_visit", via=via)
        raise NeedNotFound(need_id)
    return need


def validate(coordinator, need_id, starts_at, ends_at, volunteer_ids=(), org_id=None, via="web"):
    """Check an assignment without saving anything; returns (need, volunteers, organisation)."""
    need = _need_in_scope(coordinator, need_id, via)
    if need.status not in ("open", "assigned"):
        raise InvalidInput({"need": _l("This need is not open, so no visit can be planned for it.")})
    if db.session.scalar(select(Visit.id).where(Visit.need_id == need.id, Visit.status.in_(ACTIVE_STATUSES))):
        raise InvalidInput({"need": _l("This need already has a visit planned.")})
    check_window(starts_at, ends_at)
    check_child_free(need.child_id, starts_at, ends_at)
    ids = _ids(volunteer_ids)
    org = None
    if org_id not in (None, "", 0):
        try:
            org = db.session.get(Organisation, int(org_id))
        except (TypeError, ValueError):
            org = None
        if org is None:
            raise InvalidInput({"org_id": _l("Choose an organisation from the list.")})
        if ids:
            raise InvalidInput({"org_id": _l("Choose either volunteers or an organisation team, not both.")})
        if not db.session.scalar(select(User.id).where(User.organisation_id == org.id, User.role == "org_admin",
                                                       User.active.is_(True))):
            raise InvalidInput({"org_id": _l("This organisation has no admin who could accept the visit.")})
        unchecked = safeguarding.teams_missing([org.id], on=starts_at).get(org.id)
        if unchecked:  # every active member goes on a team's visits (answers.helper_ids)
            raise InvalidInput({"org_id": safeguarding.message(safeguarding.settings.kinds(), ", ".join(unchecked))})
        return need, [], org
    if not ids:
        raise InvalidInput({"volunteers": _l("Choose at least one volunteer or an organisation team.")})
    users = _volunteers(ids)
    if needs_two_adults(need) and len(users) < 2:
        raise InvalidInput({"volunteers": _l("A home visit is made by two adults: choose two volunteers or "
                                             "an organisation team.")})
    wanted = set(need.skill_codes)
    have = skills_of(ids)
    lacking = [u.name for u in users if not wanted <= have[u.id]]
    if lacking:
        raise InvalidInput({"volunteers": _l("%(names)s lacks a skill this need requires (or its credential is "
                                             "not verified yet).", names=", ".join(lacking))})
    unchecked = safeguarding.missing_for(ids, safeguarding.settings.VISIT, on=starts_at)
    if unchecked:
        kinds = sorted({k for ks in unchecked.values() for k in ks})
        names = ", ".join(u.name for u in users if u.id in unchecked)
        raise InvalidInput({"volunteers": safeguarding.message(kinds, names)})
    busy = busy_between(ids, starts_at, ends_at)
    if busy:
        raise InvalidInput({"starts_at": _l("%(names)s already has a visit at this time.",
                                            names=", ".join(u.name for u in users if u.id in busy))})
    return need, users, org


def _offer_expiry(now, starts_at):
    return min(now + timedelta(hours=float(setting("VISIT_OFFER_HOURS"))), starts_at)


def lock_for_assignment(need_id, volunteer_ids=()) -> None:
    """Inside an atomic() block: lock the need, its child and the volunteers (PostgreSQL row locks, in one
    order for every writer), so two runs planning visits for them at once decide one after the other.
    SQLite's BEGIN IMMEDIATE already serialises writers."""
    if db.engine.dialect.name == "sqlite" or not isinstance(need_id, int) or isinstance(need_id, bool):
        return
    child_id = db.session.scalar(select(Need.child_id).where(Need.id == need_id).with_for_update())
    if child_id is not None:
        db.session.execute(select(Child.id).where(Child.id == child_id).with_for_update())
    ids = sorted({int(v) for v in volunteer_ids or () if str(v).isdigit()})
    if ids:
        db.session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update())


def assign_visit(coordinator, need_id, starts_at, ends_at, volunteer_ids=(), org_id=None, source="manual",
                 via="web", also=None, notify=True) -> Visit:
    """Plan a visit for a need in the coordinator's scope and offer it to volunteers (or a team).

    The need becomes "assigned"; each volunteer (or the team's organisation admins) is told through a
    background job and answers on the phone; an unanswered offer expires (VISIT_OFFER_HOURS). Checks and
    writes are one transaction holding the need's, child's and volunteers' locks, and the database keeps
    one live visit per need, so racing runs never double a visit. also(visit), if given, runs inside that
    transaction (e.g. a proposal noting the visit it made). notify=False leaves the offer's message and
    its expiry job to the caller (a batch: jobs.visits.notify_offers).
    """
    try:
        with atomic():
            lock_for_assignment(need_id, volunteer_ids)
            visit, jobs, expiry = _plan(coordinator, need_id, starts_at, ends_at, volunteer_ids, org_id, source, via,
                                        notify)
            if also is not None:
                also(visit)
    except IntegrityError:
        raise InvalidInput({"need": _l("This need already has a visit planned.")}) from None
    for job in jobs:
        tasks.dispatch(job)
    if expiry is not None:
        tasks.dispatch(expiry, at=visit.offer_expires_at)
    elif visit.status == "accepted":
        from .reminders import schedule_reminders

        schedule_reminders(visit)
    return visit


def _plan(coordinator, need_id, starts_at, ends_at, volunteer_ids, org_id, source, via, notify):
    """assign_visit's checks and writes, in its transaction; returns (visit, jobs to send, expiry job)."""
    need, users, org = validate(coordinator, need_id, starts_at, ends_at, volunteer_ids, org_id, via)
    now = utcnow()
    # A volunteer whose own "near me" offer for this need no visit has used yet has already said yes.
    volunteered = offers.volunteered(need.id, [u.id for u in users])
    if volunteered:
        source = "offer"
    visit = Visit(need_id=need.id, child_id=need.child_id, starts_at=starts_at, ends_at=ends_at,
                  status="offered", source=source if source in ("manual", "auto", "offer") else "manual",
                  org_id=org.id if org else None, created_by_id=coordinator.id)
    expires = visit.offer_expires_at = _offer_expiry(now, starts_at)
    for user in users:
        yes = user.id in volunteered
        visit.assignees.append(VisitAssignee(user_id=user.id, status="accepted" if yes else "offered", offered_at=now,
                                             expires_at=None if yes else expires, responded_at=now if yes else None))
    db.session.add(visit)
    if users and all(a.status == "accepted" for a in visit.assignees):
        visit.status, visit.offer_expires_at = "accepted", None
        db.session.flush()
        for a in visit.assignees:
            _grant(visit, a.user_id)
    if need.status == "open":
        need.status = "assigned"
    emit("need.updated", need.child, need_id=need.id)
    db.session.flush()
    audit.log(coordinator, "update", "need", need.id, reason=f"visit:{visit.id}", via=via, commit=False)
    answered = offers.answer_for_visit(coordinator, visit, via)  # every open offer on the need, in this commit
    if not notify:
        return visit, answered, None
    rec = tasks.record("jobs.visits.notify_offer", visit.id, kind="notify", queue="notifications",
                       subject=f"child:{need.child_id}")
    expiry = tasks.record("jobs.visits.expire_offers", kind="visit_expiry", queue="default") \
        if visit.status == "offered" else None
    return visit, (rec, *answered), expiry


# --- answers ----------------------------------------------------------------------------------------

def visit_for(user, visit_id) -> Visit:
    """A visit the user takes part in (assignee, team member) or, for staff, one in scope."""
    visit = db.session.get(Visit, visit_id) if isinstance(visit_id, int) and not isinstance(visit_id, bool) else None
    if visit is not None and can_see(user, visit):
        return visit
    raise VisitNotFound(visit_id)


def can_see(user, visit) -> bool:
    if is_staff(user):
        return access.child_in_scope(user, visit.child)
    if visit.org_id and access.member_of(user, visit.org_id):
        return True
    return any(a.user_id == user.id and a.status != "withdrawn" for a in visit.assignees)


def _grant(visit, user_id) -> None:
    db.session.add(AccessGrant(user_id=user_id, child_id=visit.child_id, starts_at=visit.starts_at - GRANT_BEFORE,
                               ends_at=visit.ends_at + GRANT_AFTER, reason=f"{GRANT_REASON}{visit.id}"))


def contact(user, visit, via: str = "web") -> dict | None:
    """The home's address and guardian's phone for a helper of the visit while its grant runs (audited)."""
    return children.home_contact(user, visit.child, f"{GRANT_REASON}{visit.id}", via)
