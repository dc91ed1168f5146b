"""Claiming a micro-wish: exactly one donor wins, decided by the database; expired claims, and claims
the donor gives up before buying, go back.

The winner is decided by one conditional UPDATE (status 'published' and no claimant) whose rowcount
tells who won: on PostgreSQL concurrent updaters wait on the row lock and re-check the condition; on
SQLite the UPDATE is the transaction's first statement, so it takes the write lock at once (waiting on
busy_timeout) instead of failing on a stale read snapshot. The unique active_wish_id of wish_claim is
the backstop should two ever pass.
"""
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import access
from ..audit import services as audit
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.models import Wish
from ..events.services import emit as emit_event
from ..needs.rules import WishNotFound, emit
from ..types import utcnow
from .cards import DONOR_ROLES, next_open_cards
from .fulfil import donor_claim
from .models import WishClaim, WishEvent


class NotADonor(PermissionError):
    """Only volunteers (individual donors) and organisation users (caring units) claim wishes."""


class ClaimRefused(Exception):
    """The wish cannot be claimed (someone was quicker, or it is not open); carries the next open wishes."""

    def __init__(self, message, next_cards=()):
        super().__init__(str(message))
        self.message = message
        self.next_cards = list(next_cards)


ALREADY_CLAIMED = _l("Someone was quicker: this wish is already claimed. Here are other open wishes.")
NOT_OPEN = _l("This wish is not open for claiming (it was withdrawn or is not published yet).")
FULFILLED = _l("This wish has already been fulfilled. Thank you all the same!")


def claim_hours() -> float:
    """How long a claim may stay unbought before it is released (WISH_CLAIM_HOURS, default 72)."""
    return float(current_app.config.get("WISH_CLAIM_HOURS", 72))


def _open_event():
    """The condition 'the wish is in no event, or in a published one'."""
    return Wish.event_id.is_(None) | Wish.event_id.in_(select(WishEvent.id).where(WishEvent.status == "published"))


def claim(user, ref: str, via: str = "web") -> WishClaim:
    """Claim a published wish for user; see _claim."""
    try:
        return _claim(user, ref, via)
    except _Mine as mine:
        return mine.row


def _claim(user, ref: str, via: str = "web") -> WishClaim:
    """Claim a published wish for user (and their organisation). Returns the claim on a win; a repeated
    tap by the winner returns the same claim. Raises ClaimRefused (with the next open wishes) when the
    wish is taken or not open, WishNotFound for an unknown ref, NotADonor for staff."""
    if getattr(user, "role", None) not in DONOR_ROLES:
        raise NotADonor(ref)
    user_id, org_id = user.id, user.organisation_id if access.member_of(user, user.organisation_id) else None
    found = db.session.execute(select(Wish.id, Wish.child_id).where(Wish.ref == ref)).first() \
        if isinstance(ref, str) else None
    if found is None:
        raise WishNotFound(ref)
    wish_id, child_id = found
    # No rollback needed before the write: PostgreSQL (read committed) re-checks the condition after
    # waiting on the row lock, and pysqlite opens its transaction only at the UPDATE (the SELECT above
    # ran outside one), so SQLite takes the write lock there, waiting on busy_timeout, with no stale
    # read snapshot that would make it fail with "database is locked".
    now = utcnow()
    won = db.session.execute(
        update(Wish).where(Wish.id == wish_id, Wish.status == "published", Wish.claimed_by_id.is_(None),
                           _open_event())
        .values(status="claimed", claimed_by_id=user_id, updated_at=now),
        execution_options={"synchronize_session": False}).rowcount
    if won != 1:
        db.session.rollback()
        raise_refusal(wish_id, user_id)
    row = WishClaim(wish_id=wish_id, active_wish_id=wish_id, donor_id=user_id, org_id=org_id, status="active",
                    claimed_at=now, expires_at=now + timedelta(hours=claim_hours()), receipt_failures=0)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise_refusal(wish_id, user_id)
    emit_event("wish.updated", f"child:{child_id}", child_id=child_id, wish_id=wish_id)
    audit.log(user, "update", "wish", wish_id, reason="claim", via=via, commit=False)
    db.session.commit()
    return row


def raise_refusal(wish_id: int, user_id: int) -> None:
    """Why a claim did not win. A double tap whose first tap won returns that claim instead."""
    status, owner, event_id = db.session.execute(
        select(Wish.status, Wish.claimed_by_id, Wish.event_id).where(Wish.id == wish_id)).one()
    if owner == user_id:
        mine = db.session.scalar(select(WishClaim).where(WishClaim.active_wish_id == wish_id,
                                                         WishClaim.donor_id == user_id))
        if mine is not None:
            raise _Mine(mine)
    if status in ("claimed", "bought", "delivered"):
        message = ALREADY_CLAIMED
    elif status == "received":
        message = FULFILLED
    else:
        message = NOT_OPEN
    raise ClaimRefused(message, next_open_cards(event_id, wish_id))


class _Mine(Exception):
    """Internal: the wish is already this donor's (a double tap)."""

    def __init__(self, row):
        super().__init__(row.id)
        self.row = row


def close_active(wish: Wish, status: str = "released") -> WishClaim | None:
    """End a wish's live claim (staff released or cancelled the wish); in the caller's transaction."""
    row = db.session.scalar(select(WishClaim).where(WishClaim.active_wish_id == wish.id))
    if row is not None:
        row.status, row.active_wish_id, row.released_at = status, None, utcnow()
    wish.claimed_by_id = None
    return row


