"""Volunteers' offers to help with a need (from "near me"), and coordinators' answers.

    offer_help(volunteer, need_id, message=None) -> Offer   # idempotent; renews a withdrawn/declined one
    withdraw(volunteer, offer_id) -> Offer
    decide(staff, offer_id, accept) -> Offer                # accept: the need becomes "assigned"
    pending_for(staff) -> [row]                             # pending offers in staff's scope
    pending_count(staff) -> int                             # how many pending_for lists in all
    offers_of(volunteer) -> [row]                           # a volunteer's own offers
    volunteered(need_id, user_ids) -> {user_id}             # who offered and still waits to be planned
    answer_for_visit(staff, visit) -> [job]                 # a visit was planned: answer the need's offers

Errors: OfferNotFound (no such offer or need, or not one this user may see or act on: one answer
for both), NotAllowed (the role may not do this), InvalidInput (field -> message: a refused move).
Coordinators hear of a new offer, and volunteers of a decision, through background jobs
(jobs/offers.py, ids only) recorded in the same transaction as the change.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import access
from ..accounts.models import User
from ..audit import services as audit
from ..children.models import Child
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.models import Need
from ..needs.present import need_card
from ..needs.rules import NeedNotFound, NotAllowed, is_staff
from ..tasks import services as tasks
from ..types import utcnow
from ..validation import _bad_char
from . import distance, points
from .models import NeedPoint, Offer
from .nearme import child_essentials

MESSAGE_MAX = 200
OFFER_STATUSES = {"pending": _l("Waiting for a coordinator"), "accepted": _l("Accepted"),
                  "planned": _l("Visit planned"), "declined": _l("Declined"), "withdrawn": _l("Withdrawn")}
# Offers a visit has not answered yet: planning a visit for the need answers them.
OPEN = ("pending", "accepted")
NOTIFY_COORDINATORS = "jobs.offers.notify_coordinators"
NOTIFY_VOLUNTEER = "jobs.offers.notify_volunteer"


class OfferNotFound(NeedNotFound):
    """No such offer (or need), or not one this user may see or act on: the same answer."""


def _is_volunteer(user) -> bool:
    return getattr(user, "role", None) == "volunteer" and access.view_of(user, "need") == "card"


def clean_message(message) -> str | None:
    """An optional short plain-text note to the coordinator; InvalidInput when too long or with markup."""
    text = ("" if message is None else str(message)).strip()
    if not text:
        return None
    if len(text) > MESSAGE_MAX:
        raise InvalidInput({"message": _l("Please keep the note under %(n)s characters.", n=MESSAGE_MAX)})
    if any(_bad_char(ch) for ch in text if ch not in "\r\n"):
        raise InvalidInput({"message": _l("Please use only letters, numbers and ordinary punctuation "
                                          "(no emoji, symbols or markup such as < >).")})
    return text


def _notice(func: str, offer: Offer):
    """Record the notification job about an offer in the current transaction (handed to RQ after
    commit). Its subject is the child, so erasing the child cancels it."""
    child_id = db.session.scalar(select(Need.child_id).where(Need.id == offer.need_id))
    return tasks.record(func, offer.id, kind="notify", queue="notifications", subject=f"child:{child_id}")


def offer_help(volunteer, need_id: int, message=None, via: str = "web") -> Offer:
    """Offer to help with an open need the volunteer can see (one on the near-me map).

    A second tap returns the same offer (no duplicate, no second notice); an offer the volunteer
    withdrew, a coordinator declined or an earlier visit used is made again (pending, with a fresh
    notice). An accepted offer not yet planned is returned as it is.
    """
    if not _is_volunteer(volunteer):
        raise NotAllowed(_l("Only volunteers can offer help."))
    need_id = need_id if isinstance(need_id, int) and not isinstance(need_id, bool) else None
    if need_id is None or db.session.get(NeedPoint, need_id) is None:
        raise OfferNotFound(need_id)  # not open, not placeable, or no such need
    note = clean_message(message)
    offer = db.session.scalar(select(Offer).where(Offer.need_id == need_id, Offer.volunteer_id == volunteer.id))
    if offer is not None and offer.status in OPEN:
        return offer
    if offer is None:
        offer = Offer(need_id=need_id, volunteer_id=volunteer.id, message=note, status="pending")
        db.session.add(offer)
        try:
            db.session.flush()
        except IntegrityError:
            # Two taps raced: the unique (need, volunteer) kept one; that one is the answer.
            db.session.rollback()
            return db.session.scalar(select(Offer).where(Offer.need_id == need_id,
                                                         Offer.volunteer_id == volunteer.id))
    else:
        offer.status, offer.message, offer.created_at = "pending", note, utcnow()
        offer.decided_at = offer.decided_by_id = offer.visit_id = None
    rec = _notice(NOTIFY_COORDINATORS, offer)
    audit.log(volunteer, "update", "offer", offer.id, reason="offer", via=via, commit=False)
    db.session.commit()
    tasks.dispatch(rec)
    return offer


def _own(volunteer, offer_id) -> Offer:
    offer = db.session.get(Offer, offer_id) if isinstance(offer_id, int) else None
    if offer is None or not _is_volunteer(volunteer) or offer.volunteer_id != volunteer.id:
        raise OfferNotFound(offer_id)
    return offer


def withdraw(volunteer, offer_id: int, via: str = "web") -> Offer:
    """The volunteer takes back their pending offer (again: no change). An accepted offer cannot be
    withdrawn here: the coordinator has planned with it."""
    offer = _own(volunteer, offer_id)
    if offer.status == "withdrawn":
        return offer
    if offer.status != "pending":
        raise InvalidInput({"status": _l("This offer was already answered; please contact the coordinator.")})
    offer.status = "withdrawn"
    audit.log(volunteer, "update", "offer", offer.id, reason="withdraw", via=via, commit=False)
    db.session.commit()
    return offer


def offer_for_staff(staff, offer_id) -> Offer:
    """An offer whose child lies in staff's scope; else OfferNotFound (audited), as for a missing one."""
    offer = db.session.get(Offer, offer_id) if isinstance(offer_id, int) else None
    need = db.session.get(Need, offer.need_id) if offer is not None else None
    if need is None or not is_staff(staff) or not access.child_in_scope(staff, need.child):
        audit.log(staff, "deny", "offer", offer.id if offer else None, reason="decide", via="web")
        raise OfferNotFound(offer_id)
    return offer


