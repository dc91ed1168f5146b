"""What the children pages show and read: stored values as people read them, the timeline, form values."""
import json

from babel.lists import format_list
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..geo import services as geo
from ..validation import phone_text
from . import services
from .models import CATEGORIES, CONSENT_TEXT_VERSION, GENDERS, PURPOSES, Consent
from .spreadsheet import FIELD_LABELS
from .validation import InvalidInput, clean

TEXT_FIELDS = ("name", "village", "address", "school", "grade", "notes", "guardian_name",
               "guardian_relation", "guardian_phone", "birth_date", "gender", "category", "lat", "lon")
CONSENT_FIELDS = ("consent_given_by", "consent_relation", "consent_given_on")
HISTORY_ACTIONS = {"create": _l("Registered"), "update": _l("Changed")}
AUDIT_ACTIONS = {"view": _l("viewed"), "deny": _l("was refused"), "update": _l("changed"), "delete": _l("deleted"),
                 "create": _l("registered"), "import": _l("imported"), "export": _l("exported")}
# Why an audit row was allowed or refused, as stored (services' reason codes) -> words.
AUDIT_REASONS = {"scope": _l("In their area"), "edit": _l("Opened to edit"), "find helpers": _l("Finding helpers"),
                 "change": _l("Not in their area")}
AUDIT_VIA = {"api": _l("through the API"), "import": _l("by spreadsheet import")}


def user_names(user_ids) -> dict:
    """{user id: name} for the given ids (missing users are left out)."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def division_name(code) -> str:
    """A division's name (its code when unknown, '' for none)."""
    d = geo.get(code) if code else None
    return d.name if d else (code or "")


def show_value(field: str, value) -> str:
    """A stored value as people read it (labels for codes, names for divisions)."""
    if value is None or value == "":
        return "—"
    if field == "gender":
        return str(GENDERS.get(value, value))
    if field == "category":
        return str(CATEGORIES.get(value, value))
    if field == "consent_purpose":
        return str(PURPOSES.get(value, value))
    if field == "disabled":
        return _("Yes") if value in (True, "1", 1) else _("No")
    if field in ("district_code", "town_code"):
        return division_name(value)
    if field == "guardian_phone":
        return phone_text(value)
    return str(value)


def timeline(child) -> list[dict]:
    """History rows and consent records of a child, newest first."""
    rows = services.history(child)
    consents = db.session.scalars(select(Consent).where(Consent.child_id == child.id)).all()
    names = user_names([r.user_id for r in rows] + [c.recorded_by_id for c in consents])
    items = []
    for r in rows:
        try:
            changes = json.loads(r.changes or "{}")
        except ValueError:
            changes = {}
        items.append({
            "at": r.at, "who": names.get(r.user_id, _("(deleted user)")) if r.user_id else _("(deleted user)"),
            "kind": r.action, "title": str(HISTORY_ACTIONS.get(r.action, r.action)),
            "changes": [{"field": str(FIELD_LABELS.get(f, f)), "old": show_value(f, old), "new": show_value(f, new)}
                        for f, (old, new) in changes.items()],
            "key": (r.at, 1, r.id)})
    for c in consents:
        items.append({
            "at": c.created_at, "who": names.get(c.recorded_by_id, _("(deleted user)")), "kind": "consent",
            "title": _("Consent recorded"),
            "changes": [{"field": str(FIELD_LABELS["consent_purpose"]), "old": None,
                         "new": show_value("consent_purpose", c.purpose)},
                        {"field": str(FIELD_LABELS["consent_given_by"]), "old": None,
                         "new": f"{c.given_by} ({c.relation}), {c.given_on.isoformat()}"}],
            "key": (c.created_at, 0, c.id)})
    items.sort(key=lambda i: i["key"], reverse=True)
    return items


def activities_of(child) -> list[dict]:
    """The activities a registered child takes or took part in (published, closed or done), latest first:
    {id, title, service (its type's label), starts_at, upcoming}."""
    from ..activities.models import Activity, ActivityChild
    from ..needs.models import SERVICE_TYPES
    from ..types import utcnow

    rows = db.session.execute(
        select(Activity.id, Activity.title, Activity.service_type, Activity.starts_at, Activity.status)
        .join(ActivityChild, ActivityChild.activity_id == Activity.id)
        .where(ActivityChild.child_id == child.id, Activity.status.in_(("published", "closed", "done")))
        .order_by(Activity.starts_at.desc(), Activity.id.desc())).all()
    now = utcnow()
    return [{"id": activity_id, "title": title, "service": SERVICE_TYPES.get(kind, kind), "starts_at": at,
             "upcoming": status != "done" and at > now} for activity_id, title, kind, at, status in rows]


