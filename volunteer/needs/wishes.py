"""Micro-wishes: add one to a child and move it along WISH_FLOW (staff in scope only, for now)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import access
from ..audit import services as audit
from ..children import services as children
from ..children.models import new_ref
from ..extensions import db
from .models import STAFF_WISH_FLOW, WISH_STATUSES, Wish
from .rules import WishNotFound, clean_wish, emit, refusal, text_of


def create_wish(staff, child_ref: str, data: dict, via: str = "web") -> Wish:
    """Add a micro-wish (draft) to a child in staff's scope."""
    child = children.get_for_change(staff, child_ref, via)
    values = clean_wish(data)
    wish = Wish(ref=new_ref(), child_id=child.id, created_by_id=staff.id, status="draft", **values)
    db.session.add(wish)
    db.session.flush()
    emit("wish.created", child, wish_id=wish.id)
    audit.log(staff, "create", "wish", wish.id, via=via, commit=False)
    db.session.commit()
    return wish


def wish_for_change(staff, wish_ref: str, via: str = "web") -> Wish:
    """A wish staff may change (its child inside staff's scope); else WishNotFound (audited)."""
    wish = db.session.scalar(select(Wish).where(Wish.ref == wish_ref)) if isinstance(wish_ref, str) else None
    if wish is None or access.view_of(staff, "wish") != "full" or not access.child_in_scope(staff, wish.child):
        audit.log(staff, "deny", "wish", wish.id if wish else None, reason="change", via=via)
        raise WishNotFound(wish_ref)
    return wish


def move_wish(staff, wish_ref: str, status: str, via: str = "web") -> Wish:
    """Move a wish along STAFF_WISH_FLOW (staff in scope). Donors claim, buy and deliver; the receipt
    code confirms receipt (volunteer/wishes). Taking a claimed wish back ends its claim."""
    wish = wish_for_change(staff, wish_ref, via)
    status = text_of(status)
    if status not in STAFF_WISH_FLOW.get(wish.status, ()):
        raise refusal(STAFF_WISH_FLOW, WISH_STATUSES, wish.status, status, _l("A wish"))
    ended = None
    if wish.status in ("claimed", "bought"):
        from ..wishes.claims import close_active

        ended = close_active(wish, "released" if status == "published" else "cancelled")
    wish.status = status
    emit("wish.updated", wish.child, wish_id=wish.id)
    audit.log(staff, "update", "wish", wish.id, reason=f"status:{status}", via=via, commit=False)
    db.session.commit()
    if ended is not None:
        from ..wishes.claims import tell_taken_back

        tell_taken_back(ended.id)
    return wish
