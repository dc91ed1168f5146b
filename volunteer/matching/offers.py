"""Volunteers' offers to help with a need (from "near me"), and coordinators' answers.

    offer_help(volunteer, need_id, message=None) -> Offer   # idempotent; renews a withdrawn/declined one
    withdraw(volunteer, offer_id) -> Offer
    decide(staff, offer_id, accept) -> Offer                # accept: the need becomes "assigned"
    pending_for(staff) -> [row]                             # pending offers in staff's scope
    offers_of(volunteer) -> [row]                           # a volunteer's own offers

Errors: OfferNotFound (no such offer or need, or not one this user may see or act on: one answer
for both), NotAllowed (the role may not do this), InvalidInput (field -> message: a refused move).
Coordinators hear of a new offer, and volunteers of a decision, through background jobs
(jobs/offers.py, ids only) recorded in the same transaction as the change.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
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
from . import points
from .models import NeedPoint, Offer
from .nearme import child_essentials, round_km
from .spatial import haversine_km

MESSAGE_MAX = 200
OFFER_STATUSES = {"pending": _l("Waiting for a coordinator"), "accepted": _l("Accepted"),
                  "declined": _l("Declined"), "withdrawn": _l("Withdrawn")}
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
    withdrew or a coordinator declined is made again (pending, with a fresh notice). An accepted
    offer is returned as it is.
    """
    if not _is_volunteer(volunteer):
        raise NotAllowed(_l("Only volunteers can offer help."))
    need_id = need_id if isinstance(need_id, int) and not isinstance(need_id, bool) else None
    if need_id is None or db.session.get(NeedPoint, need_id) is None:
        raise OfferNotFound(need_id)  # not open, not placeable, or no such need
    note = clean_message(message)
    offer = db.session.scalar(select(Offer).where(Offer.need_id == need_id, Offer.volunteer_id == volunteer.id))
    if offer is not None and offer.status in ("pending", "accepted"):
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
        offer.decided_at = offer.decided_by_id = None
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


# --- lists ------------------------------------------------------------------------------------------

def _home(profile):
    if profile is None or profile.lat is None or profile.lon is None:
        return None
    return profile.lat, profile.lon


def _rows(offers, with_volunteer: bool) -> list[dict]:
    """Offers as dicts for the pages: the need card and the child's privacy-card essentials, the
    status, and for staff the volunteer's name and distance (never the volunteer's coordinates)."""
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
        lat, lon = points.card_point(child.lat, child.lon, child.town_code, child.district_code)
        row = {"id": o.id, "status": o.status, "created_at": o.created_at, "decided_at": o.decided_at,
               "need": need_card(need), "child": child_essentials(child, towns), "message": None, "volunteer": None,
               "km": None}
        if with_volunteer:
            user = users.get(o.volunteer_id)
            home = _home(user.profile) if user is not None else None
            row["volunteer"] = user.name if user is not None else ""
            row["message"] = o.message
            if home is not None and lat is not None:
                row["km"] = round_km(float(haversine_km(home[0], home[1], [lat], [lon])[0]))
        rows.append(row)
    return rows


def pending_for(staff, limit: int = 200) -> list[dict]:
    """Pending offers for needs of children in staff's scope, oldest first (others: nothing)."""
    if not is_staff(staff):
        return []
    rows = db.session.execute(select(Offer, Child).join(Need, Need.id == Offer.need_id)
                              .join(Child, Child.id == Need.child_id)
                              .where(Offer.status == "pending").order_by(Offer.created_at, Offer.id)).all()
    offers = [o for o, child in rows if access.child_in_scope(staff, child)][:limit]
    return _rows(offers, with_volunteer=True)


def offers_of(volunteer, limit: int = 200) -> list[dict]:
    """A volunteer's own offers, newest first (nothing about other volunteers)."""
    if not _is_volunteer(volunteer):
        return []
    offers = db.session.scalars(select(Offer).where(Offer.volunteer_id == volunteer.id)
                                .order_by(Offer.created_at.desc(), Offer.id.desc()).limit(limit)).all()
    return _rows(offers, with_volunteer=False)


def row_for(user, offer_id: int) -> dict | None:
    """One offer as a page row, for its volunteer or for staff in scope (else None)."""
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        return None
    if is_staff(user):
        need = db.session.get(Need, offer.need_id)
        if not access.child_in_scope(user, need.child):
            return None
        return _rows([offer], with_volunteer=True)[0]
    if offer.volunteer_id == getattr(user, "id", None):
        return _rows([offer], with_volunteer=False)[0]
    return None


def coordinators_for(child) -> list[User]:
    """Active coordinators whose scope covers the child's town (or district)."""
    users = db.session.scalars(select(User).where(User.role == "coordinator", User.active.is_(True))
                               .order_by(User.id)).all()
    return [u for u in users if access.child_in_scope(u, child)]