# --- releasing expired claims ---------------------------------------------------------------------

def release_claim(claim_id: int, now=None) -> bool:
    """Release one expired, still unbought claim: the wish goes back on the list and the donor is told.
    True only for the run that released it (two runs at once: one wins the conditional update)."""
    now = now or utcnow()
    row = db.session.get(WishClaim, claim_id)
    if row is None or row.status != "active" or row.expires_at is None or row.expires_at > now:
        return False
    wish_id, donor_id = row.wish_id, row.donor_id
    db.session.rollback()
    if not _unclaim(wish_id, donor_id, now):
        db.session.rollback()
        return False
    closed = db.session.execute(
        update(WishClaim).where(WishClaim.id == claim_id, WishClaim.status == "active")
        .values(status="released", active_wish_id=None, released_at=now),
        execution_options={"synchronize_session": False}).rowcount
    if closed != 1:
        db.session.rollback()
        return False
    wish = db.session.get(Wish, wish_id)
    emit("wish.updated", wish.child, wish_id=wish_id)
    db.session.commit()
    _tell_released(claim_id)
    return True


def _unclaim(wish_id: int, donor_id: int, now) -> bool:
    """The one conditional UPDATE that puts a claimed, unbought wish back on the list; True if it did.
    A simultaneous 'bought', expiry or give-up moves the same row: exactly one of them wins."""
    return db.session.execute(
        update(Wish).where(Wish.id == wish_id, Wish.status == "claimed", Wish.claimed_by_id == donor_id)
        .values(status="published", claimed_by_id=None, updated_at=now),
        execution_options={"synchronize_session": False}).rowcount == 1


def _tell_released(claim_id: int) -> bool:
    from ..accounts.models import User
    from ..notifications.services import notify
    from ..notifications.targets import Target

    row = db.session.get(WishClaim, claim_id)
    user = db.session.get(User, row.donor_id)
    with force_locale(user.locale or "zh_Hans_CN"):
        title = _("Your claim of the wish \"%(item)s\" was released", item=row.wish.item)
        body = _("It was not marked bought within %(hours)s hours, so the wish is back on the list for "
                 "other donors. You may claim it again if it is still open.", hours=int(claim_hours()))
    return notify(user.id, "wish", f"wish-release:{claim_id}", title[:120], body,
                  target=Target("wish_claim", claim_id))


def tell_taken_back(claim_id: int) -> bool:
    """Tell a donor that a coordinator took their claimed wish back (released or cancelled it); once."""
    from ..accounts.models import User
    from ..notifications.services import notify
    from ..notifications.targets import Target

    row = db.session.get(WishClaim, claim_id)
    user = db.session.get(User, row.donor_id) if row is not None else None
    if user is None:
        return False
    with force_locale(user.locale or "zh_Hans_CN"):
        title = _("A coordinator took back the wish \"%(item)s\"", item=row.wish.item)
        body = _("Your claim has ended and there is nothing more for you to do. If you already bought the "
                 "gift, the coordinator will contact you. Thank you for your kindness!")
    return notify(user.id, "wish", f"wish-taken-back:{claim_id}", title[:120], body,
                  target=Target("wish_claim", claim_id))


def expired_claim_ids(now=None, limit: int = 500) -> list[int]:
    """Ids of live claims past their time that were not marked bought."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(WishClaim.id).join(Wish, Wish.id == WishClaim.wish_id)
        .where(WishClaim.status == "active", WishClaim.expires_at <= now, Wish.status == "claimed")
        .order_by(WishClaim.id).limit(limit)))


def release_expired(now=None) -> int:
    """Release every expired unbought claim; returns how many this run released."""
    ids = expired_claim_ids(now)
    db.session.rollback()
    return sum(release_claim(i, now) for i in ids)


# --- the donor gives a claim up -------------------------------------------------------------------

ONLY_THE_DONOR = _l("Only the person who claimed this wish can give it up.")
ALREADY_BOUGHT = _l("This wish is already marked bought, so it can no longer be given up.")
ALREADY_ENDED = _l("This claim has already ended: the wish is no longer yours to give up.")


def release_own(user, claim_id, via: str = "web") -> WishClaim:
    """The donor gives up a claim made by mistake, before it is marked bought: the wish goes back on the
    list and the board at once. Decided by _unclaim's conditional UPDATE, so against a simultaneous
    'bought' (or the expiry job) exactly one wins. InvalidInput says why it was refused."""
    row = donor_claim(user, claim_id)  # ClaimNotFound for anyone outside the claim's donor and unit
    if row.donor_id != user.id:
        raise InvalidInput({"status": ONLY_THE_DONOR})
    wish_id = row.wish_id
    if row.status != "active" or row.wish.status != "claimed" or not _unclaim(wish_id, user.id, utcnow()):
        db.session.rollback()
        raise InvalidInput({"status": _release_refused(donor_claim(user, claim_id))})
    wish = db.session.get(Wish, wish_id)
    db.session.refresh(wish)
    close_active(wish)
    emit("wish.updated", wish.child, wish_id=wish_id)
    audit.log(user, "update", "wish", wish_id, reason="release", via=via, commit=False)
    db.session.commit()
    return row


def _release_refused(row) -> str:
    db.session.refresh(row)
    if row.status == "active" and row.wish.status in ("bought", "delivered", "received"):
        return ALREADY_BOUGHT
    return ALREADY_ENDED
