"""Profile pages for volunteers; credential checks for coordinators."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required, staff_required
from ..geo import services as geo
from ..rendering import render, wants_fragment
from . import services
from .forms import ProfileForm
from .skills import CREDENTIAL_SKILLS, PERIODS, SKILLS, WEEKDAYS

bp = Blueprint("volunteers", __name__)


def _division_choices(form, district_code):
    blank = [("", _("— choose —"))]
    form.district.choices = blank + [(d.code, d.name) for d in geo.districts()]
    form.town.choices = blank + ([(t.code, t.name) for t in geo.towns(district_code)] if district_code else [])


def _fill(form, profile):
    form.skills.data = [s.skill for s in profile.skills]
    creds = {s.skill: s.credential for s in profile.skills}
    form.credential_counselling.data = creds.get("counselling")
    form.credential_rehabilitation.data = creds.get("rehabilitation")
    form.slots.data = [f"{s.weekday}-{s.period}" for s in profile.slots]
    form.location_source.data = profile.location_source or "division"
    # One source of the home point at a time: the form shows only the fields of the one in use.
    point = profile.location_source in ("gps", "pin") and profile.lat is not None and profile.lon is not None
    form.lat.data = f"{profile.lat:.6f}" if point else ""
    form.lon.data = f"{profile.lon:.6f}" if point else ""
    form.district.data = "" if point else profile.district_code or ""
    form.town.data = "" if point else profile.town_code or ""
    form.radius_km.data = profile.radius_km
    form.max_visits_per_month.data = profile.max_visits_per_month
    form.birth_date.data = profile.birth_date


@bp.route("/me/profile", methods=["GET", "POST"])
@roles_required("volunteer")
def profile():
    """A volunteer edits skills, free times, home location, radius and capacity."""
    prof = current_user.profile
    form = ProfileForm()
    if request.method == "GET" and prof is not None:
        _fill(form, prof)
    _division_choices(form, form.district.data)
    status = 200
    if form.validate_on_submit():
        try:
            services.save_profile(
                current_user.id, skills=form.skills.data or [], slots=form.slots.data or [],
                credentials={"counselling": form.credential_counselling.data,
                             "rehabilitation": form.credential_rehabilitation.data},
                source=form.location_source.data, lat=form.lat.data, lon=form.lon.data,
                district=form.district.data, town=form.town.data, radius_km=form.radius_km.data,
                max_visits_per_month=form.max_visits_per_month.data,
                identity={"number": form.id_number.data, "remove": form.id_number_remove.data,
                          "birth_date": form.birth_date.data})
        except services.ProfileError as exc:
            getattr(form, exc.field).errors.append(exc.message)
            status = 422
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("home.index"))
    elif form.errors:
        status = 422
    typed_number = bool(form.id_number.data)
    form.id_number.data = ""  # never sent back to the page: the stored one shows masked
    return render_template(
        "volunteers/profile.html", form=form, profile=prof, skills=SKILLS, weekdays=WEEKDAYS,
        periods=PERIODS, credential_skills=CREDENTIAL_SKILLS, welcome=request.args.get("welcome"),
        typed_number=typed_number,
        map_tiles=current_app.config.get("MAP_TILES", ""), map_tiles_crs=current_app.config.get("MAP_TILES_CRS", "wgs84"),
    ), status


@bp.get("/divisions/towns")
@roles_required("volunteer", "coordinator", "admin", "org_member", "org_admin")
def towns():
    """Options of the town select for a district (htmx swaps them in)."""
    form = ProfileForm(formdata=None)
    code = request.args.get("district", "")
    if code and (geo.get(code) is None or geo.get(code).level != "district"):
        code = ""
    _division_choices(form, code)
    return render_template("volunteers/_town_options.html", form=form)


@bp.get("/coordinate/credentials")
@staff_required
def credentials():
    """Credentials waiting for a coordinator's check, inside the coordinator's scope."""
    return render_template("volunteers/credentials.html", rows=services.pending_credentials(current_user),
                           total=services.pending_credentials_count(current_user), skills=SKILLS)


@bp.post("/coordinate/credentials/<int:skill_id>")
@staff_required
def decide(skill_id):
    """Verify or reject one credential."""
    decision = request.form.get("decision")
    if decision not in ("verify", "reject"):
        abort(400)
    row = services.decide_credential(current_user, skill_id, decision == "verify")
    if row is None:
        abort(404)
    if wants_fragment():
        return render("volunteers/credentials.html", block="credential", rows=[row], row=row, skills=SKILLS)
    return redirect(url_for("volunteers.credentials"))


@bp.app_template_filter("skill_label")
def skill_label(code):
    """Translate a skill code for display."""
    return SKILLS.get(code, code)


@bp.app_template_filter("volunteer_name")
def volunteer_name(user_id):
    """Show a volunteer's name to staff pages."""
    from ..accounts.models import User
    from ..extensions import db

    user = db.session.get(User, user_id)
    return user.name if user else ""
