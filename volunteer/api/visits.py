"""Visits: plan (staff), answer, check in and out, report (helpers). Same services and rules as the pages."""
from flask import abort, request

from ..needs.rules import is_staff
from ..visits import answers, checkin, lists, present, reports, services
from . import errors, idempotent
from .common import PAGING, body, ok, page_of, paging, route, user

VISIT = (("visit_id", "path", "integer", "The visit's id"),)


def _record(visit) -> dict:
    """The visit as the caller may see it; a helper also gets the home's contact while the visit's grant
    runs (each time audited), else contact is null."""
    row = present.record(visit, user())
    if not is_staff(user()):  # helpers only: staff read the child's full record instead
        row["contact"] = services.contact(user(), visit, via="api")
    return row


def _visit(visit_id):
    return services.visit_for(user(), visit_id)  # VisitNotFound -> 404, the same for missing and not yours


@route("/my/visits", "GET", endpoint="my_visits", tag="visits", response="Page[Visit]", errors=(400, 401),
       params=PAGING, summary="My visits (volunteers, organisation members): offers to answer, visits "
                              "ahead and done, by start time")
def my_visits():
    page, per_page = paging()
    rows = lists.helper_visits(user())
    chunk = rows[(page - 1) * per_page: page * per_page]
    return page_of([present.record(v, user()) for v in chunk], page, per_page, len(rows))


@route("/visits", "GET", endpoint="visits", tag="visits", response="Page[Visit]", errors=(400, 401, 403),
       params=PAGING + (("show", "query", "string", "open (default), flagged, done or closed"),),
       summary="Visits of children in your scope (staff), latest start first")
def list_visits():
    if not user().is_staff:
        abort(403)
    page, per_page = paging()
    show = request.args.get("show", "open")
    if show not in lists.LIST_FILTERS:
        abort(400)
    rows, total = lists.staff_visits(user(), show, limit=per_page, offset=(page - 1) * per_page)
    return page_of([present.record(v, user()) for v in rows], page, per_page, total)


@route("/visits", "POST", endpoint="visits_create", tag="visits", body="VisitInput", response="Visit",
       status=201, errors=(401, 403, 404),
       summary="Plan a visit for a need in your scope (staff): volunteers or an organisation's team; "
               "the offer goes out as on the page. Times: ISO 8601, Qingdao time without an offset")
def create_visit():
    data = body()
    starts_at = present.parse_moment(data.get("starts_at"), "starts_at")
    ends_at = present.parse_moment(data.get("ends_at"), "ends_at")
    ids = data.get("volunteer_ids") or []
    visit = services.assign_visit(user(), data.get("need_id"), starts_at, ends_at,
                                  ids if isinstance(ids, list) else [ids], org_id=data.get("org_id"),
                                  via="api")
    return ok(present.record(visit, user()), 201)


@route("/visits/<int:visit_id>", "GET", endpoint="visit", tag="visits", response="Visit", params=VISIT,
       summary="One visit you take part in (or, staff, in your scope); helpers get the home's contact "
               "during the visit's window (audited)")
def get_visit(visit_id):
    return ok(_record(_visit(visit_id)))


@route("/visits/<int:visit_id>/respond", "POST", endpoint="visit_respond", tag="visits", body="VisitAnswer",
       response="Visit", errors=(401, 403, 404), params=VISIT,
       summary="Accept or decline an offered visit (the volunteer; a team visit: the organisation's admin)")
def respond(visit_id):
    accept = body().get("accept")
    if not isinstance(accept, bool):
        abort(400)
    return ok(_record(answers.respond(user(), visit_id, accept, via="api")))


@route("/visits/<int:visit_id>/checkin", "POST", endpoint="visit_checkin", tag="visits", body="CheckIn",
       response="Visit", errors=(400, 401, 403, 404, 409), params=VISIT + idempotent.PARAM,
       summary="Check in with the phone's position (WGS-84) while the visit's check_in is open (from "
               "check_in_opens_at, an hour before it starts); refused with a message when early, too "
               "imprecise or too far from the home (saying only: more than the check-in radius). Tries refused "
               "as too far are limited per visit (429 with Retry-After, or without it once all are used). The "
               "position is compared on the server and not kept")
@idempotent.once("checkin")
def check_in(visit_id):
    data = body()
    try:
        visit = checkin.check_in(user(), visit_id, data.get("lat"), data.get("lon"), data.get("accuracy"),
                                 via="api")
    except checkin.TooManyTries as exc:
        resp = errors.error(429, str(exc.errors["location"]))
        if exc.wait_seconds:
            resp.headers["Retry-After"] = str(exc.wait_seconds)
        return resp
    return ok(_record(visit))


@route("/visits/<int:visit_id>/checkout", "POST", endpoint="visit_checkout", tag="visits", response="Visit",
       errors=(400, 401, 403, 404, 409, 422), params=VISIT + idempotent.PARAM,
       summary="Check out; the service time is counted")
@idempotent.once("checkout")
def check_out(visit_id):
    return ok(_record(checkin.check_out(user(), visit_id, via="api")))


@route("/visits/<int:visit_id>/report", "POST", endpoint="visit_report", tag="visits", body="VisitReportInput",
       response="Visit", status=201, errors=(400, 401, 403, 404, 409), params=VISIT + idempotent.PARAM,
       summary="File the visit's report (a helper who checked in): body, mind, social, intellect, the next "
               "follow-up date and up to three new needs. Photos: on the web page only")
@idempotent.once("report")
def file_report(visit_id):
    data = body()
    new_needs = data.get("new_needs") or []
    if not isinstance(new_needs, list) or not all(isinstance(n, dict) for n in new_needs):
        abort(400)
    fields = {k: data.get(k) for k in (*reports.OBSERVATIONS, "follow_up_on")}
    report = reports.file_report(user(), visit_id, fields, new_needs=new_needs, via="api")
    return ok(_record(report.visit), 201)


@route("/visits/<int:visit_id>/cancel", "POST", endpoint="visit_cancel", tag="visits", response="Visit",
       errors=(401, 403, 404, 422), params=VISIT, summary="Cancel a planned visit (staff); the need goes back "
                                                          "to the pool and the helpers are told")
def cancel(visit_id):
    return ok(_record(answers.cancel(user(), visit_id, via="api")))
