"""Coordinators' visit pages: plan a visit (from find helpers or an accepted offer), the visits list,
a visit's detail with override check-in, cancel, report review and private photos.

Staff only (others 403, anonymous to login); a need or visit outside the coordinator's scope answers
404, like a missing one. Bad input: the form again with a clear message and status 422.
"""
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from ..access import staff_required
from ..accounts.models import User
from ..children.validation import InvalidInput
from ..extensions import db
from ..numbers import parse_int
from ..matching import helpers as helper_service, offers
from ..needs.models import Need
from ..needs.rules import NeedNotFound
from ..needs.views import child_url
from . import answers, checkin, lists, navigation, present, reports, services
from .models import VISIT_STATUSES, Visit
from .views import bp

PER_PAGE = 20


def _int_list(values) -> list[int]:
    return [n for n in (parse_int(v, 1) for v in values) if n is not None][:10]


def _candidates(need_id):
    """The ranked helpers for the need (find helpers' list), for the volunteers' checkboxes."""
    try:
        return helper_service.rank_helpers(current_user, need_id)
    except NeedNotFound:
        abort(404)


@bp.route("/needs/<int:need_id>/visits/new", methods=["GET", "POST"])
@staff_required
def new(need_id):
    """Plan a visit for a need: date and time window, one or more volunteers or an organisation team."""
    ranking = _candidates(need_id)
    need = db.session.get(Need, need_id)
    form = request.form if request.method == "POST" else request.args
    chosen = _int_list(form.getlist("volunteer"))
    org_id = form.get("org") or None
    errors = {}
    if request.method == "POST":
        try:
            starts_at, ends_at = present.parse_local(form.get("day"), form.get("start"), form.get("end"))
            visit = services.assign_visit(current_user, need_id, starts_at, ends_at, chosen, org_id=org_id)
        except InvalidInput as exc:
            db.session.rollback()
            errors = exc.errors
        except NeedNotFound:
            abort(404)
        else:
            flash(present.planned_message(visit), "success")
            return redirect(url_for("visits.show", visit_id=visit.id))
    volunteers = [c for c in ranking if c.kind == "volunteer"]
    orgs = [c for c in ranking if c.kind == "organisation"]
    known = {c.id for c in volunteers}
    extra = db.session.scalars(select(User).where(User.id.in_([i for i in chosen if i not in known]),
                                                  User.role == "volunteer")).all()
    volunteered = offers.volunteered(need_id, [c.id for c in volunteers] + [u.id for u in extra])
    return render_template("visits/assign.html", need=need, volunteers=volunteers, orgs=orgs, extra=extra,
                           chosen=set(chosen), org_id=str(org_id or ""), form=form, errors=errors,
                           volunteered=volunteered,
                           two_adults=services.needs_two_adults(need),
                           child_link=child_url(need.child.ref)), 422 if errors else 200


