"""Organisers' pages: create, edit, publish, close, cancel, mark done; the children taking part.
Sign-ups are listed on the activity's own page (pages.show)."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access
from ..access import roles_required
from ..children.services import ChildNotFound, search
from ..children.validation import InvalidInput
from ..geo import services as geo
from ..rendering import render, wants_fragment
from ..volunteers.skills import SKILLS
from . import forms, services, taking_part
from .errors import ActivityError, ActivityNotFound
from .models import ACTIVITY_STATUSES
from .views import bp

ORGANISERS = ("coordinator", "admin", "org_admin")
QINGDAO = (36.0671, 120.3826)
MOVES = {"published": services.publish, "closed": services.close, "done": services.mark_done,
         "cancelled": services.cancel}


def _organised_or_404(activity_id: int):
    try:
        return services.organised(current_user, activity_id)
    except ActivityNotFound:
        abort(404)


def _centre(activity) -> tuple[float, float]:
    """Where the venue map opens: the venue, else the organiser's district, else Qingdao's centre."""
    if activity is not None:
        return activity.lat, activity.lon
    code = (access.scope_prefix(current_user) or "")[:6] if current_user.is_staff else ""
    point = geo.point_for(code) if code else None
    return (point[0], point[1]) if point else QINGDAO


def _form_page(form, activity=None, status=200, error=None):
    return render("activities/form.html", form=form, activity=activity, skills=SKILLS, error=error,
                  map_centre=_centre(activity),
                  map_tiles=current_app.config.get("MAP_TILES", ""),
                  map_tiles_crs=current_app.config.get("MAP_TILES_CRS", "wgs84"),
                  map_attribution=current_app.config.get("MAP_ATTRIBUTION", "")), status


def _save(form, activity=None):
    """Validate and save; the saved activity, or the form page again with every message (nothing lost)."""
    user = current_user._get_current_object()
    error = None
    if form.validate_on_submit():
        try:
            data = forms.data_of(form)
            if activity is None:
                return services.create(user, data), None
            return services.edit(user, activity.id, data), None
        except InvalidInput as exc:
            forms.show_errors(form, exc.errors)
        except ActivityError as exc:
            error = exc.message
    else:
        try:  # the place's own messages, with the others at once
            forms.place(form)
        except InvalidInput as exc:
            forms.show_errors(form, exc.errors)
    return None, _form_page(form, activity, 422, error)


@bp.route("/activities/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def new():
    """A new activity (saved as a draft; publishing is a step of its own)."""
    form = forms.ActivityForm()
    forms.division_choices(form, current_user)
    if request.method == "GET":
        return _form_page(form)
    saved, page = _save(form)
    if saved is None:
        return page
    flash(_("The activity is saved as a draft. Check it, then publish it."), "success")
    return redirect(url_for("activities.show", activity_id=saved.id))


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit(activity_id):
    """Change a draft or published activity (those signed up hear of a new time or place)."""
    activity = _organised_or_404(activity_id)
    form = forms.ActivityForm()
    if request.method == "GET":
        forms.fill(form, activity)
    forms.division_choices(form, current_user)
    if activity.status not in services.EDITABLE:
        flash(str(services.NOT_EDITABLE), "error")
        return redirect(url_for("activities.show", activity_id=activity.id))
    if request.method == "GET":
        return _form_page(form, activity)
    saved, page = _save(form, activity)
    if saved is None:
        return page
    flash(_("The activity is saved."), "success")
    return redirect(url_for("activities.show", activity_id=saved.id))


def _moved_text(status: str) -> str:
    return {"published": _("Published: volunteers near the venue can now sign up."),
            "closed": _("Sign-up is closed."),
            "done": _("Marked as done. Thank you!"),
            "cancelled": _("The activity is cancelled; everyone signed up has been told.")}[status]


@bp.post("/activities/<int:activity_id>/state")
@roles_required(*ORGANISERS)
def move(activity_id):
    """Publish, close sign-up, mark done or cancel (to=...)."""
    activity = _organised_or_404(activity_id)
    to = request.form.get("to", "")
    if to not in MOVES:
        flash(str(services.BAD_MOVE), "error")
        return redirect(url_for("activities.show", activity_id=activity.id), 303)
    try:
        MOVES[to](current_user._get_current_object(), activity.id)
    except ActivityError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_moved_text(to), "success")
    return redirect(url_for("activities.show", activity_id=activity.id), 303)


@bp.route("/activities/<int:activity_id>/children", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def children(activity_id):
    """The registered children taking part: staff add children of their area by name search, or remove
    them; organisation admins see the count the activity's form gives."""
    activity = _organised_or_404(activity_id)
    user = current_user._get_current_object()
    error, status = None, 200
    if request.method == "POST":
        ref, action = request.form.get("ref", ""), request.form.get("action", "add")
        try:
            (taking_part.remove_child if action == "remove" else taking_part.add_child)(user, activity.id, ref)
        except ChildNotFound:
            error, status = _("No such child in your area."), 422
        except ActivityError as exc:
            error, status = exc.message, 422
        if error is None and not wants_fragment():
            return redirect(url_for("activities.children", activity_id=activity.id, q=request.form.get("q") or None))
    q = (request.args.get("q") or request.form.get("q") or "").strip()[:40]
    staff = user.is_staff
    chosen = taking_part.children_of(activity.id)
    found = search(user, q, per_page=10)[0] if staff and q else []
    return render("activities/children.html", block="children", activity=activity, chosen=chosen,
                  chosen_ids={c.id for c in chosen}, found=found, q=q, staff=staff, error=error,
                  statuses=ACTIVITY_STATUSES), status
