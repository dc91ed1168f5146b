"""Blind wish cards: what donors see of a wish (never the child's name, address or circumstances)."""
from sqlalchemy import select

from ..children.cards import age_band, town_name
from ..children.models import Child
from ..extensions import db
from ..needs.models import Wish

DONOR_ROLES = ("volunteer", "org_member", "org_admin")


def blind_card(wish: Wish, child: Child | None = None, event_name: str = "") -> dict:
    """The wish, its category and price, the child's age band and town: nothing else about the child."""
    child = child or wish.child
    return {"ref": wish.ref, "item": wish.item, "category": wish.category, "price_yuan": wish.price_yuan,
            "status": wish.status, "age_band": age_band(child.birth_date),
            "town_name": town_name(child.town_code) or town_name(child.district_code),
            "event_id": wish.event_id, "event_name": event_name}


def cards_for(wishes) -> list[dict]:
    """Blind cards of many wishes with two queries (children, event names)."""
    from .models import WishEvent

    wishes = list(wishes)
    if not wishes:
        return []
    kids = {c.id: c for c in db.session.scalars(select(Child).where(Child.id.in_({w.child_id for w in wishes})))}
    event_ids = {w.event_id for w in wishes if w.event_id}
    names = dict(db.session.execute(select(WishEvent.id, WishEvent.name).where(WishEvent.id.in_(event_ids))).all()) \
        if event_ids else {}
    return [blind_card(w, kids[w.child_id], names.get(w.event_id, "")) for w in wishes]


def open_wishes(event_id: int | None = None, limit: int = 30, offset: int = 0, exclude=()) -> list[Wish]:
    """Published, unclaimed wishes (of one event, or of published events and no event), oldest first."""
    from .models import WishEvent

    query = select(Wish).where(Wish.status == "published", Wish.claimed_by_id.is_(None))
    if event_id is not None:
        query = query.where(Wish.event_id == event_id)
    else:
        published = select(WishEvent.id).where(WishEvent.status == "published")
        query = query.where((Wish.event_id.is_(None)) | Wish.event_id.in_(published))
    if exclude:
        query = query.where(Wish.id.not_in(list(exclude)))
    return db.session.scalars(query.order_by(Wish.id).limit(limit).offset(offset)).all()


def next_open_cards(event_id: int | None, wish_id: int | None = None, limit: int = 3) -> list[dict]:
    """For a donor who lost a wish: the next open wishes, from the same event first (one query: every
    loser of a race asks for them at once)."""
    from .models import WishEvent

    published = select(WishEvent.id).where(WishEvent.status == "published")
    query = (select(Wish.ref, Wish.item, Wish.category, Wish.price_yuan, Wish.status, Wish.event_id,
                    Child.birth_date, Child.town_code, Child.district_code)
             .join(Child, Child.id == Wish.child_id)
             .where(Wish.status == "published", Wish.claimed_by_id.is_(None), Wish.id != (wish_id or 0),
                    Wish.event_id.is_(None) | Wish.event_id.in_(published)))
    same = (Wish.event_id == event_id) if event_id else None
    order = [Wish.id] if same is None else [same.desc(), Wish.id]
    rows = db.session.execute(query.order_by(*order).limit(limit)).all()
    return [{"ref": r.ref, "item": r.item, "category": r.category, "price_yuan": r.price_yuan, "status": r.status,
             "age_band": age_band(r.birth_date), "town_name": town_name(r.town_code) or town_name(r.district_code),
             "event_id": r.event_id, "event_name": ""} for r in rows]