@bp.get("/visits")
@staff_required
def index():
    """Visits of children in the coordinator's scope: by status (open, flagged, done, closed), overdue, or
    with a report to review."""
    which = request.args.get("show", "open")
    which = which if which in lists.SHOWS else "open"
    page = parse_int(request.args.get("page"), 1, 100_000) or 1
    rows, total = lists.staff_visits(current_user, which, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    rows = [present.card(v, current_user) for v in rows]
    to_review = [] if which == "review" else [present.card(v, current_user) for v in lists.to_review(current_user)]
    return render_template("visits/index.html", rows=rows, which=which, filters=lists.LIST_FILTERS, total=total,
                           page=page, pages=max(1, -(-total // PER_PAGE)),
                           to_review=to_review, statuses=VISIT_STATUSES, offers=_offers_to_plan(),
                           offers_total=lists.to_plan_count(current_user))


def _offers_to_plan() -> list[dict]:
    """Near-me offers a coordinator accepted whose need has no live visit yet: plan one."""
    from ..children.cards import pseudonym
    from ..needs.models import SERVICE_TYPES

    return [{"need_id": need.id, "volunteer_id": user.id, "volunteer": user.name,
             "service": SERVICE_TYPES.get(need.service_type, need.service_type), "child": pseudonym(need.child.ref)}
            for offer, need, user in lists.to_plan(current_user)]


@bp.get("/visits/no-contact")
@staff_required
def no_contact():
    """Children in the coordinator's scope nobody has visited for their category's number of days (one
    category with ?category=), longest first, paged."""
    from ..children.cards import town_name
    from ..children.models import CATEGORIES
    from ..types import utcnow
    from .contact import silent_children, silent_counts

    now = utcnow()
    category = request.args.get("category", "")
    category = category if category in CATEGORIES else ""
    counts = silent_counts(now, staff=current_user)
    total = counts.get(category, 0) if category else sum(counts.values())
    page = parse_int(request.args.get("page"), 1, 100_000) or 1
    rows = [{"name": r.child.name, "ref": r.child.ref, "town": town_name(r.child.town_code),
             "days": r.days_since(now), "limit": r.days, "link": child_url(r.child.ref)}
            for r in silent_children(now, staff=current_user, category=category or None, limit=PER_PAGE,
                                     offset=(page - 1) * PER_PAGE)]
    return render_template("visits/no_contact.html", rows=rows, category=category, categories=CATEGORIES,
                           counts=counts, total=total, page=page, pages=max(1, -(-total // PER_PAGE)))


def _staff_visit(visit_id) -> Visit:
    try:
        return services.visit_for(current_user, visit_id)
    except NeedNotFound:
        abort(404)


def _staff_page(visit, errors=None, status=200):
    report = visit.report
    return render_template("visits/staff_show.html", v=present.card(visit, current_user), visit=visit,
                           report=report, errors=errors or {}, child_link=child_url(visit.child.ref),
                           nav=navigation.staff_links(visit.child)), status


def _staff_act(visit_id, action, done_message):
    """Run a coordinator's action on a visit: its page again with the message (422) on bad input, else
    the done message and back to the visit."""
    visit = _staff_visit(visit_id)
    try:
        action()
    except InvalidInput as exc:
        db.session.rollback()
        return _staff_page(visit, exc.errors, 422)
    flash(done_message, "success")
    return redirect(url_for("visits.show", visit_id=visit_id))


@bp.post("/visits/<int:visit_id>/cancel")
@staff_required
def cancel(visit_id):
    """Call a planned visit off (offers withdrawn, access revoked, the need open again)."""
    return _staff_act(visit_id, lambda: answers.cancel(current_user, visit_id),
                      _("Visit cancelled; the need is open again."))


@bp.post("/visits/<int:visit_id>/override")
@staff_required
def override(visit_id):
    """Check the helpers in without GPS, with a reason."""
    return _staff_act(visit_id, lambda: checkin.override_check_in(current_user, visit_id, request.form.get("reason")),
                      _("Helpers checked in by override."))


@bp.post("/visits/<int:visit_id>/review")
@staff_required
def review(visit_id):
    """Mark the visit's report reviewed, with an optional note."""
    return _staff_act(visit_id, lambda: reports.review(current_user, visit_id, request.form.get("note")),
                      _("Report reviewed."))


@bp.get("/visits/photos/<int:photo_id>")
@staff_required
def photo(photo_id):
    """A visit photo: coordinators in scope only; never cached by shared caches."""
    try:
        path = reports.photo_file(current_user, photo_id)
    except NeedNotFound:
        abort(404)
    resp = send_file(path, mimetype="image/jpeg", max_age=0)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.app_template_global("visits_panel")
def visits_panel(child):
    """The child's visit timeline (reports included), for the child's page (staff)."""
    if not current_user.is_authenticated or not current_user.is_staff:
        return ""
    visits = reports.timeline(child)
    return Markup(render_template("visits/_timeline.html", visits=visits, statuses=VISIT_STATUSES,  # nosec B704 # an autoescaped template's output
                                  cards={v.id: present.card(v, current_user) for v in visits}))


def staff_show(visit_id):
    """The staff view of a visit (called by the shared visit URL)."""
    return _staff_page(_staff_visit(visit_id))

