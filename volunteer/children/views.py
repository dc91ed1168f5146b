"""Coordinators' pages for children: list and search, the child's page, add, edit, delete, import.

Staff only (access.staff_required); every rule about who sees which child lives in services/access:
a child outside the user's scope answers 404 exactly like a child that does not exist.
"""
import json

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request, url_for,
                   current_app)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..access import staff_required
from ..accounts.models import User
from ..extensions import db
from ..geo import services as geo
from ..validation import display_phone
from . import importer, present, services
from .cards import age_on
from .models import CATEGORIES, CONSENT_TEXT_VERSION, GENDERS, PURPOSES, Consent
from .validation import InvalidInput, clean

bp = Blueprint("children", __name__, url_prefix="/children")

PER_PAGE = 25
TEXT_FIELDS = ("name", "village", "address", "school", "grade", "notes", "guardian_name",
               "guardian_relation", "guardian_phone", "birth_date", "gender", "category", "lat", "lon")
CONSENT_FIELDS = ("consent_given_by", "consent_relation", "consent_given_on")
ACTIONS = {"view": _l("viewed"), "deny": _l("was refused"), "update": _l("changed"), "delete": _l("deleted"),
           "create": _l("registered"), "import": _l("imported"), "export": _l("exported")}
HISTORY_ACTIONS = {"create": _l("Registered"), "update": _l("Changed")}
FIELD_LABELS = importer.FIELD_LABELS


def register(app):
    """Register the children pages on app."""
    app.register_blueprint(bp)


# ---- Helpers ----

def _names(user_ids) -> dict:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _division_name(code) -> str:
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
        return _division_name(value)
    if field == "guardian_phone":
        try:
            return display_phone(value)
        except Exception:
            return str(value)
    return str(value)


def _timeline(child) -> list[dict]:
    """History rows and consent records of a child, newest first."""
    rows = services.history(child)
    consents = db.session.scalars(select(Consent).where(Consent.child_id == child.id)).all()
    names = _names([r.user_id for r in rows] + [c.recorded_by_id for c in consents])
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


def _needs_and_wishes(child) -> dict:
    """Context for the needs and wishes partials (empty until the needs package is there)."""
    try:
        from ..needs import services as needs
    except ImportError:  # the needs pages arrive separately
        return {"needs": [], "wishes": []}
    if hasattr(needs, "panel_context"):
        return needs.panel_context(child)
    return {"needs": needs.needs_of(child), "wishes": needs.wishes_of(child)}


def _town_choices(district_code):
    return [(t.code, t.name) for t in geo.towns(district_code)] if district_code else []


def _form_context(values, errors, **extra):
    return dict(values=values, errors=errors, districts=geo.districts(),
                towns=_town_choices(values.get("district", "")), categories=CATEGORIES, genders=GENDERS,
                purposes=PURPOSES, text_version=CONSENT_TEXT_VERSION, labels=FIELD_LABELS,
                map_tiles=current_app.config.get("MAP_TILES", ""),
                map_tiles_crs=current_app.config.get("MAP_TILES_CRS", "wgs84"), **extra)


def _child_data(form) -> dict:
    """The child's fields from the posted form, named as validation.clean expects them."""
    data = {f: form.get(f, "") for f in TEXT_FIELDS}
    data["district_code"] = form.get("district", "")
    data["town_code"] = form.get("town", "")
    data["disabled"] = "1" if form.get("disabled") else "0"
    return data


def _consent_data(form) -> dict:
    data = {f: form.get(f, "") for f in CONSENT_FIELDS}
    data["consent_purpose"] = form.get("consent_purpose", "")
    return data


def _strs(errors: dict) -> dict:
    """Error messages as plain (escaped) text in the user's language."""
    return {f: str(m) for f, m in errors.items()}


def _errors_of(data) -> dict:
    """Every field error the shared rules find (nothing is saved here)."""
    try:
        clean(data)
    except InvalidInput as exc:
        return _strs(exc.errors)
    return {}


