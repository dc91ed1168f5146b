"""Pages for organisations: the list, registering one (staff), and its members."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import ORG_ROLES, STAFF, roles_required, staff_required
from ..children.validation import InvalidInput
from ..geo import services as geo
from ..needs import services as needs
from . import services
from .models import KINDS
from .services import NotAllowed, OrgNotFound

bp = Blueprint("orgs", __name__)


def register(app):
    """Register the blueprint (called from create_app)."""
    app.register_blueprint(bp)


def _district_names() -> dict:
    return {d.code: d.name for d in geo.districts()}


@bp.get("/orgs")
@roles_required(*STAFF, *ORG_ROLES)
def index():
    """Staff: every organisation; organisation users: their own."""
    return render_template("orgs/index.html", orgs=services.list_orgs(current_user), kinds=KINDS,
                           district_names=_district_names())


@bp.route("/orgs/new", methods=["GET", "POST"])
@staff_required
def new():
    """Register an organisation."""
    values, errors = {"kind": "agency"}, {}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            org = services.create_org(current_user, values)
        except NotAllowed:
            abort(403)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("The organisation is registered."), "success")
            return redirect(url_for("orgs.detail", org_id=org.id))
    return render_template("orgs/new.html", values=values, errors=errors, kinds=KINDS,
                           districts=_district_names()), 422 if errors else 200


def _detail(org_id, status=200, values=None, errors=None):
    try:
        org = services.get_org(current_user, org_id)
        members = services.members(current_user, org_id)
    except OrgNotFound:
        abort(404)
    from ..accounts.models import ROLES

    return render_template(
        "orgs/detail.html", org=services.org_record(current_user, org), members=members, kinds=KINDS,
        district_names=_district_names(), may_manage=services.may_manage(current_user, org),
        team_needs=needs.team_needs(current_user, org.id), may_move=current_user.role == "org_admin",
        roles=ROLES, values=values or {"role": "org_member"}, errors=errors or {}), status


@bp.get("/orgs/<int:org_id>")
@roles_required(*STAFF, *ORG_ROLES)
def detail(org_id):
    """An organisation, its members and the needs its team has taken."""
    return _detail(org_id)


@bp.post("/orgs/<int:org_id>/members")
@roles_required(*STAFF, "org_admin")
def add_member(org_id):
    """Add a person (by phone number) as member or admin, or change their role."""
    values = {"phone": request.form.get("phone", ""), "role": request.form.get("role", "")}
    try:
        user = services.add_member(current_user, org_id, values["phone"], values["role"])
    except OrgNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except InvalidInput as exc:
        return _detail(org_id, 422, values, exc.errors)
    flash(_("%(name)s is now in the organisation.", name=user.name), "success")
    return redirect(url_for("orgs.detail", org_id=org_id))


@bp.post("/orgs/<int:org_id>/members/<int:user_id>/remove")
@roles_required(*STAFF, "org_admin")
def remove_member(org_id, user_id):
    """Take a person out of the organisation."""
    try:
        services.remove_member(current_user, org_id, user_id)
    except OrgNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except InvalidInput as exc:
        return _detail(org_id, 422, None, exc.errors)
    flash(_("The person is no longer in the organisation."), "success")
    if user_id == current_user.id:
        return redirect(url_for("home.index"))
    return redirect(url_for("orgs.detail", org_id=org_id))