def decide(staff, offer_id: int, accept: bool, via: str = "web") -> Offer:
    """A coordinator in the child's scope accepts or declines a pending offer.

    Accepting moves the need to "assigned" (needs.services.move_need: the need must be open) and
    declines the other pending offers for the need, in one transaction; every volunteer concerned
    is told through a background job.
    """
    from ..needs.services import move_need

    offer = offer_for_staff(staff, offer_id)
    if offer.status != "pending":
        raise InvalidInput({"status": _l("This offer is no longer waiting for an answer.")})
    now = utcnow()
    decided = [offer]
    offer.status, offer.decided_at, offer.decided_by_id = ("accepted" if accept else "declined"), now, staff.id
    if accept:
        others = db.session.scalars(select(Offer).where(Offer.need_id == offer.need_id, Offer.id != offer.id,
                                                        Offer.status == "pending")).all()
        for other in others:
            other.status, other.decided_at, other.decided_by_id = "declined", now, staff.id
            decided.append(other)
    recs = [_notice(NOTIFY_VOLUNTEER, o) for o in decided]
    audit.log(staff, "update", "offer", offer.id, reason="accept" if accept else "decline", via=via, commit=False)
    try:
        if accept:
            move_need(staff, offer.need_id, "assigned", via=via)  # commits the offers with the need
            points.sync_need(offer.need_id)  # gone from near-me at once, not only after the worker ran
        else:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for rec in recs:
        tasks.dispatch(rec)
    return offer


def volunteered(need_id: int, user_ids) -> set[int]:
    """Those of user_ids whose offer for the need no visit has answered yet: they already said yes, so a
    visit planned with them needs no second answer."""
    if not user_ids:
        return set()
    return set(db.session.scalars(select(Offer.volunteer_id).where(
        Offer.need_id == need_id, Offer.status.in_(OPEN), Offer.volunteer_id.in_(list(user_ids)))))