def _values_of(child) -> dict:
    """A child as form values."""
    v = {f: getattr(child, f) for f in TEXT_FIELDS}
    v.update(birth_date=child.birth_date.isoformat(), district=child.district_code or "",
             town=child.town_code or "", disabled=child.disabled,
             lat="" if child.lat is None else f"{child.lat:.6f}", lon="" if child.lon is None else f"{child.lon:.6f}",
             guardian_phone=show_value("guardian_phone", child.guardian_phone) if child.guardian_phone else "",
             consent_purpose=child.consent.purpose if child.consent else "")
    return {k: ("" if val is None else val) for k, val in v.items()}


def _load(ref, *, view=False, reason=""):
    try:
        if view:
            return services.get_full(current_user, ref, reason=reason)
        return services.get_for_change(current_user, ref)
    except services.ChildNotFound:
        abort(404)


# ---- List and search ----

def _filters():
    args = request.args
    district = args.get("district", "")
    d = geo.get(district) if district else None
    district = district if d is not None and d.level == "district" else ""
    town = args.get("town", "")
    t = geo.get(town) if town else None
    town = town if t is not None and t.level == "town" and (not district or t.parent_code == district) else ""
    category = args.get("category", "")
    disabled = args.get("disabled", "")
    try:
        page = max(1, min(int(args.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    return {"q": args.get("q", "").strip()[:40], "district": district, "town": town,
            "category": category if category in CATEGORIES else "",
            "disabled": disabled if disabled in ("1", "0") else "", "page": page}


@bp.get("")
@staff_required
def index():
    """Children in the coordinator's area, with live search, filters and pages."""
    f = _filters()
    rows, total = services.search(current_user, f["q"], district=f["district"], town=f["town"],
                                  category=f["category"], disabled=f["disabled"], page=f["page"],
                                  per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    items = [{"ref": c.ref, "name": c.name, "age": age_on(c.birth_date), "gender": GENDERS.get(c.gender, ""),
              "town": _division_name(c.town_code), "district": _division_name(c.district_code),
              "category": CATEGORIES.get(c.category, c.category), "disabled": c.disabled} for c in rows]
    ctx = dict(items=items, total=total, f=f, pages=pages, districts=geo.districts(),
               towns=_town_choices(f["district"]), categories=CATEGORIES)
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        return render_template("children/_results.html", oob_towns=request.headers.get("HX-Trigger") == "f-district",
                               **ctx)
    return render_template("children/index.html", **ctx)


# ---- The child's page ----

@bp.get("/<ref>")
@staff_required
def show(ref):
    """A child's full record (an audited full view), needs, wishes, consents and history."""
    child = _load(ref, view=True)
    panel = {k: v for k, v in _needs_and_wishes(child).items() if k != "child"}
    record = present.full(child)
    consents = db.session.scalars(select(Consent).where(Consent.child_id == child.id)
                                  .order_by(Consent.id.desc())).all()
    ctx = {**panel, "child": child, "record": record, "consents": consents, "timeline": _timeline(child),
           "show_value": show_value, "labels": FIELD_LABELS, "purposes": PURPOSES}
    return render_template("children/show.html", **ctx)


@bp.get("/<ref>/viewers")
@staff_required
def viewers(ref):
    """Who viewed, changed or was refused this child: the audit rows."""
    try:
        child, rows = services.viewers(current_user, ref)
    except services.ChildNotFound:
        abort(404)
    names = _names([r.user_id for r in rows])
    entries = [{"who": names.get(r.user_id, _("(deleted user)")), "action": r.action,
                "action_label": ACTIONS.get(r.action, r.action), "at": r.at, "reason": r.reason, "via": r.via}
               for r in rows]
    return render_template("children/viewers.html", child=child, entries=entries)


# ---- Add and change ----

@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    """Register a child with the guardian's consent."""
    values, errors, status = {"consent_purpose": ""}, {}, 200
    if current_user.scope_code and current_user.scope_level == "district":
        values["district"] = current_user.scope_code
    if request.method == "POST":
        values = request.form.to_dict()
        data = {**_child_data(request.form), **_consent_data(request.form)}
        errors = _errors_of(data)
        if not any(data[f] for f in (*CONSENT_FIELDS, "consent_purpose")):
            errors["consent_purpose"] = _("Record the guardian's consent before saving the child.")
        if not request.form.get("consent_agreed"):
            errors["consent_agreed"] = _("Confirm that the guardian agreed to this text version.")
        if not errors:
            try:
                child = services.create_child(current_user, data)
            except InvalidInput as exc:
                errors = _strs(exc.errors)
            else:
                flash(_("%(name)s is registered.", name=child.name), "success")
                return redirect(url_for("children.show", ref=child.ref))
        status = 422
    return render_template("children/form.html", **_form_context(values, errors, child=None)), status


@bp.route("/<ref>/edit", methods=["GET", "POST"])
@staff_required
def edit(ref):
    """Change a child's record; a new purpose needs a new consent; nothing is half-saved."""
    if request.method == "GET":
        child = _load(ref, view=True, reason="edit")  # the form shows the full record
        return render_template("children/form.html", **_form_context(_values_of(child), {}, child=child))
    child = _load(ref)
    current_purpose = child.consent.purpose if child.consent else ""
    values = request.form.to_dict()
    data = _child_data(request.form)
    consent = _consent_data(request.form)
    new_consent = any(consent[f] for f in CONSENT_FIELDS) or bool(request.form.get("consent_agreed"))
    purpose_changed = consent["consent_purpose"] != current_purpose
    if new_consent:
        data.update(consent)
    errors = _errors_of(data)
    if purpose_changed and not new_consent:
        try:  # the service's rule: a new purpose is refused without the guardian's consent
            services.change_purpose(current_user, ref, consent["consent_purpose"], None)
        except services.ConsentRequired as exc:
            errors.update(_strs(exc.errors))
    if new_consent and not request.form.get("consent_agreed"):
        errors["consent_agreed"] = _("Confirm that the guardian agreed to this text version.")
    if not errors:
        try:
            services.update_child(current_user, ref, data)
        except InvalidInput as exc:
            db.session.rollback()
            errors = _strs(exc.errors)
        else:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("children.show", ref=ref))
    db.session.rollback()
    db.session.refresh(child)
    return render_template("children/form.html", **_form_context(
        values, errors, child=child, consent_needed=purpose_changed)), 422


@bp.post("/<ref>/delete")
@staff_required
def delete(ref):
    """Erase a child everywhere (rows, consents, history, needs, wishes, photos, queued jobs)."""
    child = _load(ref)
    if request.form.get("confirm") != child.ref:  # the form names the child it deletes
        abort(400)
    name = child.name
    services.delete_child(current_user, ref)
    flash(_("%(name)s and all their data were deleted.", name=name), "success")
    return redirect(url_for("children.index"))


# ---- Import ----

def _import_page(report=None, problem=None, status=200):
    return render_template("children/import.html", report=report, problem=problem,
                           headers=importer.TEMPLATE_HEADERS, required=importer.REQUIRED_COLUMNS,
                           labels=FIELD_LABELS, categories=CATEGORIES, purposes=PURPOSES,
                           purpose_words=importer.PURPOSE_WORDS, max_rows=importer.MAX_ROWS), status


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def import_children():
    """Upload a CSV or .xlsx sheet of children: all rows are imported, or none."""
    if request.method == "GET":
        return _import_page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(problem=_("Choose a file to upload."), status=422)
    content = upload.stream.read(importer.MAX_BYTES + 1)
    try:
        report = importer.import_file(current_user, upload.filename, content)
    except importer.ImportProblem as exc:
        return _import_page(problem=str(exc.message), status=422)
    if not report.ok:
        return _import_page(report=report, status=422)
    flash(_("%(n)s children were imported.", n=len(report.created)), "success")
    return redirect(url_for("children.index"))


@bp.errorhandler(413)
def too_large(_e):
    if request.endpoint == "children.import_children" and getattr(current_user, "is_staff", False):
        return _import_page(problem=_("The file is larger than 5 MB. Split it into smaller files."), status=413)
    from ..errors import render_error

    return render_error(413)


@bp.get("/import/template.csv")
@staff_required
def import_template():
    """The import template with Chinese headers (UTF-8 with BOM, so Excel reads it)."""
    return Response(importer.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=children-import-template.csv",
                             "Cache-Control": "no-store"})
