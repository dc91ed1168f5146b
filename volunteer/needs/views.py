"""Pages for needs and micro-wishes: staff add and move them on a child; volunteers and caring units
browse open needs as privacy cards; organisation admins take needs for their team."""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from .. import access
from ..access import roles_required, staff_required
from ..children import services as children
from ..children.models import GENDERS
from ..children.validation import InvalidInput
from ..geo import services as geo
from ..matching import distance
from ..numbers import parse_int
from ..rendering import render, wants_fragment
from . import photos, services
from .present import need_card
from .services import VOCABULARIES, NotAllowed

bp = Blueprint("needs", __name__)
ALL_ROLES = ("volunteer", "org_member", "org_admin", "coordinator", "admin")
PER_PAGE = 10


def register(app):
    """Register the blueprint (called from create_app)."""
    app.register_blueprint(bp)


def _render(template, status=200, **context):
    return render_template(template, **context), status


def _row(fragment: str, status: int = 200, **context):
    """One row (a need, a wish, a board need) as htmx swaps it in: the block "row" of needs/status.html,
    whose whole page says why a status move without htmx was refused."""
    return render("needs/status.html", block="row", fragment=fragment, **context), status


# Labels of every code these templates show, as one template global (so the child page's includes
# need no extra context): needs_vocab.service_types["tutoring"], needs_vocab.need_flow["open"], ...
bp.record_once(lambda state: state.app.jinja_env.globals.update(
    needs_vocab={**VOCABULARIES, "genders": GENDERS}))


def child_url(ref: str) -> str:
    """The child's page (children.show), where the needs and wishes partials are shown."""
    try:
        return url_for("children.show", ref=ref)
    except BuildError:  # the children pages are not registered: fall back to the board
        return url_for("needs.board")


@bp.app_template_global("needs_panel")
def needs_panel(child) -> dict:
    """For the child page: the needs, wishes and vocabularies the _child_*.html partials use."""
    return services.panel_context(child)


def _form() -> dict:
    data = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if "skills" in request.form:
        data["skills"] = request.form.getlist("skills")
    elif request.method == "POST" and "need_form" in request.form:
        data["skills"] = []
    return data


# --- the board of open needs ------------------------------------------------------------------------

@bp.get("/needs")
@roles_required(*ALL_ROLES)
def board():
    """Open needs as privacy cards, nearest to the viewer's home first; htmx gets the next cards (the
    block "cards", appended)."""
    filters = services.clean_filters(request.args)
    page = parse_int(request.args.get("page"), 1, 9999) or 1
    home = distance.home_of(current_user)
    cards = services.open_need_cards(current_user, page, PER_PAGE, filters, near=home)
    context = dict(cards=cards, page=page, filters=filters, districts={d.code: d.name for d in geo.districts()},
                   by_distance=home is not None, may_set_home=current_user.role == "volunteer",
                   may_take=current_user.role == "org_admin" and bool(current_user.organisation_id))
    return render("needs/board.html", block="cards", **context)


@bp.post("/needs/<int:need_id>/take")
@roles_required("org_admin")
def take(need_id):
    """An organisation admin takes an open need for their team."""
    try:
        need = services.take_as_team(current_user, need_id)
    except NotAllowed:
        abort(403)
    except InvalidInput as exc:
        if wants_fragment():
            return _row("needs/_card_need.html", 422, n=None, error=exc.errors["status"], need_id=need_id)
        flash(str(exc.errors["status"]), "error")
        return redirect(url_for("needs.board"))
    if wants_fragment():
        return _row("needs/_card_need.html", n=need_card(need), may_take=False, taken=True)
    flash(_("Your team has taken this need. You find it on your organisation's page."), "success")
    return redirect(url_for("needs.board"))


# --- on a child (staff) -----------------------------------------------------------------------------

@bp.route("/children/<ref>/needs/new", methods=["GET", "POST"])
@staff_required
def new_need(ref):
    """Add a need to a child."""
    child = children.get_for_change(current_user, ref)
    values, errors = {"urgency": "normal", "rhythm": "once", "skills": []}, {}
    if request.method == "POST":
        values = _form()
        try:
            services.create_need(current_user, ref, values)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("The need is saved."), "success")
            return redirect(child_url(ref))
    return _render("needs/need_form.html", 422 if errors else 200, child=child, need=None, values=values,
                   errors=errors, action=url_for("needs.new_need", ref=ref))


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_need(need_id):
    """Change a need's fields."""
    need = services.need_for_change(current_user, need_id)
    errors = {}
    if request.method == "POST":
        values = _form()
        try:
            services.update_need(current_user, need_id, values)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("The need is saved."), "success")
            return redirect(child_url(need.child.ref))
    else:
        values = {f: getattr(need, f) or "" for f in ("dimension", "service_type", "urgency", "rhythm",
                                                      "window_start", "window_end", "details")}
        values["skills"] = need.skill_codes
    return _render("needs/need_form.html", 422 if errors else 200, child=need.child, need=need, values=values,
                   errors=errors, action=url_for("needs.edit_need", need_id=need_id))


