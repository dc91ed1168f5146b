"""Coordinators' pages for children: list and search, the child's page, add, edit, delete, import.

Staff only (access.staff_required); every rule about who sees which child lives in services/access:
a child outside the user's scope answers 404 exactly like a child that does not exist.
"""
from babel.lists import format_list
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..access import staff_required
from ..extensions import db
from ..geo import services as geo
from ..rendering import render, wants_fragment
from . import importer, present, services, spreadsheet
from .cards import age_on
from .models import CATEGORIES, GENDERS, PURPOSES, Consent
from .pages import (CONSENT_FIELDS, FIELD_LABELS, activities_of, audit_entries, child_data, consent_data, division_name,
                    errors_of, form_context, messages, needs_and_wishes, show_value, timeline, town_choices, values_of)
from .validation import InvalidInput

bp = Blueprint("children", __name__, url_prefix="/children")

PER_PAGE = 25
VIEWERS_PER_PAGE = 50  # of the newest 200 audit rows (audit.for_object)


def register(app):
    """Register the children pages on app."""
    app.register_blueprint(bp)


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
    page = _page_number()
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
              "town": division_name(c.town_code), "district": division_name(c.district_code),
              "category": CATEGORIES.get(c.category, c.category), "disabled": c.disabled} for c in rows]
    towns = town_choices(f["district"])
    ctx = dict(items=items, total=total, f=f, pages=pages, districts=geo.districts(), towns=towns,
               categories=CATEGORIES, filter_summary=_filter_summary(f, towns),
               fragment=wants_fragment(), oob_towns=request.htmx.trigger == "f-district")
    return render("children/index.html", block="results", **ctx)


def _filter_summary(f, towns) -> str:
    """The chosen filters in words, for the closed filter sheet's summary."""
    parts = [_("“%(q)s”", q=f["q"])] if f["q"] else []
    if f["town"]:
        parts.append(dict(towns).get(f["town"], ""))
    elif f["district"]:
        parts.append(division_name(f["district"]))
    if f["category"]:
        parts.append(str(CATEGORIES[f["category"]]))
    if f["disabled"]:
        parts.append(_("Disabled children") if f["disabled"] == "1" else _("Not disabled"))
    parts = [p for p in parts if p]
    return " · ".join(parts) if parts else _("All children in your area")


# ---- The child's page ----

@bp.get("/<ref>")
@staff_required
def show(ref):
    """A child's full record (an audited full view), needs, wishes, consents and history."""
    child = _load(ref, view=True)
    panel = {k: v for k, v in needs_and_wishes(child).items() if k != "child"}
    record = present.full(child)
    consents = db.session.scalars(select(Consent).where(Consent.child_id == child.id)
                                  .order_by(Consent.id.desc())).all()
    ctx = {**panel, "child": child, "record": record, "consents": consents, "timeline": timeline(child),
           "activities": activities_of(child), "show_value": show_value, "labels": FIELD_LABELS,
           "purposes": PURPOSES}
    return render_template("children/show.html", **ctx)


@bp.get("/<ref>/viewers")
@staff_required
def viewers(ref):
    """Who viewed, changed or was refused this child: the audit rows."""
    try:
        child, rows = services.viewers(current_user, ref)
    except services.ChildNotFound:
        abort(404)
    pages = max(1, -(-len(rows) // VIEWERS_PER_PAGE))
    page = min(_page_number(), pages)
    shown = rows[(page - 1) * VIEWERS_PER_PAGE:page * VIEWERS_PER_PAGE]
    return render_template("children/viewers.html", child=child, entries=audit_entries(shown), page=page, pages=pages)


def _page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


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
        data = {**child_data(request.form), **consent_data(request.form)}
        errors = errors_of(data)
        if not any(data[f] for f in (*CONSENT_FIELDS, "consent_purpose")):
            errors["consent_purpose"] = _("Record the guardian's consent before saving the child.")
        if not request.form.get("consent_agreed"):
            errors["consent_agreed"] = _("Confirm that the guardian agreed to this text version.")
        if not errors:
            try:
                child = services.create_child(current_user, data)
            except InvalidInput as exc:
                errors = messages(exc.errors)
            else:
                flash(_("%(name)s is registered.", name=child.name), "success")
                return redirect(url_for("children.show", ref=child.ref))
        status = 422
    return render_template("children/form.html", **form_context(values, errors, child=None)), status


@bp.route("/<ref>/edit", methods=["GET", "POST"])
@staff_required
def edit(ref):
    """Change a child's record; a new purpose needs a new consent; nothing is half-saved."""
    if request.method == "GET":
        child = _load(ref, view=True, reason="edit")  # the form shows the full record
        return render_template("children/form.html", **form_context(values_of(child), {}, child=child))
    child = _load(ref)
    current_purpose = child.consent.purpose if child.consent else ""
    values = request.form.to_dict()
    data = child_data(request.form)
    consent = consent_data(request.form)
    new_consent = any(consent[f] for f in CONSENT_FIELDS) or bool(request.form.get("consent_agreed"))
    purpose_changed = consent["consent_purpose"] != current_purpose
    if new_consent:
        data.update(consent)
    errors = errors_of(data)
    if purpose_changed and not new_consent:
        try:  # the service's rule: a new purpose is refused without the guardian's consent
            services.change_purpose(current_user, ref, consent["consent_purpose"], None)
        except services.ConsentRequired as exc:
            errors.update(messages(exc.errors))
    if new_consent and not request.form.get("consent_agreed"):
        errors["consent_agreed"] = _("Confirm that the guardian agreed to this text version.")
    if not errors:
        try:
            services.update_child(current_user, ref, data)
        except InvalidInput as exc:
            db.session.rollback()
            errors = messages(exc.errors)
        else:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("children.show", ref=ref))
    db.session.rollback()
    db.session.refresh(child)
    return render_template("children/form.html", **form_context(
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
                           headers=spreadsheet.template_headers(), other=spreadsheet.template_headers(other=True),
                           other_lang="zh-CN" if spreadsheet.english() else "en",
                           required=spreadsheet.REQUIRED_COLUMNS,
                           categories=format_list([str(c) for c in CATEGORIES.values()], style="or", locale=get_locale()),
                           purposes=importer.purpose_terms(), max_rows=spreadsheet.MAX_ROWS), status


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def import_children():
    """Upload a CSV or .xlsx sheet of children: all rows are imported, or none."""
    if request.method == "GET":
        return _import_page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(problem=_("Choose a file to upload."), status=422)
    content = upload.stream.read(spreadsheet.MAX_BYTES + 1)
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
    return Response(spreadsheet.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=children-import-template.csv",
                             "Cache-Control": "no-store"})