def audit_reason(action: str, reason: str) -> str:
    """An audit row's stored reason in words: visit:7 -> During visit 7, changed fields by their labels."""
    reason = reason or ""
    if reason in AUDIT_REASONS:
        return str(AUDIT_REASONS[reason])
    if action == "deny" and reason.startswith("ref:"):
        return str(AUDIT_REASONS["change"])
    if reason.startswith("visit:") and reason[6:].isdigit():
        return _("During visit %(id)s", id=reason[6:])
    fields = reason.split(",")
    known = [f for f in fields if f in FIELD_LABELS]
    if action == "update" and known and len(known) >= len(fields) - 1:  # the list may be cut at 80 characters
        order = list(FIELD_LABELS)
        labels = [str(FIELD_LABELS[f]) for f in sorted(known, key=order.index)]
        return _("Changed: %(fields)s", fields=format_list(labels, locale=get_locale()))
    return reason


def audit_entries(rows) -> list[dict]:
    """Audit rows of a child for the viewers page: who, what, when and why, in words."""
    names = user_names([r.user_id for r in rows])
    return [{"who": names.get(r.user_id, _("(deleted user)")), "action": r.action,
             "action_label": str(AUDIT_ACTIONS.get(r.action, r.action)), "at": r.at,
             "reason": audit_reason(r.action, r.reason), "via": str(AUDIT_VIA.get(r.via, ""))} for r in rows]


def needs_and_wishes(child) -> dict:
    """Context for the needs and wishes partials."""
    from ..needs import services as needs

    return needs.panel_context(child)


def town_choices(district_code):
    """(code, name) of the towns in a district, for a select."""
    return [(t.code, t.name) for t in geo.towns(district_code)] if district_code else []


def form_context(values, errors, **extra):
    """The context of templates/children/form.html."""
    return dict(values=values, errors=errors, districts=geo.districts(),
                towns=town_choices(values.get("district", "")), categories=CATEGORIES, genders=GENDERS,
                purposes=PURPOSES, text_version=CONSENT_TEXT_VERSION, labels=FIELD_LABELS,
                map_tiles=current_app.config.get("MAP_TILES", ""),
                map_tiles_crs=current_app.config.get("MAP_TILES_CRS", "wgs84"), **extra)


def child_data(form) -> dict:
    """The child's fields from the posted form, named as validation.clean expects them."""
    data = {f: form.get(f, "") for f in TEXT_FIELDS}
    data["district_code"] = form.get("district", "")
    data["town_code"] = form.get("town", "")
    data["disabled"] = "1" if form.get("disabled") else "0"
    return data


def consent_data(form) -> dict:
    """The consent fields from the posted form."""
    data = {f: form.get(f, "") for f in CONSENT_FIELDS}
    data["consent_purpose"] = form.get("consent_purpose", "")
    return data


def messages(errors: dict) -> dict:
    """Error messages as plain (escaped) text in the user's language."""
    return {f: str(m) for f, m in errors.items()}


def errors_of(data) -> dict:
    """Every field error the shared rules find (nothing is saved here)."""
    try:
        clean(data)
    except InvalidInput as exc:
        return messages(exc.errors)
    return {}


def values_of(child) -> dict:
    """A child as form values."""
    v = {f: getattr(child, f) for f in TEXT_FIELDS}
    v.update(birth_date=child.birth_date.isoformat(), district=child.district_code or "",
             town=child.town_code or "", disabled=child.disabled,
             lat="" if child.lat is None else f"{child.lat:.6f}", lon="" if child.lon is None else f"{child.lon:.6f}",
             guardian_phone=show_value("guardian_phone", child.guardian_phone) if child.guardian_phone else "",
             consent_purpose=child.consent.purpose if child.consent else "")
    return {k: ("" if val is None else val) for k, val in v.items()}
