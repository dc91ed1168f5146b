"""A demo care event: a published list of micro-wishes in 崂山区, a few already claimed (synthetic)."""
from datetime import date, timedelta

from sqlalchemy import insert, select

from ..children.models import Child, new_ref
from ..extensions import db
from ..needs.models import Wish
from ..wishes.models import WishClaim, WishEvent
from .children import WISHES
from .places import LAOSHAN

EVENT_WISHES = 16
CLAIMED = 3  # the first wishes on the list, claimed by the demo donors so the board has a tally


def next_childrens_day(today: date) -> date:
    """The next 1 June (Children's Day), today included."""
    day = date(today.year, 6, 1)
    return day if day >= today else date(today.year + 1, 6, 1)


def add_wish_event(rng, admin_id: int, donors: list[tuple[int, int | None]], now, today: date) -> int:
    """Insert a published event with EVENT_WISHES wishes of 崂山区 children (others if too few);
    the demo donors ((user id, organisation id or None)) have claimed the first CLAIMED. Returns how
    many wishes the event lists."""
    kids = list(db.session.scalars(select(Child.id).where(Child.district_code == LAOSHAN).order_by(Child.id)
                                   .limit(EVENT_WISHES)))
    if len(kids) < EVENT_WISHES:
        kids += list(db.session.scalars(select(Child.id).where(Child.id.not_in(kids or [0])).order_by(Child.id)
                                        .limit(EVENT_WISHES - len(kids))))
    event_id = db.session.execute(insert(WishEvent).returning(WishEvent.id), [{
        "name": "“六一”关爱月 微心愿认领会", "held_on": next_childrens_day(today), "place": "崂山区沙子口街道社工站",
        "area_code": LAOSHAN, "status": "published", "created_by_id": admin_id, "created_at": now}]).scalar()
    rows = []
    for n, child_id in enumerate(kids):
        item, category, price = rng.choice(WISHES)
        donor, org = donors[n % len(donors)] if n < CLAIMED and donors else (None, None)
        rows.append({"ref": new_ref(), "child_id": child_id, "item": item, "category": category,
                     "price_yuan": price, "status": "claimed" if donor else "published", "event_id": event_id,
                     "claimed_by_id": donor, "_org": org, "created_by_id": admin_id, "created_at": now, "updated_at": now})
    if not rows:
        return 0
    orgs = [r.pop("_org") for r in rows]
    ids = db.session.execute(insert(Wish).returning(Wish.id, sort_by_parameter_order=True), rows).scalars().all()
    claims = [{"wish_id": wid, "active_wish_id": wid, "donor_id": r["claimed_by_id"], "org_id": org, "status": "active",
               "claimed_at": now, "expires_at": now + timedelta(hours=72), "receipt_failures": 0}
              for wid, r, org in zip(ids, rows, orgs) if r["claimed_by_id"]]
    if claims:
        db.session.execute(insert(WishClaim), claims)
    return len(rows)
