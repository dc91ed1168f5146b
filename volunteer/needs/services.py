"""Needs and micro-wishes: create, change, move along their life cycles, and show as privacy cards.

Plain functions: the acting user first, then ids/refs and plain dicts. They never read the request.
Errors: InvalidInput (field -> message; nothing saved), NotAllowed (the role may not do this), and
ChildNotFound (or its kinds NeedNotFound / WishNotFound) for anything missing or outside the user's
scope: both give the same answer, so a refusal does not tell that a record exists.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update

from .. import access
from ..audit import services as audit
from ..children import services as children
from ..children.models import Child, new_ref
from ..children.present import privacy_card
from ..children.services import ChildNotFound
from ..children.validation import InvalidInput, parse_date
from ..extensions import db
from ..geo import services as geo
from ..validation import _bad_char
from ..volunteers.skills import SKILLS
from .present import need_card
from .models import (DIMENSIONS, NEED_FLOW, NEED_STATUSES, RHYTHMS, SERVICE_TYPES, URGENCIES, WISH_CATEGORIES,
                     WISH_FLOW, WISH_STATUSES, Need, NeedSkill, Wish)

DETAILS_MAX = 2000
ITEM_MAX = 60
PRICE_MIN, PRICE_MAX = 1, 5000
URGENCY_ORDER = ("urgent", "high", "normal", "low")
# Moves the organisation admin of the team that took a need may make (staff may make every NEED_FLOW move).
TEAM_MOVES = {("assigned", "in_progress"), ("in_progress", "done"), ("assigned", "open"), ("in_progress", "open")}
PLAIN_TEXT = _l("Please use only letters, numbers and ordinary punctuation (no emoji, symbols or markup such as < >).")


class NeedNotFound(ChildNotFound):
    """No such need, or not one this user may see or change (the same answer as a missing child)."""


class WishNotFound(ChildNotFound):
    """No such wish, or not one this user may see or change."""


class NotAllowed(PermissionError):
    """The user's role may not do this (e.g. a volunteer moving a need)."""


class CardPage(list):
    """A page of privacy cards; has_more tells whether a next page exists."""

    has_more = False


def _emit(topic, child, **ids):
    try:
        from ..events.services import emit
    except ImportError:  # events arrive with the outbox; needs work without them
        return
    # The subject is the child, so erasing the child erases its needs' and wishes' events too.
    emit(topic, f"child:{child.id}", child_id=child.id, **ids)


def _text(value) -> str:
    return ("" if value is None else str(value)).strip()


def _is_staff(user) -> bool:
    return access.view_of(user, "need") == "full"


# --- cleaning ---------------------------------------------------------------------------------------

def _choice(data, field, vocabulary, errors, out, message, default=None, required=True):
    if field not in data and default is not None:
        out[field] = default
        return
    if field not in data and not required:
        return
    value = _text(data.get(field))
    if value in vocabulary:
        out[field] = value
    elif value == "" and default is not None:
        out[field] = default
    else:
        errors[field] = message


