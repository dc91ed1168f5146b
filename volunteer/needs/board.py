"""The volunteers' board: open needs as privacy cards, filtered; nearest to the viewer's home first (most
urgent first for a viewer without a home point)."""
import math

import numpy as np
from sqlalchemy import case, func, select

from .. import access
from ..children.models import Child
from ..children.present import privacy_card
from ..extensions import db
from ..geo import services as geo
from ..matching import distance
from ..matching.points import card_point
from ..volunteers.skills import SKILLS
from .models import DIMENSIONS, SERVICE_TYPES, URGENCIES, Need, NeedSkill
from .rules import text_of

URGENCY_ORDER = ("urgent", "high", "normal", "low")


class CardPage(list):
    """A page of privacy cards; has_more tells whether a next page exists."""

    has_more = False


def clean_filters(filters: dict | None) -> dict:
    """Keep only known filter values (unknown ones are ignored, never an error)."""
    filters = filters or {}
    out = {}
    for key, vocab in (("service_type", SERVICE_TYPES), ("dimension", DIMENSIONS), ("urgency", URGENCIES),
                       ("skill", SKILLS)):
        v = text_of(filters.get(key))
        if v in vocab:
            out[key] = v
    district = text_of(filters.get("district"))
    d = geo.get(district) if district else None
    if d is not None and d.level == "district":
        out["district"] = d.code
    return out


def open_need_cards(user, page: int = 1, per_page: int = 10, filters: dict | None = None,
                    near: tuple[float, float] | None = None) -> CardPage:
    """Privacy cards (child card + its open needs) of children with open needs, most urgent first; with
    near (the viewer's home point), nearest first, each card with "km" and "km_text" (to the privacy-card
    point, as near me measures; children without any point last).

    Only what access.VIEWS lets user see of children ('card' for volunteers and organisation users);
    staff get the same cards here. Nothing identifying leaves: see children.present.privacy_card.
    """
    result = CardPage()
    if access.view_of(user, "child") is None or access.view_of(user, "need") is None:
        return result
    page = max(1, int(page or 1))
    per_page = max(1, min(int(per_page or 10), 50))
    f = clean_filters(filters)
    conditions = [Need.status == "open"]
    if "service_type" in f:
        conditions.append(Need.service_type == f["service_type"])
    if "dimension" in f:
        conditions.append(Need.dimension == f["dimension"])
    if "urgency" in f:
        conditions.append(Need.urgency == f["urgency"])
    if "skill" in f:
        conditions.append(Need.id.in_(select(NeedSkill.need_id).where(NeedSkill.skill == f["skill"])))
    if "district" in f:
        conditions.append(Child.district_code == f["district"])
    rank = case({u: i for i, u in enumerate(URGENCY_ORDER)}, value=Need.urgency, else_=len(URGENCY_ORDER))
    grouped = (select(Need.child_id, func.min(rank).label("rank"), func.max(Need.id).label("newest"))
               .join(Child, Child.id == Need.child_id).where(*conditions).group_by(Need.child_id))
    if near is None:
        rows = db.session.execute(grouped.order_by("rank", func.max(Need.id).desc(), Need.child_id)
                                  .limit(per_page + 1).offset((page - 1) * per_page)).all()
        result.has_more = len(rows) > per_page
        child_ids, kms = [r.child_id for r in rows[:per_page]], {}
    else:
        child_ids, kms, result.has_more = _nearest_page(grouped, near, page, per_page)
    if not child_ids:
        return result
    kids = {c.id: c for c in db.session.scalars(select(Child).where(Child.id.in_(child_ids)))}
    needs = db.session.scalars(select(Need).join(Child, Child.id == Need.child_id)
                               .where(Need.child_id.in_(child_ids), *conditions)
                               .order_by(rank, Need.id)).all()
    by_child = {}
    for n in needs:
        by_child.setdefault(n.child_id, []).append(n)
    for cid in child_ids:
        card = privacy_card(kids[cid], by_child.get(cid, []))
        if kms.get(cid) is not None:
            card.update(km=kms[cid], km_text=distance.km_text(kms[cid]))
        result.append(card)
    return result


def _nearest_page(grouped, near: tuple[float, float], page: int, per_page: int):
    """(child ids of the page, {child id: shown km}, has_more) of the children in grouped, nearest to near
    first (by their privacy-card points; then most urgent, newest), those without a point last."""
    grouped = grouped.subquery()
    rows = db.session.execute(select(grouped.c.child_id, grouped.c.rank, grouped.c.newest, Child.lat, Child.lon,
                                     Child.town_code, Child.district_code)
                              .join(Child, Child.id == grouped.c.child_id)).all()
    cache: dict = {}
    points = [card_point(r.lat, r.lon, r.town_code, r.district_code, cache) for r in rows]
    located = [i for i, p in enumerate(points) if p[0] is not None]
    km = [math.inf] * len(rows)
    if located:
        measured = distance.km_many(near[0], near[1], np.array([points[i][0] for i in located], dtype=float),
                                    np.array([points[i][1] for i in located], dtype=float))
        for i, d in zip(located, measured.tolist()):
            km[i] = d
    order = sorted(range(len(rows)), key=lambda i: (km[i], rows[i].rank, -rows[i].newest, rows[i].child_id))
    start = (page - 1) * per_page
    chosen = order[start:start + per_page]
    shown = {rows[i].child_id: distance.shown_km(km[i]) for i in chosen if km[i] != math.inf}
    return [rows[i].child_id for i in chosen], shown, start + per_page < len(order)
