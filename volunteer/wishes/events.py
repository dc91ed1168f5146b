"""Wish events: coordinators prepare the list of wishes from their children's wishes and publish it."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from .. import access
from ..audit import services as audit
from ..children.models import Child
from ..children.validation import InvalidInput, parse_date
from ..extensions import db
from ..needs.models import Wish
from ..needs.rules import PLAIN_TEXT, WishNotFound, is_staff, text_of
from ..validation import _bad_char
from .models import WishEvent


class EventNotFound(WishNotFound):
    """No such event, or one this user may not see (a draft, for donors) or change."""


def clean_event(data: dict) -> dict:
    """Clean name, date (held_on) and place, or raise InvalidInput."""
    errors, out = {}, {}
    for field, limit, message in (("name", 80, _l("Give the event a name.")),
                                  ("place", 120, _l("Say where the event takes place."))):
        value = text_of(data.get(field))
        if not value:
            errors[field] = message
        elif len(value) > limit:
            errors[field] = _l("Use at most %(n)s characters.", n=limit)
        elif any(_bad_char(ch) for ch in value):
            errors[field] = PLAIN_TEXT
        else:
            out[field] = value
    try:
        out["held_on"] = parse_date(data.get("held_on"))
    except (ValueError, TypeError):
        errors["held_on"] = _l("Enter a date like 2026-06-01.")
    if errors:
        raise InvalidInput(errors)
    return out


def create_event(staff, data: dict, via="web") -> WishEvent:
    """A new draft event in staff's part of the city."""
    if not is_staff(staff):
        raise EventNotFound(None)
    values = clean_event(data)
    prefix = access.scope_prefix(staff) or None
    event = WishEvent(status="draft", created_by_id=staff.id, area_code=prefix, **values)
    db.session.add(event)
    db.session.flush()
    audit.log(staff, "create", "wish_event", event.id, via=via, commit=False)
    db.session.commit()
    return event


def get_event(user, event_id) -> WishEvent:
    """An event user may see: staff see every event, everyone else only published ones."""
    event = db.session.get(WishEvent, event_id) if isinstance(event_id, int) else None
    if event is None or access.view_of(user, "wish") is None or (event.status != "published"
                                                                  and not is_staff(user)):
        raise EventNotFound(event_id)
    return event


def event_for_change(staff, event_id) -> WishEvent:
    """An event staff may change: made for a part of the city inside staff's scope."""
    event = get_event(staff, event_id)
    if not is_staff(staff) or not (access.scope_prefix(staff) == "" or access.in_scope(staff, event.area_code)):
        raise EventNotFound(event_id)
    return event


def list_events(user) -> list[WishEvent]:
    """Events newest first: all for staff, published ones for everyone else."""
    query = select(WishEvent)
    if not is_staff(user):
        query = query.where(WishEvent.status == "published")
    return db.session.scalars(query.order_by(WishEvent.held_on.desc(), WishEvent.id.desc())).all()


def candidate_wishes(staff, event: WishEvent) -> list[Wish]:
    """Wishes staff may put on the event's list: draft or published, of children in scope, in no event."""
    prefix = access.scope_prefix(staff)
    if prefix is None:
        return []
    query = (select(Wish).join(Child, Child.id == Wish.child_id)
             .where(Wish.status.in_(("draft", "published")), Wish.event_id.is_(None)))
    if prefix:
        query = query.where(access.child_scope_clause(prefix))
    return db.session.scalars(query.order_by(Wish.id).limit(500)).all()


def event_wishes(event_id: int) -> list[Wish]:
    """Every wish on an event's list, in list order."""
    return db.session.scalars(select(Wish).where(Wish.event_id == event_id).order_by(Wish.id)).all()


def add_wishes(staff, event_id, refs, via="web") -> int:
    """Put wishes (draft or published, children in scope, in no event) on the list; returns how many.
    On a published event they are published at once."""
    event = event_for_change(staff, event_id)
    allowed = {w.ref: w for w in candidate_wishes(staff, event)}
    chosen = [allowed[r] for r in dict.fromkeys(text_of(r) for r in refs or []) if r in allowed]
    if not chosen:
        raise InvalidInput({"wishes": _l("Choose at least one wish from the list.")})
    for wish in chosen:
        wish.event_id = event.id
        if event.status == "published" and wish.status == "draft":
            wish.status = "published"
    audit.log(staff, "update", "wish_event", event.id, reason=f"add:{len(chosen)}", via=via, commit=False)
    db.session.commit()
    return len(chosen)


def publish_event(staff, event_id, via="web") -> WishEvent:
    """Publish the event and every draft wish on its list (donors see them at once)."""
    event = event_for_change(staff, event_id)
    if not db.session.scalar(select(func.count(Wish.id)).where(Wish.event_id == event.id)):
        raise InvalidInput({"status": _l("Put at least one wish on the list before publishing.")})
    event.status = "published"
    db.session.execute(update(Wish).where(Wish.event_id == event.id, Wish.status == "draft")
                       .values(status="published"), execution_options={"synchronize_session": False})
    audit.log(staff, "update", "wish_event", event.id, reason="publish", via=via, commit=False)
    db.session.commit()
    return event