def answer_for_visit(staff, visit, via: str = "web") -> list:
    """Answer every offer still open on the visit's need, in the current transaction (no commit): the
    visit's volunteers' offers are used by it ("planned", visit_id), the others are declined and their
    volunteers thanked through a job. Returns the job records, to dispatch after the commit."""
    planned = {a.user_id for a in visit.assignees}
    now, recs = utcnow(), []
    for offer in db.session.scalars(select(Offer).where(Offer.need_id == visit.need_id, Offer.status.in_(OPEN))
                                    .order_by(Offer.id)):
        if offer.status == "pending":
            offer.decided_at, offer.decided_by_id = now, staff.id
        if offer.volunteer_id in planned:
            offer.status, offer.visit_id = "planned", visit.id
        else:
            offer.status, offer.decided_at, offer.decided_by_id = "declined", now, staff.id
            recs.append(_notice(NOTIFY_VOLUNTEER, offer))
        audit.log(staff, "update", "offer", offer.id, reason=f"visit:{visit.id}", via=via, commit=False)
    return recs


# --- lists ------------------------------------------------------------------------------------------

def _rows(offers, staff=None) -> list[dict]:
    """Offers as dicts for the pages: the need card and the child's privacy-card essentials, the
    status, and for staff the volunteer's name and distance from their home, measured as on every staff
    page (matching.distance: to the child's home), never the volunteer's coordinates."""
    with_volunteer = staff is not None
    if not offers:
        return []
    needs = {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_({o.need_id for o in offers})))}
    kids = {c.id: c for c in db.session.scalars(select(Child).where(Child.id.in_({n.child_id for n in needs.values()})))}
    users = {}
    if with_volunteer:
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({o.volunteer_id for o in offers})))}
    rows, towns = [], {}
    for o in offers:
        need = needs[o.need_id]
        child = kids[need.child_id]
        row = {"id": o.id, "status": o.status, "created_at": o.created_at, "decided_at": o.decided_at,
               "visit_id": o.visit_id,
               "need": need_card(need), "child": child_essentials(child, towns), "message": None, "volunteer": None,
               "km": None, "distance": None}
        if with_volunteer:
            user = users.get(o.volunteer_id)
            row["volunteer"] = user.name if user is not None else ""
            row["message"] = o.message
            row["distance"] = distance.from_home(staff, user, child) if user is not None else None
            row["km"] = row["distance"].km if row["distance"] is not None else None
        rows.append(row)
    return rows


def _pending(staff, *columns):
    """select(*columns) of the pending offers for needs of children in staff's scope; None for others."""
    prefix = access.scope_prefix(staff) if is_staff(staff) else None
    if prefix is None:
        return None
    stmt = (select(*columns).select_from(Offer).join(Need, Need.id == Offer.need_id)
            .join(Child, Child.id == Need.child_id).where(Offer.status == "pending"))
    return stmt.where(access.child_scope_clause(prefix)) if prefix else stmt


def pending_for(staff, limit: int = 200) -> list[dict]:
    """Pending offers for needs of children in staff's scope, oldest first (others: nothing)."""
    stmt = _pending(staff, Offer)
    if stmt is None:
        return []
    return _rows(db.session.scalars(stmt.order_by(Offer.created_at, Offer.id).limit(limit)).all(), staff)


def pending_count(staff) -> int:
    """How many offers pending_for(staff) lists in all (one count query)."""
    stmt = _pending(staff, func.count(Offer.id))
    return 0 if stmt is None else db.session.scalar(stmt)


def offers_of(volunteer, limit: int = 200) -> list[dict]:
    """A volunteer's own offers, newest first (nothing about other volunteers)."""
    if not _is_volunteer(volunteer):
        return []
    offers = db.session.scalars(select(Offer).where(Offer.volunteer_id == volunteer.id)
                                .order_by(Offer.created_at.desc(), Offer.id.desc()).limit(limit)).all()
    return _rows(offers)


def row_for(user, offer_id: int) -> dict | None:
    """One offer as a page row, for its volunteer or for staff in scope (else None)."""
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        return None
    if is_staff(user):
        need = db.session.get(Need, offer.need_id)
        if not access.child_in_scope(user, need.child):
            return None
        return _rows([offer], user)[0]
    if offer.volunteer_id == getattr(user, "id", None):
        return _rows([offer])[0]
    return None


def coordinators_for(child) -> list[User]:
    """Active coordinators whose scope covers the child's town (or district)."""
    users = db.session.scalars(select(User).where(User.role == "coordinator", User.active.is_(True))
                               .order_by(User.id)).all()
    return [u for u in users if access.child_in_scope(u, child)]
