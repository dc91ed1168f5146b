"""Fulfilment of a claimed wish: bought -> delivered (town hub or child director) -> received (receipt
code) -> the child's thank-you, passed on by staff without revealing the child."""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import or_, select, update

from .. import access
from ..audit import services as audit
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.models import Wish
from ..needs.rules import PLAIN_TEXT, WishNotFound, emit, text_of
from ..types import utcnow
from ..validation import _bad_char
from .models import DESTINATIONS, WishClaim

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed on a phone
CODE_LENGTH = 8
MAX_FAILURES = 5
LOCK_MINUTES = 15
THANKS_MAX = 300


class ClaimNotFound(WishNotFound):
    """No such claim, or not one of this donor's (or their organisation's)."""


# --- the donor's side -----------------------------------------------------------------------------

def donor_claim(user, claim_id) -> WishClaim:
    """A claim user made, or their organisation made; else ClaimNotFound."""
    row = db.session.get(WishClaim, claim_id) if isinstance(claim_id, int) else None
    if row is None or not (row.donor_id == user.id or access.member_of(user, row.org_id)):
        raise ClaimNotFound(claim_id)
    return row


def my_claims(user) -> dict:
    """The user's (and their organisation's) claims: live ones by stage, and the history."""
    who = WishClaim.donor_id == user.id
    if user.role in access.ORG_ROLES and user.organisation_id:
        who = or_(who, WishClaim.org_id == user.organisation_id)
    rows = db.session.scalars(select(WishClaim).where(who).order_by(WishClaim.id.desc())).all()
    return {"live": [r for r in rows if r.status == "active" and r.wish.status != "received"],
            "history": [r for r in rows if r.status != "active" or r.wish.status == "received"]}


def _step(user, claim_id, before: str, after: str, via: str, **claim_values) -> WishClaim:
    row = donor_claim(user, claim_id)
    if row.status != "active" or row.wish.status != before:
        raise InvalidInput({"status": _refused(row)})
    now = utcnow()
    # Conditional: the release job or another tap may have moved the wish meanwhile.
    moved = db.session.execute(
        update(Wish).where(Wish.id == row.wish_id, Wish.status == before, Wish.claimed_by_id == row.donor_id)
        .values(status=after, updated_at=now), execution_options={"synchronize_session": False}).rowcount
    if moved != 1:
        db.session.rollback()
        raise InvalidInput({"status": _refused(donor_claim(user, claim_id))})
    for key, value in claim_values.items():
        setattr(row, key, now if value == "now" else value)
    db.session.flush()
    db.session.refresh(row.wish)
    emit("wish.updated", row.wish.child, wish_id=row.wish_id)
    audit.log(user, "update", "wish", row.wish_id, reason=f"status:{after}", via=via, commit=False)
    return row


def _refused(row) -> str:
    db.session.refresh(row)
    if row.status == "released" and row.expires_at and row.released_at and row.released_at >= row.expires_at:
        return _l("This claim was released because it was not marked bought in time; the wish is back on "
                  "the list.")
    if row.status == "released":  # given up by the donor, or taken back by a coordinator, before its time
        return _l("This claim has ended: it was given up, or a coordinator took it back.")
    if row.status != "active":
        return _l("This claim is closed.")
    return _l("This step is already done or not yet possible (the wish is now: %(status)s).",
              status=row.wish.status)


def mark_bought(user, claim_id, via="web") -> WishClaim:
    """The donor bought the gift: the claim no longer expires."""
    row = _step(user, claim_id, "claimed", "bought", via, bought_at="now")
    db.session.commit()
    return row


def mark_delivered(user, claim_id, destination: str, via="web") -> tuple[WishClaim, str]:
    """The donor handed the gift to the town hub or the child director (never to the child's home).
    Returns the claim and its receipt code, shown this once (only its hash is kept)."""
    destination = text_of(destination)
    if destination not in DESTINATIONS:
        donor_claim(user, claim_id)
        raise InvalidInput({"destination": _l("Choose where you handed the gift over: the town hub or the "
                                              "child director.")})
    code = new_code()
    row = _step(user, claim_id, "bought", "delivered", via, delivered_at="now", delivered_to=destination)
    row.receipt_hash, row.receipt_failures, row.receipt_locked_until = _hash(row.id, code), 0, None
    db.session.commit()
    return row, code


def renew_code(user, claim_id, via="web") -> tuple[WishClaim, str]:
    """A new receipt code for a delivered gift (the old one stops working)."""
    row = donor_claim(user, claim_id)
    if row.status != "active" or row.wish.status != "delivered":
        raise InvalidInput({"status": _refused(row)})
    code = new_code()
    row.receipt_hash, row.receipt_failures, row.receipt_locked_until = _hash(row.id, code), 0, None
    audit.log(user, "update", "wish", row.wish_id, reason="receipt-code", via=via, commit=False)
    db.session.commit()
    return row, code


