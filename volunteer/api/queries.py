"""Lists the API needs that no package offers yet, built only from access.py's scope rules."""
from sqlalchemy import func, or_, select

from .. import access
from ..accounts.models import User
from ..children.models import Child
from ..extensions import db
from ..needs.models import Need, Wish
from ..validation import display_phone
from ..volunteers.models import VolunteerProfile


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _page(stmt, order, page, per_page):
    total = _count(stmt)
    rows = db.session.scalars(stmt.order_by(order).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def _child_scope(stmt, user):
    """Children inside a staff user's scope (the same prefix test as children.services.search)."""
    prefix = access.scope_prefix(user)
    if prefix is None:
        return None
    if prefix:
        stmt = stmt.where(access.child_scope_clause(prefix))
    return stmt


def needs_in_scope(staff, *, status="", service_type="", dimension="", urgency="", child="",
                   page=1, per_page=25):
    """Needs of children in staff's scope: (rows, total)."""
    stmt = _child_scope(select(Need).join(Child, Child.id == Need.child_id), staff)
    if stmt is None or access.view_of(staff, "need") != "full":
        return [], 0
    for column, value in ((Need.status, status), (Need.service_type, service_type),
                          (Need.dimension, dimension), (Need.urgency, urgency), (Child.ref, child)):
        if value:
            stmt = stmt.where(column == value)
    return _page(stmt, Need.id.desc(), page, per_page)


def open_needs(*, service_type="", dimension="", urgency="", page=1, per_page=25):
    """Open needs, the ones volunteers see as cards: (rows, total)."""
    stmt = select(Need).where(Need.status == "open")
    for column, value in ((Need.service_type, service_type), (Need.dimension, dimension),
                          (Need.urgency, urgency)):
        if value:
            stmt = stmt.where(column == value)
    return _page(stmt, Need.id.desc(), page, per_page)


def wishes_in_scope(staff, *, status="", category="", child="", page=1, per_page=25):
    """Wishes of children in staff's scope: (rows, total)."""
    stmt = _child_scope(select(Wish).join(Child, Child.id == Wish.child_id), staff)
    if stmt is None or access.view_of(staff, "wish") != "full":
        return [], 0
    for column, value in ((Wish.status, status), (Wish.category, category), (Child.ref, child)):
        if value:
            stmt = stmt.where(column == value)
    return _page(stmt, Wish.id.desc(), page, per_page)


def published_wishes(*, category="", page=1, per_page=25):
    """Published wishes (the public wish board): (rows, total)."""
    stmt = select(Wish).where(Wish.status == "published")
    if category:
        stmt = stmt.where(Wish.category == category)
    return _page(stmt, Wish.id.desc(), page, per_page)


def volunteer_record(user) -> dict:
    """Every field of a volunteer; project() cuts it to the viewer's view."""
    p = user.profile
    record = {"id": user.id, "name": user.name, "phone": display_phone(user.phone), "email": user.email,
              "organisation_id": user.organisation_id, "skills": [], "slots": []}
    if p is not None:
        record.update(skills=[s.skill for s in p.skills],
                      slots=[{"weekday": s.weekday, "period": s.period} for s in p.slots],
                      district_code=p.district_code, town_code=p.town_code, lat=p.lat, lon=p.lon,
                      radius_km=p.radius_km, max_visits_per_month=p.max_visits_per_month)
    return record


def _visible_volunteers(viewer):
    """The select of users viewer may see in the volunteer collection, and the view; (None, None) if none."""
    view = access.view_of(viewer, "volunteer")
    stmt = select(User).outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
    if view == "full":
        prefix = access.scope_prefix(viewer)
        if prefix is None:
            return None, None
        stmt = stmt.where(VolunteerProfile.user_id.is_not(None))
        if prefix:
            stmt = stmt.where(or_(VolunteerProfile.town_code.startswith(prefix),
                                  VolunteerProfile.district_code.startswith(prefix)))
    elif view == "members" and viewer.organisation_id:
        stmt = stmt.where(User.organisation_id == viewer.organisation_id)
    elif view in ("self", "members"):
        stmt = stmt.where(User.id == viewer.id)
        view = "self"
    else:
        return None, None
    return stmt, view


def volunteers_for(viewer, *, skill="", district="", town="", page=1, per_page=25):
    """(records cut to viewer's view, total)."""
    stmt, view = _visible_volunteers(viewer)
    if stmt is None:
        return [], 0
    if district:
        stmt = stmt.where(VolunteerProfile.district_code == district)
    if town:
        stmt = stmt.where(VolunteerProfile.town_code == town)
    if skill:
        from ..volunteers.models import VolunteerSkill

        stmt = stmt.where(User.id.in_(select(VolunteerSkill.user_id).where(VolunteerSkill.skill == skill)))
    rows, total = _page(stmt, User.id, page, per_page)
    return [access.project(volunteer_record(u), "volunteer", view) for u in rows], total


def volunteer_for(viewer, user_id: int) -> dict | None:
    """One volunteer cut to viewer's view, or None when viewer may not see them."""
    stmt, view = _visible_volunteers(viewer)
    if stmt is None:
        return None
    u = db.session.scalar(stmt.where(User.id == user_id))
    return None if u is None else access.project(volunteer_record(u), "volunteer", view)
