"""Keep need_point (one row per open need) in step with needs and children.

sync_need / sync_child / rebuild_all work in the caller's session and commit unless commit=False (then
the change is part of the caller's transaction). On SQLite the R*Tree follows need_point through
triggers, on PostGIS the geography column is generated: no spatial bookkeeping here.
They are the in-process effects of need.created / need.updated / child.created / child.updated
(registered by volunteer/matching/__init__.py), so near-me results follow a change once the worker ran
the event's job; call them directly where a change must show at once (demo data, imports, tests).
"""
from sqlalchemy import delete, insert, select

from ..children import cards
from ..children.models import Child
from ..extensions import db
from ..geo import services as geo
from ..needs.models import Need, NeedSkill
from ..volunteers.skills import CREDENTIAL_SKILLS, SKILLS
from .models import NeedPoint

SKILL_BITS = {code: 1 << i for i, code in enumerate(SKILLS)}
ALL_SKILLS = sum(SKILL_BITS.values())


def skills_mask(codes) -> int:
    """The bitmask of skill codes (bits in volunteers.skills.SKILLS order); unknown codes: ValueError
    (an unknown required skill must not silently match everyone)."""
    mask = 0
    for code in codes or ():
        try:
            mask |= SKILL_BITS[code]
        except KeyError:
            raise ValueError(f"unknown skill {code!r}") from None
    return mask


def volunteer_mask(profile) -> int:
    """The skills a volunteer may be matched on: credential skills count only once verified."""
    return skills_mask(s.skill for s in profile.skills if s.skill in SKILL_BITS and (
        s.skill not in CREDENTIAL_SKILLS or s.credential_status == "verified"))


def card_point(child_lat, child_lon, town_code, district_code, _cache=None):
    """The privacy-card point of a child (as children.cards.card computes it), or (None, None)."""
    lat, lon = cards.snap(child_lat, child_lon)
    if lat is not None:
        return lat, lon
    code = town_code or district_code
    if not code:
        return None, None
    if _cache is not None and code in _cache:
        return _cache[code]
    point = geo.point_for(code)
    result = cards.snap(point[0], point[1]) if point else (None, None)
    if _cache is not None:
        _cache[code] = result
    return result


_COLUMNS = (Need.id, Need.child_id, Need.status, Need.service_type, Need.urgency, Need.window_end,
            Child.lat, Child.lon, Child.district_code, Child.town_code)


def _row(n, mask, cache=None) -> dict | None:
    if n.status != "open":
        return None
    lat, lon = card_point(n.lat, n.lon, n.town_code, n.district_code, cache)
    if lat is None:
        return None  # nowhere to put it: not matchable by place
    return {"need_id": n.id, "child_id": n.child_id, "lat": lat, "lon": lon, "exact_lat": n.lat,
            "exact_lon": n.lon, "service_type": n.service_type, "skills_mask": mask,
            "urgency": n.urgency or "normal", "window_end": n.window_end,
            "district_code": n.district_code, "town_code": n.town_code}


def _masks(need_ids) -> dict[int, int]:
    masks: dict[int, int] = {}
    query = select(NeedSkill.need_id, NeedSkill.skill)
    if need_ids is not None:
        query = query.where(NeedSkill.need_id.in_(list(need_ids)))
    for need_id, skill in db.session.execute(query):
        # A skill outside the vocabulary gets a bit no volunteer has: never matched on skills.
        masks[need_id] = masks.get(need_id, 0) | SKILL_BITS.get(skill, 1 << 30)
    return masks


def _sync(condition, need_ids=None) -> int:
    needs = db.session.execute(select(*_COLUMNS).join(Child, Child.id == Need.child_id).where(condition)).all()
    ids = [n.id for n in needs] if need_ids is None else list(need_ids)
    masks = _masks([n.id for n in needs])
    rows = [r for r in (_row(n, masks.get(n.id, 0)) for n in needs) if r is not None]
    if ids:
        db.session.execute(delete(NeedPoint).where(NeedPoint.need_id.in_(ids)),
                           execution_options={"synchronize_session": False})
    if rows:
        db.session.execute(insert(NeedPoint), rows)
    return len(rows)


def sync_need(need_id: int, commit: bool = True) -> bool:
    """Insert/update the need's point if the need is open (and placeable), delete it otherwise.
    Idempotent. Returns whether the need now has a point."""
    n = _sync(Need.id == need_id, need_ids=[need_id])
    if commit:
        db.session.commit()
    return bool(n)


def sync_child(child_id: int, commit: bool = True) -> int:
    """sync_need for every need of a child (its location or divisions changed); returns the points."""
    ids = db.session.scalars(select(Need.id).where(Need.child_id == child_id)).all()
    stale = db.session.scalars(select(NeedPoint.need_id).where(NeedPoint.child_id == child_id)).all()
    n = _sync(Need.child_id == child_id, need_ids=sorted(set(ids) | set(stale)))
    if commit:
        db.session.commit()
    return n


def rebuild_all(commit: bool = True) -> int:
    """Rebuild need_point from scratch for every open need (bulk); returns how many points."""
    needs = db.session.execute(select(*_COLUMNS).join(Child, Child.id == Need.child_id)
                               .where(Need.status == "open").order_by(Need.id)).all()
    masks = _masks(None)
    cache: dict = {}
    rows = [r for r in (_row(n, masks.get(n.id, 0), cache) for n in needs) if r is not None]
    db.session.execute(delete(NeedPoint), execution_options={"synchronize_session": False})
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(NeedPoint), rows[start:start + 5000])
    if commit:
        db.session.commit()
    return len(rows)


def on_event(event, ids: dict) -> None:
    """The effect of need.* and child.* events (idempotent): re-sync what the event names."""
    if event.topic.startswith("need.") and isinstance(ids.get("need_id"), int):
        sync_need(ids["need_id"])
    elif event.topic.startswith("child.") and isinstance(ids.get("child_id"), int):
        sync_child(ids["child_id"])
