"""Adding and changing hubs and pack kinds from the forms: validated here, one message per bad field."""
import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import access
from ..accounts.models import User
from ..children.models import CATEGORIES
from ..extensions import db
from ..geo import services as geo
from ..validation import BadPhone, normalise_phone
from .eligibility import SIZE_BY_AGE
from .models import FAMILIES, HUB_KINDS, Allocation, Hub, PackKind, Stock
from .stock import LogisticsError

SIZES = [s for _age, s in SIZE_BY_AGE]


def _text(form, name, limit, label_message):
    value = (form.get(name) or "").strip()
    if not value or len(value) > limit:
        raise LogisticsError(label_message, name)
    return value


def _optional_int(form, name, lo, hi):
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        n = int(raw)
    except ValueError:
        raise LogisticsError(_("Enter a whole number between %(lo)s and %(hi)s.", lo=lo, hi=hi), name) from None
    if not lo <= n <= hi:
        raise LogisticsError(_("Enter a whole number between %(lo)s and %(hi)s.", lo=lo, hi=hi), name)
    return n


def _kind_rules(form) -> dict:
    """The parts of a pack kind that may change: name, contents and who may get it."""
    name = _text(form, "name", 60, _("Give the kind a name (at most 60 characters)."))
    categories = [c for c in (form.getlist("categories") if hasattr(form, "getlist") else []) if c]
    if any(c not in CATEGORIES for c in categories):
        raise LogisticsError(_("Choose categories from the list."), "categories")
    min_age, max_age = _optional_int(form, "min_age", 0, 17), _optional_int(form, "max_age", 0, 17)
    min_grade, max_grade = _optional_int(form, "min_grade", 1, 12), _optional_int(form, "max_grade", 1, 12)
    if (min_age is not None and max_age is not None and min_age > max_age) or (
            min_grade is not None and max_grade is not None and min_grade > max_grade):
        raise LogisticsError(_("The lower bound is above the upper one."), "max_age")
    size = (form.get("size") or "").strip() or None
    if size is not None and size not in SIZES:
        raise LogisticsError(_("Choose a size from the list."), "size")
    return dict(name=name, contents=(form.get("contents") or "").strip()[:500], categories=",".join(categories),
                min_age=min_age, max_age=max_age, min_grade=min_grade, max_grade=max_grade, size=size)


def add_kind(user, form) -> PackKind:
    """A new pack kind (city-wide staff only: every campaign may use it)."""
    if not access.city_wide(user):
        raise PermissionError
    code = _text(form, "code", 24, _("Give the kind a short code (letters, digits, - or _)."))
    if not re.fullmatch(r"[A-Za-z0-9_-]+", code):
        raise LogisticsError(_("Give the kind a short code (letters, digits, - or _)."), "code")
    if db.session.scalar(select(PackKind.id).where(PackKind.code == code)):
        raise LogisticsError(_("This code is taken."), "code")
    family = form.get("family") or ""
    if family not in FAMILIES:
        raise LogisticsError(_("Choose what kind of pack it is."), "family")
    kind = PackKind(code=code, family=family, **_kind_rules(form))
    db.session.add(kind)
    db.session.commit()
    return kind


def edit_kind(user, kind_id: int, form) -> PackKind:
    """Change a pack kind's name, contents and rules, or retire it from new campaigns (city-wide staff).

    The code and the family stay: allocations and the one-pack-per-family rule are keyed on them. New rules
    apply to allocations made from now on; packs already allocated stay as they are."""
    if not access.city_wide(user):
        raise PermissionError
    kind = db.session.get(PackKind, kind_id)
    if kind is None:
        raise LookupError(kind_id)
    for field, value in _kind_rules(form).items():
        setattr(kind, field, value)
    kind.active = form.get("active") == "1"
    db.session.commit()
    return kind


def _hub_details(user, form, code: str, hub_id: int | None = None) -> dict:
    """Name (unique), point (or the division's) and supervisor of a hub in division code."""
    name = _text(form, "name", 60, _("Give the hub a name (at most 60 characters)."))
    if db.session.scalar(select(Hub.id).where(Hub.name == name, Hub.id != (hub_id or 0))):
        raise LogisticsError(_("A hub with this name exists."), "name")
    lat, lon = form.get("lat"), form.get("lon")
    if lat or lon:
        try:
            lat, lon = geo.parse_point(lat, lon)
        except geo.BadLocation:
            raise LogisticsError(_("Enter a point in Qingdao, or leave both empty."), "lat") from None
    else:
        point = geo.point_for(code)
        if point is None:
            raise LogisticsError(_("Enter a point in Qingdao, or leave both empty."), "lat")
        lat, lon = point[0], point[1]
    supervisor = None
    phone = (form.get("supervisor_phone") or "").strip()
    if phone:
        try:
            e164 = normalise_phone(phone)
        except BadPhone:
            e164 = ""
        supervisor = db.session.scalar(select(User).where(User.phone == e164)) if e164 else None
        if supervisor is None or supervisor.role != "coordinator" or supervisor.scope_level != "town" \
                or supervisor.scope_code != code:
            raise LogisticsError(_("The supervisor must be a coordinator of this town."), "supervisor_phone")
    return dict(name=name, lat=lat, lon=lon, supervisor_id=supervisor.id if supervisor else None)


def add_hub(user, form) -> Hub:
    """A new hub inside the user's scope; a town hub may name its child supervisor (a coordinator of the town)."""
    _text(form, "name", 60, _("Give the hub a name (at most 60 characters)."))
    kind = form.get("kind") or "town"
    if kind not in HUB_KINDS:
        raise LogisticsError(_("Choose a warehouse or a town hub."), "kind")
    code = (form.get("division_code") or "").strip()
    division = geo.get(code) if code else None
    if division is None or not access.in_scope(user, code) or (kind == "town" and division.level != "town"):
        raise LogisticsError(_("Choose a town or street in your area."), "division_code")
    hub = Hub(kind=kind, division_code=code, **_hub_details(user, form, code))
    db.session.add(hub)
    db.session.commit()
    return hub


def edit_hub(user, hub, form) -> Hub:
    """Change a hub's name, point or supervisor, or retire it (only when empty, with nothing on its way),
    or bring it back. Its kind and town stay: its stock and ledger belong there."""
    for field, value in _hub_details(user, form, hub.division_code, hub.id).items():
        setattr(hub, field, value)
    active = form.get("active") == "1"
    if hub.active and not active:
        held = db.session.scalar(select(func.coalesce(func.sum(Stock.qty), 0)).where(Stock.hub_id == hub.id))
        pending = db.session.scalar(select(func.count(Allocation.id)).where(
            Allocation.hub_id == hub.id, Allocation.status.in_(("proposed", "confirmed"))))
        if held or pending:
            db.session.rollback()
            raise LogisticsError(_("Transfer the hub's %(n)s packs and deliver or cancel its %(m)s allocations "
                                   "before retiring it.", n=held, m=pending), "active")
    hub.active = active
    db.session.commit()
    return hub
