"""Needs: create, change, move along their life cycle, and hand to organisations' teams.

Plain functions: the acting user first, then ids/refs and plain dicts. They never read the request.
Errors: InvalidInput (field -> message; nothing saved), NotAllowed (the role may not do this), and
ChildNotFound (or its kinds NeedNotFound / WishNotFound) for anything missing or outside the user's
scope: both give the same answer, so a refusal does not tell that a record exists.
Wishes live in wishes.py and the volunteers' board in board.py (both re-exported here).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .. import access
from ..audit import services as audit
from ..children import services as children
from ..children.present import privacy_card
from ..children.validation import InvalidInput
from ..extensions import db
from .board import CardPage, clean_filters, open_need_cards  # noqa: F401 (callers use services.*)
from .models import NEED_FLOW, NEED_STATUSES, Need, NeedSkill, Wish
from .present import need_card
from .rules import (VOCABULARIES, NeedNotFound, NotAllowed, WishNotFound,  # noqa: F401 (callers use services.*)
                    check_window, clean_need, emit, is_staff, refusal, text_of)
from .wishes import create_wish, move_wish, wish_for_change  # noqa: F401 (callers use services.*)

# Moves the organisation admin of the team that took a need may make (staff may make every NEED_FLOW move).
TEAM_MOVES = {("assigned", "in_progress"), ("in_progress", "done"), ("assigned", "open"), ("in_progress", "open")}


# --- needs ------------------------------------------------------------------------------------------

def need_for_change(staff, need_id, via="web") -> Need:
    """A need staff may change (its child inside staff's scope); else NeedNotFound (audited)."""
    need = db.session.get(Need, need_id) if isinstance(need_id, int) else None
    if need is None or not is_staff(staff) or not access.child_in_scope(staff, need.child):
        audit.log(staff, "deny", "need", need.id if need else None, reason="change", via=via)
        raise NeedNotFound(need_id)
    return need


def create_need(staff, child_ref: str, data: dict, via: str = "web") -> Need:
    """Add a need to a child in staff's scope; ChildNotFound when missing or out of scope."""
    child = children.get_for_change(staff, child_ref, via)
    values = clean_need(data)
    check_window(values["window_start"], values["window_end"])
    skills = values.pop("skills")
    need = Need(child_id=child.id, created_by_id=staff.id, status="open", **values)
    need.skills = [NeedSkill(skill=s) for s in skills]
    db.session.add(need)
    db.session.flush()
    emit("need.created", child, need_id=need.id)
    audit.log(staff, "create", "need", need.id, via=via, commit=False)
    db.session.commit()
    return need


def update_need(staff, need_id: int, data: dict, via: str = "web") -> Need:
    """Change a need's fields (not its status: see move_need)."""
    need = need_for_change(staff, need_id, via)
    values = clean_need(data, partial=True)
    check_window(values.get("window_start", need.window_start), values.get("window_end", need.window_end))
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
        emit("need.updated", need.child, need_id=need.id)
        audit.log(staff, "update", "need", need.id, reason=",".join(sorted(changed))[:80], via=via, commit=False)
    db.session.commit()
    return need


def move_need(user, need_id: int, status: str, via: str = "web") -> Need:
    """Move a need along NEED_FLOW. Staff (in scope) may make every allowed move; the admin of the
    organisation that took the need may start it, finish it, or give it back (open)."""
    status = text_of(status)
    need = db.session.get(Need, need_id) if isinstance(need_id, int) else None
    if is_staff(user):
        need = need_for_change(user, need_id, via)
    elif need is None or user.role != "org_admin" or not user.organisation_id \
            or need.team_org_id != user.organisation_id:
        raise NeedNotFound(need_id)
    if status not in NEED_FLOW.get(need.status, ()):
        raise refusal(NEED_FLOW, NEED_STATUSES, need.status, status, _l("A need"))
    if not is_staff(user) and (need.status, status) not in TEAM_MOVES:
        raise InvalidInput({"status": _l("Only a coordinator can make this change.")})
    need.status = status
    if status == "open":
        need.team_org_id = None  # given back: another team may take it
    emit("need.updated", need.child, need_id=need.id)
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
    emit("need.updated", need.child, need_id=need.id)
    audit.log(user, "update", "need", need.id, reason="take", via=via, commit=False)
    db.session.commit()
    db.session.refresh(need)
    return need


def team_need(user, need_id: int) -> Need:
    """A need taken by user's organisation (user is one of its members or its admin); else NeedNotFound."""
    need = db.session.get(Need, need_id) if isinstance(need_id, int) else None
    if need is None or not access.member_of(user, need.team_org_id):
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
    if not (is_staff(user) or access.member_of(user, org_id)):
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