def _skills(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    return [_text(v) for v in value if _text(v)]


def clean_need(data: dict, partial: bool = False) -> dict:
    """Return clean need fields, or raise InvalidInput with a message per field."""
    errors, out = {}, {}
    choose = _l("Choose from the list.")
    for field, vocab, default in (("dimension", DIMENSIONS, None), ("service_type", SERVICE_TYPES, None),
                                  ("urgency", URGENCIES, "normal"), ("rhythm", RHYTHMS, "once")):
        if partial and field not in data:
            continue
        _choice(data, field, vocab, errors, out, choose, default=default)
    if not partial or "skills" in data:
        skills = _skills(data.get("skills"))
        if any(s not in SKILLS for s in skills):
            errors["skills"] = _l("Choose skills from the list.")
        else:
            out["skills"] = sorted(set(skills))
    for field in ("window_start", "window_end"):
        if partial and field not in data:
            continue
        raw = data.get(field)
        if raw is None or (not isinstance(raw, date) and _text(raw) == ""):
            out[field] = None
            continue
        try:
            out[field] = parse_date(raw)
        except ValueError:
            errors[field] = _l("Enter a date like 2026-06-01.")
    if not partial or "details" in data:
        details = _text(data.get("details"))
        if len(details) > DETAILS_MAX:
            errors["details"] = _l("Use at most %(n)s characters.", n=DETAILS_MAX)
        elif any(_bad_char(ch) for ch in details if ch not in "\r\n\t"):
            errors["details"] = PLAIN_TEXT
        else:
            out["details"] = details or None
    if errors:
        raise InvalidInput(errors)
    return out


def _check_window(start, end):
    if start and end and end < start:
        raise InvalidInput({"window_end": _l("The window cannot end before it starts.")})


def clean_wish(data: dict) -> dict:
    """Return clean wish fields (item, category, price_yuan), or raise InvalidInput."""
    errors, out = {}, {}
    item = _text(data.get("item"))
    if not item:
        errors["item"] = _l("Say what the child wishes for.")
    elif len(item) > ITEM_MAX:
        errors["item"] = _l("Use at most %(n)s characters.", n=ITEM_MAX)
    elif any(_bad_char(ch) for ch in item):
        errors["item"] = PLAIN_TEXT
    else:
        out["item"] = item
    _choice(data, "category", WISH_CATEGORIES, errors, out, _l("Choose a category from the list."))
    raw = data.get("price_yuan")
    price = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        price = raw
    elif _text(raw).isascii() and _text(raw).isdigit():
        price = int(_text(raw))
    if price is None:
        errors["price_yuan"] = _l("Enter the price as a whole number of yuan.")
    elif not PRICE_MIN <= price <= PRICE_MAX:
        errors["price_yuan"] = _l("Enter a price between %(lo)s and %(hi)s yuan.", lo=PRICE_MIN, hi=PRICE_MAX)
    else:
        out["price_yuan"] = price
    if errors:
        raise InvalidInput(errors)
    return out


# --- needs ------------------------------------------------------------------------------------------

def need_for_change(staff, need_id, via="web") -> Need:
    """A need staff may change (its child inside staff's scope); else NeedNotFound (audited)."""
    need = db.session.get(Need, need_id) if isinstance(need_id, int) else None
    if need is None or not _is_staff(staff) or not access.child_in_scope(staff, need.child):
        audit.log(staff, "deny", "need", need.id if need else None, reason="change", via=via)
        raise NeedNotFound(need_id)
    return need


def create_need(staff, child_ref: str, data: dict, via: str = "web") -> Need:
    """Add a need to a child in staff's scope; ChildNotFound when missing or out of scope."""
    child = children.get_for_change(staff, child_ref, via)
    values = clean_need(data)
    _check_window(values["window_start"], values["window_end"])
    skills = values.pop("skills")
    need = Need(child_id=child.id, created_by_id=staff.id, status="open", **values)
    need.skills = [NeedSkill(skill=s) for s in skills]
    db.session.add(need)
    db.session.flush()
    _emit("need.created", child, need_id=need.id)
    audit.log(staff, "create", "need", need.id, via=via, commit=False)
    db.session.commit()
    return need


def update_need(staff, need_id: int, data: dict, via: str = "web") -> Need:
    """Change a need's fields (not its status: see move_need)."""
    need = need_for_change(staff, need_id, via)
    values = clean_need(data, partial=True)
    _check_window(values.get("window_start", need.window_start), values.get("window_end", need.window_end))
    changed = []
    if "skills" in values:
        skills = values.pop("skills")
        if skills != need.skill_codes:
            need.skills = [NeedSkill(skill=s) for s in skills]
            changed.append("skills")
    for field, value in values.items():
        if getattr(need, field) != value:
            setattr(need, field, value)
            changed.append(field)
    if changed:
        _emit("need.updated", need.child, need_id=need.id)
        audit.log(staff, "update", "need", need.id, reason=",".join(sorted(changed))[:80], via=via, commit=False)
    db.session.commit()
    return need


def _refused(flow, labels, current, target, what):
    allowed = ", ".join(str(labels[s]) for s in sorted(flow.get(current, ()), key=list(labels).index))
    if target not in labels:
        message = _l("Choose a status from the list.")
    elif allowed:
        message = _l("%(what)s that is %(now)s cannot become %(new)s; it can become: %(allowed)s.",
                     what=what, now=labels[current], new=labels[target], allowed=allowed)
    else:
        message = _l("%(what)s that is %(now)s cannot change any more.", what=what, now=labels[current])
    return InvalidInput({"status": message})


def move_need(user, need_id: int, status: str, via: str = "web") -> Need:
    """Move a need along NEED_FLOW. Staff (in scope) may make every allowed move; the admin of the
    organisation that took the need may start it, finish it, or give it back (open)."""
    status = _text(status)
    need = db.session.get(Need, need_id) if isinstance(need_id, int) else None
    if _is_staff(user):
        need = need_for_change(user, need_id, via)
    elif need is None or user.role != "org_admin" or not user.organisation_id \
            or need.team_org_id != user.organisation_id:
        raise NeedNotFound(need_id)
    if status not in NEED_FLOW.get(need.status, ()):
        raise _refused(NEED_FLOW, NEED_STATUSES, need.status, status, _l("A need"))
    if not _is_staff(user) and (need.status, status) not in TEAM_MOVES:
        raise InvalidInput({"status": _l("Only a coordinator can make this change.")})
    need.status = status
    if status == "open":
        need.team_org_id = None  # given back: another team may take it
    _emit("need.updated", need.child, need_id=need.id)
    audit.log(user, "update", "need", need.id, reason=f"status:{status}", via=via, commit=False)
    db.session.commit()
    return need


def take_as_team(org_admin_user, need_id: int, via: str = "web") -> Need:
    """An organisation admin takes an open need for their organisation (status assigned)."""
    user = org_admin_user
    if getattr(user, "role", None) != "org_admin" or not user.organisation_id:
        raise NotAllowed(_l("Only an organisation admin can take a need for a team."))
    need = db.session.get(Need, need_id) if isinstance(need_id, int) else None
    if need is None:
        raise NeedNotFound(need_id)
    # One conditional update: two admins clicking at once cannot both take the need.
    taken = db.session.execute(
        update(Need).where(Need.id == need.id, Need.status == "open")
        .values(status="assigned", team_org_id=user.organisation_id),
        execution_options={"synchronize_session": False}).rowcount
    if not taken:
        db.session.rollback()
        raise InvalidInput({"status": _l("This need is no longer open; another team may have taken it.")})
    _emit("need.updated", need.child, need_id=need.id)
    audit.log(user, "update", "need", need.id, reason="take", via=via, commit=False)
    db.session.commit()
    db.session.refresh(need)
    return need


def team_need(user, need_id: int) -> Need:
    """A need taken by user's organisation (user is one of its members or its admin); else NeedNotFound."""
    need = db.session.get(Need, need_id) if isinstance(need_id, int) else None
    if need is None or user.role not in access.ORG_ROLES or not user.organisation_id \
            or need.team_org_id != user.organisation_id:
        raise NeedNotFound(need_id)
    return need


def team_card(need: Need) -> dict:
    """A team's need as its organisation sees it: the need card and the child's privacy card
    (no needs inside), never the child's name, address or details."""
    return {"need": need_card(need), "child": privacy_card(need.child, [])}


def team_needs(user, org_id: int) -> list[dict]:
    """The needs an organisation has taken and not yet finished, as team cards.

    Staff see any organisation's; organisation users only their own; anyone else nothing.
    """
    if not (_is_staff(user) or (user.role in access.ORG_ROLES and user.organisation_id == org_id)):
        return []
    rows = db.session.scalars(select(Need).where(Need.team_org_id == org_id,
                                                 Need.status.in_(("assigned", "in_progress")))
                              .order_by(Need.id)).all()
    return [team_card(n) for n in rows]


def needs_of(child) -> list[Need]:
    """A child's needs, oldest first (for pages that already hold the child in full)."""
    return db.session.scalars(select(Need).where(Need.child_id == child.id).order_by(Need.id)).all()


def wishes_of(child) -> list[Wish]:
    """A child's micro-wishes, oldest first."""
    return db.session.scalars(select(Wish).where(Wish.child_id == child.id).order_by(Wish.id)).all()


def panel_context(child) -> dict:
    """Everything templates/needs/_child_needs.html and _child_wishes.html need."""
    return {"child": child, "needs": needs_of(child), "wishes": wishes_of(child), **VOCABULARIES}


VOCABULARIES = {
    "dimensions": DIMENSIONS, "service_types": SERVICE_TYPES, "urgencies": URGENCIES, "rhythms": RHYTHMS,
    "need_statuses": NEED_STATUSES, "need_flow": NEED_FLOW, "wish_categories": WISH_CATEGORIES,
    "wish_statuses": WISH_STATUSES, "wish_flow": WISH_FLOW, "skills": SKILLS,
}


# --- wishes -----------------------------------------------------------------------------------------

def create_wish(staff, child_ref: str, data: dict, via: str = "web") -> Wish:
    """Add a micro-wish (draft) to a child in staff's scope."""
    child = children.get_for_change(staff, child_ref, via)
    values = clean_wish(data)
    wish = Wish(ref=new_ref(), child_id=child.id, created_by_id=staff.id, status="draft", **values)
    db.session.add(wish)
    db.session.flush()
    _emit("wish.created", child, wish_id=wish.id)
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
    """Move a wish along WISH_FLOW (only staff in scope, for now: donors claim in a later issue)."""
    wish = wish_for_change(staff, wish_ref, via)
    status = _text(status)
    if status not in WISH_FLOW.get(wish.status, ()):
        raise _refused(WISH_FLOW, WISH_STATUSES, wish.status, status, _l("A wish"))
    wish.status = status
    _emit("wish.updated", wish.child, wish_id=wish.id)
    audit.log(staff, "update", "wish", wish.id, reason=f"status:{status}", via=via, commit=False)
    db.session.commit()
    return wish


# --- the volunteers' board --------------------------------------------------------------------------

def clean_filters(filters: dict | None) -> dict:
    """Keep only known filter values (unknown ones are ignored, never an error)."""
    filters = filters or {}
    out = {}
    for key, vocab in (("service_type", SERVICE_TYPES), ("dimension", DIMENSIONS), ("urgency", URGENCIES),
                       ("skill", SKILLS)):
        v = _text(filters.get(key))
        if v in vocab:
            out[key] = v
    district = _text(filters.get("district"))
    d = geo.get(district) if district else None
    if d is not None and d.level == "district":
        out["district"] = d.code
    return out


def open_need_cards(user, page: int = 1, per_page: int = 10, filters: dict | None = None) -> CardPage:
    """Privacy cards (child card + its open needs) of children with open needs, most urgent first.

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
    rows = db.session.execute(
        select(Need.child_id, func.min(rank).label("rank"), func.max(Need.id).label("newest"))
        .join(Child, Child.id == Need.child_id).where(*conditions)
        .group_by(Need.child_id).order_by("rank", func.max(Need.id).desc(), Need.child_id)
        .limit(per_page + 1).offset((page - 1) * per_page)).all()
    result.has_more = len(rows) > per_page
    child_ids = [r.child_id for r in rows[:per_page]]
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
        result.append(privacy_card(kids[cid], by_child.get(cid, [])))
    return result
