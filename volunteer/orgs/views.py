"""Pages for organisations: the list, registering one (staff), its members and invitations, and the
invitee's page to accept or decline."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import ORG_ROLES, STAFF, roles_required, staff_required
from ..children.validation import InvalidInput
from ..errors import render_error
from ..geo import services as geo
from ..needs import services as needs
from ..rendering import render, wants_fragment
from ..extensions import db
from . import invitations, services
from .invitations import InvitationNotFound
from .models import KINDS
from .services import NotAllowed, OrgNotFound

bp = Blueprint("orgs", __name__)


@bp.errorhandler(OrgNotFound)
def _org_not_found(_exc):
    # Another organisation answers exactly like a missing one, from any view of this blueprint.
    return render_error(404)


@bp.errorhandler(NotAllowed)
def _not_allowed(_exc):
    return render_error(403)
INVITEES = ("volunteer", *ORG_ROLES)


def register(app):
    """Register the blueprint (called from create_app)."""
    app.register_blueprint(bp)


@bp.app_context_processor
def _invitation_count():
    # A function: only pages that show the link (home, inbox) pay the query.
    def count() -> int:
        if not current_user.is_authenticated or current_user.role not in INVITEES:
            return 0
        return invitations.pending_count(current_user)
    return {"invitation_count": count}


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
    org = services.get_org(current_user, org_id)
    members = services.members(current_user, org_id)
    from ..accounts.models import ROLES

    may_manage = services.may_manage(current_user, org)
    return render_template(
        "orgs/detail.html", org=services.org_record(current_user, org), members=members, kinds=KINDS,
        district_names=_district_names(), may_manage=may_manage,
        invitations=invitations.sent(current_user, org_id) if may_manage else [],
        team_needs=needs.team_needs(current_user, org.id), may_move=current_user.role == "org_admin",
        roles=ROLES, values=values or {"role": "org_member"}, errors=errors or {}), status


@bp.get("/orgs/<int:org_id>")
@roles_required(*STAFF, *ORG_ROLES)
def detail(org_id):
    """An organisation, its members and the needs its team has taken."""
    return _detail(org_id)


@bp.post("/orgs/<int:org_id>/invitations")
@roles_required(*STAFF, "org_admin")
def invite(org_id):
    """Invite a phone number's owner as member or admin: the same answer whether or not it has an account."""
    values = {"phone": request.form.get("phone", ""), "role": request.form.get("role", "")}
    try:
        invitations.invite(current_user, org_id, values["phone"], values["role"])
    except InvalidInput as exc:
        return _detail(org_id, 422, values, exc.errors)
    flash(_("Invitation sent, if this number belongs to a Huhang volunteer. They join once they accept "
            "on their phone."), "success")
    return redirect(url_for("orgs.detail", org_id=org_id, _anchor="invitations"))


@bp.post("/orgs/<int:org_id>/invitations/<int:invitation_id>/withdraw")
@roles_required(*STAFF, "org_admin")
def withdraw(org_id, invitation_id):
    """Withdraw a waiting invitation."""
    invitations.withdraw(current_user, org_id, invitation_id)
    flash(_("The invitation is withdrawn."), "success")
    return redirect(url_for("orgs.detail", org_id=org_id, _anchor="invitations"))


@bp.post("/orgs/<int:org_id>/members/<int:user_id>/role")
@roles_required(*STAFF, "org_admin")
def set_role(org_id, user_id):
    """Make a member an admin, or an admin a member."""
    try:
        services.set_role(current_user, org_id, user_id, request.form.get("role", ""))
    except InvalidInput as exc:
        return _detail(org_id, 422, None, exc.errors)
    flash(_("The role is changed."), "success")
    return redirect(url_for("orgs.detail", org_id=org_id))


@bp.get("/invitations")
@roles_required(*INVITEES)
def my_invitations():
    """Invitations to join an organisation, to accept or decline."""
    return render_template("orgs/invitations.html", items=invitations.mine(current_user))


@bp.post("/invitations/<int:invitation_id>/answer")
@roles_required(*INVITEES)
def answer(invitation_id):
    """Accept or decline an invitation (htmx swaps the invitation's card)."""
    decision, errors = request.form.get("decision", ""), {}
    try:
        if decision in ("accept", "decline"):
            invitations.answer(current_user, invitation_id, decision == "accept")
        else:
            errors = {"invitation": _("Choose to accept or decline the invitation.")}
    except InvitationNotFound:
        abort(404)
    except InvalidInput as exc:
        db.session.rollback()
        errors = exc.errors
    try:
        item = invitations.card_for(current_user, invitation_id)
    except InvitationNotFound:
        abort(404)
    status = 422 if errors else 200
    if wants_fragment():
        return render("orgs/invitations.html", block="invitation", items=[item], item=item, errors=errors), status
    if not errors:
        flash(_("Welcome to %(org)s!", org=item["org"]) if item["status"] == "accepted"
              else _("Declined. The organisation only learns that you did not accept."), "success")
        return redirect(url_for("orgs.my_invitations"))
    return render_template("orgs/invitations.html", items=[item], errors=errors), status


@bp.post("/orgs/<int:org_id>/members/<int:user_id>/remove")
@roles_required(*STAFF, "org_admin")
def remove_member(org_id, user_id):
    """Take a person out of the organisation."""
    try:
        services.remove_member(current_user, org_id, user_id)
    except InvalidInput as exc:
        return _detail(org_id, 422, None, exc.errors)
    flash(_("The person is no longer in the organisation."), "success")
    if user_id == current_user.id:
        return redirect(url_for("home.index"))
    return redirect(url_for("orgs.detail", org_id=org_id))
