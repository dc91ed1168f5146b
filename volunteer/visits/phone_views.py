"""Helpers' visit pages, made for the phone: my visits, answer an offer, check in and out, the report,
and the choice of message channels.

A visit page shows the need and the child's privacy card; during an accepted visit's window the helper
also sees the address and the guardian's phone (an access grant, audited). The child's exact point never
leaves the server: check-in sends the phone's position and gets a yes or a clear no, and the map hand-off
(navigation.links) points at the approximate area, or during the grant at the address shown.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import roles_required
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.models import DIMENSIONS, SERVICE_TYPES
from ..needs.rules import NeedNotFound, NotAllowed
from ..notifications import channels
from ..rendering import render, wants_fragment
from . import answers, checkin, lists, navigation, present, reports, services
from .models import Visit
from .views import bp

HELPERS = ("volunteer", "org_member", "org_admin")


@bp.get("/my/visits")
@roles_required(*HELPERS)
def mine():
    """My visits: offers to answer, visits ahead, visits done (with service hours)."""
    parts = lists.helper_sections(current_user)
    sections = [(key, [present.card(v, current_user) for v in visits]) for key, visits in parts._asdict().items()]
    return render_template("visits/mine.html", sections=sections,
                           service_minutes=checkin.service_minutes(current_user.id))


def _visit(visit_id) -> Visit:
    try:
        return services.visit_for(current_user, visit_id)
    except NeedNotFound:
        abort(404)


def _contact(visit):
    """The address and guardian's phone while the helper's grant for this visit is running, else None."""
    return services.contact(current_user, visit)


def _page(visit, errors=None, status=200, done=None):
    """The visit page, or for htmx only its body (the block visit_body)."""
    contact = _contact(visit)
    return render("visits/show.html", block="visit_body", v=present.card(visit, current_user), contact=contact,
                  nav=navigation.links(visit.child, contact), errors=errors or {},
                  can_answer=answers.can_answer(current_user, visit), done=done), status


@bp.get("/visits/<int:visit_id>")
@login_required
def show(visit_id):
    """A visit: staff get the coordinator's view; helpers theirs (answer, check in/out, report)."""
    if current_user.is_staff:
        from .staff_views import staff_show

        return staff_show(visit_id)
    if current_user.role not in HELPERS:
        abort(403)
    return _page(_visit(visit_id))


def _act(visit_id, action, done_message=None):
    """Run action on the visit and show the page again; done_message (for answers) confirms what has
    no state of its own on the page: check-in and check-out confirm themselves (visits/show.html)."""
    visit = _visit(visit_id)
    try:
        action(visit)
    except InvalidInput as exc:
        db.session.rollback()
        return _page(db.session.get(Visit, visit_id), exc.errors, 422)
    except NotAllowed as exc:
        db.session.rollback()
        return _page(db.session.get(Visit, visit_id), {"status": str(exc)}, 403)
    if wants_fragment():
        return _page(db.session.get(Visit, visit_id), done=done_message and done_message(visit))
    if done_message:
        flash(done_message(visit), "success")
    return redirect(url_for("visits.show", visit_id=visit_id))


@bp.post("/visits/<int:visit_id>/respond")
@roles_required(*HELPERS)
def respond(visit_id):
    """Accept or decline an offered visit."""
    decision = request.form.get("decision", "")

    def action(visit):
        if decision not in ("accept", "decline"):
            raise InvalidInput({"status": _("Choose to accept or decline the visit.")})
        answers.respond(current_user, visit_id, decision == "accept")

    return _act(visit_id, action, lambda v: _("Thank you! The visit is yours.") if decision == "accept"
                else _("Declined; the coordinator will find someone else."))


@bp.post("/visits/<int:visit_id>/checkin")
@roles_required(*HELPERS)
def check_in(visit_id):
    """Check in with the phone's position (sent by static/js/visits.js)."""
    f = request.form
    return _act(visit_id, lambda v: checkin.check_in(current_user, visit_id, f.get("lat"), f.get("lon"),
                                                     f.get("accuracy") or None))


@bp.post("/visits/<int:visit_id>/checkout")
@roles_required(*HELPERS)
def check_out(visit_id):
    """Check out; the service time is counted."""
    return _act(visit_id, lambda v: checkin.check_out(current_user, visit_id))


@bp.route("/visits/<int:visit_id>/report", methods=["GET", "POST"])
@roles_required(*HELPERS)
def report(visit_id):
    """The visit report: observations, new needs, photos (coordinators only), the next follow-up."""
    visit = _visit(visit_id)
    errors = {}
    if request.method == "POST":
        f = request.form
        photos = [(p.filename, p.read()) for p in request.files.getlist("photos") if p and p.filename]
        new_needs = [{"service_type": f.get(f"need_service_{i}", ""), "dimension": f.get(f"need_dimension_{i}", "")}
                     for i in range(reports.MAX_NEW_NEEDS)]
        try:
            reports.file_report(current_user, visit_id, f, photos=photos, new_needs=new_needs)
        except InvalidInput as exc:
            db.session.rollback()
            errors = exc.errors
        except NotAllowed as exc:
            db.session.rollback()
            errors = {"status": str(exc)}
        else:  # the visit page says the report was filed
            return redirect(url_for("visits.show", visit_id=visit_id))
    return render_template("visits/report.html", v=present.card(visit, current_user), form=request.form,
                           errors=errors, services=SERVICE_TYPES, dimensions=DIMENSIONS,
                           rows=range(reports.MAX_NEW_NEEDS)), 422 if errors else 200


@bp.route("/my/channels", methods=["GET", "POST"])
@login_required
def channel_choice():
    """Which channels messages come on: the inbox always, SMS and email if chosen."""
    if request.method == "POST":
        channels.choose(current_user, request.form.get("sms") == "1", request.form.get("email") == "1")
        flash(_("Saved."), "success")
        return redirect(url_for("visits.channel_choice"))
    c = channels.choices(current_user.id)
    return render_template("visits/channels.html", sms=bool(c and c.sms), email=bool(c and c.email),
                           has_email=bool(current_user.email))