def new_code() -> str:
    """A random receipt code such as 'K7QM-3XWP'."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def _normal(code: str) -> str:
    return "".join(ch for ch in text_of(code).upper() if ch.isalnum())


def _hash(claim_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{claim_id}:{_normal(code)}".encode(), hashlib.sha256).hexdigest()


# --- the child director's (staff's) side ----------------------------------------------------------

def staff_claim(staff, wish_ref, via="web") -> WishClaim | None:
    """The live or fulfilled claim of a wish whose child is in staff's scope (None: never claimed);
    WishNotFound when the wish is missing or out of scope."""
    from ..needs.wishes import wish_for_change

    wish = wish_for_change(staff, wish_ref, via)
    row = db.session.scalar(select(WishClaim).where(WishClaim.wish_id == wish.id,
                                                    WishClaim.status.in_(("active", "done")))
                            .order_by(WishClaim.id.desc()))
    return row


def confirm_receipt(staff, wish_ref, code, via="web") -> WishClaim:
    """The child director confirms the gift arrived by entering the donor's receipt code.
    Wrong codes count; after MAX_FAILURES the wish is locked for LOCK_MINUTES."""
    row = staff_claim(staff, wish_ref, via)
    now = utcnow()
    if row is None or row.wish.status != "delivered" or row.receipt_hash is None:
        status = row.wish.status if row is not None else _l("not claimed")
        raise InvalidInput({"code": _l("This gift is not marked delivered yet (the wish is now: %(status)s).",
                                       status=status)})
    if row.receipt_locked_until is not None and row.receipt_locked_until > now:
        raise InvalidInput({"code": _l("Too many wrong codes. Try again in %(n)s minutes.",
                                       n=max(1, int((row.receipt_locked_until - now).total_seconds() // 60) + 1))})
    if not _normal(code) or not hmac.compare_digest(_hash(row.id, code), row.receipt_hash):
        failures = row.receipt_failures + 1
        values = {"receipt_failures": failures}
        if failures >= MAX_FAILURES:
            values.update(receipt_failures=0, receipt_locked_until=now + timedelta(minutes=LOCK_MINUTES))
        db.session.execute(update(WishClaim).where(WishClaim.id == row.id).values(**values))
        audit.log(staff, "deny", "wish", row.wish_id, reason="receipt-code", via=via, commit=False)
        db.session.commit()
        if failures >= MAX_FAILURES:
            raise InvalidInput({"code": _l("Too many wrong codes. Try again in %(n)s minutes.", n=LOCK_MINUTES)})
        raise InvalidInput({"code": _l("This code does not match. Check it with the donor (%(n)s tries left).",
                                       n=MAX_FAILURES - failures)})
    moved = db.session.execute(
        update(Wish).where(Wish.id == row.wish_id, Wish.status == "delivered")
        .values(status="received", updated_at=now), execution_options={"synchronize_session": False}).rowcount
    if moved != 1:
        db.session.rollback()
        raise InvalidInput({"code": _l("This gift was already confirmed.")})
    db.session.execute(update(WishClaim).where(WishClaim.id == row.id)
                       .values(status="done", active_wish_id=None, received_at=now, receipt_hash=None))
    db.session.refresh(row)
    emit("wish.updated", row.wish.child, wish_id=row.wish_id)
    audit.log(staff, "update", "wish", row.wish_id, reason="status:received", via=via, commit=False)
    db.session.commit()
    _tell(row, "received")
    return row


def _private_words(child) -> list[str]:
    words = [child.name, child.address, child.village, child.school, child.guardian_name, child.guardian_phone]
    return [w for w in (text_of(x) for x in words) if len(w) >= 2]


def send_thanks(staff, wish_ref, text, via="web") -> WishClaim:
    """Pass the child's thank-you (written down by the child director) to the donor. It must not name
    the child or say where the child lives."""
    row = staff_claim(staff, wish_ref, via)
    text = text_of(text)
    if row is None or row.wish.status != "received":
        raise InvalidInput({"thanks": _l("A thank-you can be sent once the gift is received.")})
    if not text:
        raise InvalidInput({"thanks": _l("Write the child's thank-you.")})
    if len(text) > THANKS_MAX:
        raise InvalidInput({"thanks": _l("Use at most %(n)s characters.", n=THANKS_MAX)})
    if any(_bad_char(ch) for ch in text if ch not in "\r\n"):
        raise InvalidInput({"thanks": PLAIN_TEXT})
    if any(w in text for w in _private_words(row.wish.child)):
        raise InvalidInput({"thanks": _l("Leave out the child's name, school, village, address and the "
                                         "guardian: the donor must not learn who the child is.")})
    first = row.thanks is None
    row.thanks, row.thanks_at = text, utcnow()
    audit.log(staff, "update", "wish", row.wish_id, reason="thanks", via=via, commit=False)
    db.session.commit()
    if first:
        _tell(row, "thanks")
    return row


def _tell(row, what: str) -> bool:
    """Tell the donor that the gift was received, or pass on the thank-you (once each)."""
    from ..accounts.models import User
    from ..notifications.services import notify
    from ..notifications.targets import Target

    user = db.session.get(User, row.donor_id)
    if user is None:
        return False
    with force_locale(user.locale or "zh_Hans_CN"):
        if what == "received":
            title = _("Your gift \"%(item)s\" has reached the child", item=row.wish.item)
            body = _("The child director confirmed that the gift arrived. Thank you for making a wish come true!")
        else:
            title = _("A thank-you from the child for \"%(item)s\"", item=row.wish.item)
            body = row.thanks
    return notify(user.id, "wish", f"wish-{what}:{row.id}", title[:120], body, target=Target("wish_claim", row.id))