@bp.route("/children/<ref>/wishes/new", methods=["GET", "POST"])
@staff_required
def new_wish(ref):
    """Add a micro-wish to a child, with an optional photo. A bad photo saves nothing: the photo is
    checked (and re-encoded) first, then the wish is created, then its photo stored."""
    child = children.get_for_change(current_user, ref)
    values, errors, photo_sent = {}, {}, False
    if request.method == "POST":
        values = _form()
        upload = request.files.get("photo")
        photo_sent = bool(upload and upload.filename)
        prepared = None
        if photo_sent:
            try:
                prepared = photos.prepare_photo(upload.filename, _read(upload))
            except InvalidInput as exc:
                errors = exc.errors
        if not errors:
            try:
                wish = services.create_wish(current_user, ref, values)
                if prepared is not None:
                    photos.save_wish_photo(current_user, wish.ref, upload.filename, prepared)
            except InvalidInput as exc:
                errors = exc.errors
            else:
                flash(_("The wish is saved as a draft."), "success")
                return redirect(child_url(ref))
    return _render("needs/wish_form.html", 422 if errors else 200, child=child, values=values, errors=errors,
                   accept=photos.ACCEPT_ATTR, photo_again=photo_sent and "photo" not in errors)


def _read(upload) -> bytes:
    """An uploaded file's bytes, read only just past the photo limit (the check says "too large")."""
    if upload is None:
        return b""
    return upload.stream.read(photos.MAX_BYTES + 1)


def _photo_answer(wish, error, done: str):
    """After a photo change: htmx gets the wish row back; a plain form goes back to the child's page."""
    if wants_fragment():
        return _row("needs/_wish_row.html", 422 if error else 200, wish=wish, photo_error=error)
    flash(str(error) if error else done, "error" if error else "success")
    return redirect(child_url(wish.child.ref))


@bp.post("/wishes/<ref>/photo")
@staff_required
def replace_wish_photo(ref):
    """Add or replace a wish's photo (staff whose scope covers the child)."""
    upload = request.files.get("photo")
    try:
        wish = photos.save_wish_photo(current_user, ref, upload.filename if upload else "", _read(upload))
        error = None
    except InvalidInput as exc:
        error = exc.errors.get("photo")
        wish = services.wish_for_change(current_user, ref)
    return _photo_answer(wish, error, _("The photo is saved."))


@bp.post("/wishes/<ref>/photo/delete")
@staff_required
def remove_wish_photo(ref):
    """Remove a wish's photo and delete its file."""
    wish = photos.remove_wish_photo(current_user, ref)
    return _photo_answer(wish, None, _("The photo is removed."))


@bp.get("/wishes/<ref>/photo")
@roles_required(*ALL_ROLES)
def wish_photo(ref):
    """A wish's photo, for staff whose scope covers the child only. Everyone else (and a wish without
    a photo) gets the same 404 as a wish that does not exist. Never cached, never sniffed."""
    path = photos.photo_file(current_user, ref)
    resp = send_file(path, mimetype="image/jpeg", conditional=False, etag=False, last_modified=None,
                     max_age=None)
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Disposition"] = "inline"
    return resp


# --- status moves -----------------------------------------------------------------------------------

@bp.post("/needs/<int:need_id>/status")
@roles_required("coordinator", "admin", "org_admin")
def move_need(need_id):
    """Move a need to another status; htmx gets the updated row back."""
    staff = access.view_of(current_user, "need") == "full"
    try:
        need = services.move_need(current_user, need_id, request.form.get("status", ""))
        error = None
    except InvalidInput as exc:
        error = exc.errors.get("status")
        need = services.need_for_change(current_user, need_id) if staff else services.team_need(current_user,
                                                                                                 need_id)
    if staff:
        fragment, context = "needs/_need_row.html", {"need": need}
    else:
        fragment, context = "needs/_team_need.html", {"item": services.team_card(need), "may_move": True}
    if error or wants_fragment():
        back = child_url(need.child.ref) if staff else url_for("orgs.detail", org_id=need.team_org_id)
        return _row(fragment, 422 if error else 200, error=error, back=back, **context)
    flash(_("The status is changed."), "success")
    if staff:
        return redirect(child_url(need.child.ref))
    return redirect(url_for("orgs.detail", org_id=current_user.organisation_id))


@bp.post("/wishes/<ref>/status")
@staff_required
def move_wish(ref):
    """Move a micro-wish to another status; htmx gets the updated row back."""
    try:
        wish = services.move_wish(current_user, ref, request.form.get("status", ""))
        error = None
    except InvalidInput as exc:
        error = exc.errors.get("status")
        wish = services.wish_for_change(current_user, ref)
    if error or wants_fragment():
        return _row("needs/_wish_row.html", 422 if error else 200, wish=wish, error=error,
                    back=child_url(wish.child.ref))
    flash(_("The status is changed."), "success")
    return redirect(child_url(wish.child.ref))
