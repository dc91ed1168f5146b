"""Activities: find them (near a volunteer's home; staff: those they organise), sign up and cancel, and my
service hours. Same services and rules as the pages (activities.services, nearby, hours)."""
import math
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import request
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..activities import hours, queries, services
from ..activities.models import Activity, ActivitySignup
from ..activities.nearby import nearby
from ..children.validation import InvalidInput
from ..extensions import db
from ..matching.spatial import MAX_K, MAX_KM
from ..needs.models import SERVICE_TYPES
from ..types import utcnow
from . import errors, openapi
from .common import PAGING, ok, page_of, paging, route, user

LOCAL = ZoneInfo("Asia/Shanghai")
ORGANISERS = ("admin", "coordinator", "org_admin")
ACTIVITY = (("activity_id", "path", "integer", "The activity's id"),)
FILTERS = (("radius_km", "query", "number", "Volunteers: how far from home, up to 50 km (default 30, as "
                                            "on the activities page)"),
           ("from", "query", "string", "Starting on or after this day, YYYY-MM-DD (Qingdao)"),
           ("to", "query", "string", "Starting on or before this day, YYYY-MM-DD (Qingdao)"),
           ("type", "query", "string", "Service types, comma-separated (e.g. group_service,camp)"),
           ("status", "query", "string", "Staff: draft, published, closed, done or cancelled"))


# --- input --------------------------------------------------------------------------------------------

def _day(name: str, wrong: dict) -> date | None:
    """?name= as a day (YYYY-MM-DD, years 2000-2100), None when not given; a message in wrong when bad."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
        if 2000 <= day.year <= 2100:
            return day
    except ValueError:
        pass
    wrong[name] = _("Enter the date like 2026-06-01.")
    return None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL)


def _filters(organiser: bool) -> dict:
    """The query's filters, checked: {starts_from, starts_before, types, radius_km, status}; else a 422."""
    wrong: dict = {}
    first, last = _day("from", wrong), _day("to", wrong)
    if first and last and last < first:
        wrong["to"] = _("The end comes before the start.")
    raw = [t.strip() for t in request.args.get("type", "").split(",") if t.strip()]
    if any(t not in SERVICE_TYPES for t in raw):
        wrong["type"] = _("Choose service types from: %(types)s.", types=", ".join(SERVICE_TYPES))
    status = request.args.get("status", "").strip() or None
    if status is not None and status not in ("draft", "published", "closed", "done", "cancelled"):
        wrong["status"] = _("Choose a status: draft, published, closed, done or cancelled.")
    radius = None
    if not organiser and request.args.get("radius_km", "").strip():
        try:
            radius = float(request.args["radius_km"])
        except ValueError:
            radius = math.nan
        if not (math.isfinite(radius) and 0 < radius <= MAX_KM):
            wrong["radius_km"] = _("Enter a distance above 0 and at most %(km)s km.", km=int(MAX_KM))
    if wrong:
        raise InvalidInput(wrong)
    return {"starts_from": _midnight(first) if first else None,
            "starts_before": _midnight(last + timedelta(days=1)) if last else None,
            "types": raw or None, "radius_km": radius, "status": status}


# --- who sees what --------------------------------------------------------------------------------------

def _mine(activity_ids) -> dict:
    """{activity id: the caller's sign-up}."""
    rows = db.session.scalars(select(ActivitySignup).where(ActivitySignup.volunteer_id == user().id,
                                                           ActivitySignup.activity_id.in_(list(activity_ids))))
    return {s.activity_id: s for s in rows}


def _visible(activity_id: int) -> Activity:
    """The activity if the caller may open it (the page's rule, queries.visible), else LookupError: a 404,
    the same for missing."""
    try:
        return queries.visible(user(), activity_id)
    except services.ActivityNotFound:
        raise LookupError(activity_id) from None


# --- records ------------------------------------------------------------------------------------------

def signup_record(s: ActivitySignup | None) -> dict | None:
    if s is None:
        return None
    return {"activity_id": s.activity_id, "status": s.status, "position": s.position,
            "signed_in_at": s.signed_in_at, "signed_out_at": s.signed_out_at, "minutes": s.minutes,
            "hours_status": s.hours_status, "approved_minutes": s.approved_minutes}


def _waiting(activity_ids) -> dict:
    rows = db.session.execute(select(ActivitySignup.activity_id, func.count()).where(
        ActivitySignup.activity_id.in_(list(activity_ids)), ActivitySignup.status == "waitlisted")
        .group_by(ActivitySignup.activity_id))
    return dict(rows.all())


def records(activities: list, distances: dict | None = None) -> list[dict]:
    """The activities as the API sends them, with the caller's own sign-up and the waitlist's length."""
    ids = [a.id for a in activities]
    mine, waiting = (_mine(ids), _waiting(ids)) if ids else ({}, {})
    return [{"id": a.id, "title": a.title, "service_type": a.service_type,
             "service_label": str(SERVICE_TYPES.get(a.service_type, a.service_type)), "status": a.status,
             "starts_at": a.starts_at, "ends_at": a.ends_at, "signup_deadline": a.signup_deadline,
             "venue": a.venue, "lat": a.lat, "lon": a.lon, "district_code": a.district_code,
             "town_code": a.town_code, "places": a.places, "places_left": queries.places_left(a),
             "waitlisted": waiting.get(a.id, 0), "skills": a.skill_codes, "min_age": a.min_age,
             "children_expected": a.children_expected, "org_id": a.org_id,
             "distance_km": None if distances is None else round(distances[a.id], 1),
             "my_signup": signup_record(mine.get(a.id))} for a in activities]


# --- routes -------------------------------------------------------------------------------------------

@route("/activities", "GET", endpoint="activities", tag="activities", response="Page[Activity]",
       errors=(400, 401), params=PAGING + FILTERS,
       summary="Volunteers and organisation members: published activities near your home that have not "
               "started, nearest first (at most 200; without a home point: those ahead, soonest first, as on "
               "the page). Coordinators, admins and organisation admins: the activities you organise (in your "
               "scope, or your organisation's), latest start first")
def list_activities():
    page, per_page = paging()
    u = user()
    organiser = u.role in ORGANISERS
    f = _filters(organiser)
    if organiser:
        conds = [queries.organised_clause(u), *_when_and_type(f),
                 *([Activity.status == f["status"]] if f["status"] else [])]
        return _page(conds, (Activity.starts_at.desc(), Activity.id.desc()), page, per_page)
    if not queries.has_home(u):  # as on the page: the published ones ahead, soonest first
        conds = [Activity.status == "published", Activity.starts_at > utcnow(), *_when_and_type(f)]
        return _page(conds, (Activity.starts_at, Activity.id), page, per_page)
    starts_from = max(f["starts_from"], utcnow()) if f["starts_from"] else None
    found = nearby(u, f["radius_km"] or queries.RADIUS_KM, MAX_K, service_types=f["types"],
                   starts_from=starts_from, starts_before=f["starts_before"])
    chunk = found[(page - 1) * per_page: page * per_page]
    by_id = {a.id: a for a in db.session.scalars(select(Activity).where(Activity.id.in_([i for i, _ in chunk])))}
    return page_of(records([by_id[i] for i, _ in chunk if i in by_id], dict(chunk)), page, per_page, len(found))


def _when_and_type(f: dict) -> list:
    conds = []
    if f["starts_from"]:
        conds.append(Activity.starts_at >= f["starts_from"])
    if f["starts_before"]:
        conds.append(Activity.starts_at < f["starts_before"])
    if f["types"]:
        conds.append(Activity.service_type.in_(f["types"]))
    return conds


def _page(conds: list, order: tuple, page: int, per_page: int):
    total = db.session.scalar(select(func.count(Activity.id)).where(*conds))
    rows = db.session.scalars(select(Activity).where(*conds).order_by(*order)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return page_of(records(rows), page, per_page, total)


@route("/activities/<int:activity_id>", "GET", endpoint="activity", tag="activities", response="Activity",
       params=ACTIVITY, summary="One activity: published, closed or done ones for everyone; drafts for their "
                                "organisers; a cancelled one for its organisers and those who signed up")
def get_activity(activity_id):
    return ok(records([_visible(activity_id)])[0])


def _refused(exc: services.ActivityError):
    return errors.error(403 if exc.message is services.NOT_VOLUNTEER else 409, str(exc.message))


@route("/activities/<int:activity_id>/signup", "POST", endpoint="activity_signup", tag="activities",
       response="ActivitySignup", errors=(401, 403, 404, 409), params=ACTIVITY,
       summary="Sign up (volunteers): a confirmed place while any is left, else the next waitlist position; "
               "signing up again gives the same sign-up. 409 with the reason when refused (closed, past the "
               "deadline, a required skill or the minimum age); 403 for other roles")
def sign_up(activity_id):
    _visible(activity_id)
    try:
        return ok(signup_record(services.sign_up(user(), activity_id, via="api")))
    except services.ActivityError as exc:
        return _refused(exc)


@route("/activities/<int:activity_id>/signup/cancel", "POST", endpoint="activity_signup_cancel",
       tag="activities", response="ActivitySignup", errors=(401, 403, 404, 409), params=ACTIVITY,
       summary="Withdraw my sign-up before the deadline; a freed place goes to the first on the waitlist. 409 "
               "with the reason when refused (not signed up, past the deadline)")
def cancel_signup(activity_id):
    _visible(activity_id)
    try:
        return ok(signup_record(services.cancel_signup(user(), activity_id, via="api")))
    except services.ActivityError as exc:
        return _refused(exc)


@route("/me/hours", "GET", endpoint="my_hours", tag="activities", response="Hours", errors=(401,),
       summary="My approved service hours (activities and visits): this year, in all, by year, by service "
               "type and item by item; activities waiting for approval apart (not counted)")
def my_hours():
    out = hours.summary(user().id)
    label = {k: str(v) for k, v in SERVICE_TYPES.items()}
    for row in (*out["by_type"], *out["items"], *out["pending"]):
        row["service_label"] = label.get(row["service_type"], row["service_type"])
    return ok(out)


# --- the OpenAPI schemas of these answers -----------------------------------------------------------------

def _p(kind: str, nullable: bool = False, **more) -> dict:
    return {"type": kind, **({"nullable": True} if nullable else {}), **more}


_WHEN = {"format": "date-time"}
_TYPES = {"enum": list(SERVICE_TYPES)}
_ITEM = {"kind": _p("string", enum=["activity", "visit"]), "id": _p("integer"), "title": _p("string", True),
         "service_type": _p("string", **_TYPES), "service_label": _p("string"), "date": _p("string", format="date")}
SIGNUP_SCHEMA = {"type": "object", "properties": {
    "activity_id": _p("integer"), "status": _p("string", enum=["confirmed", "waitlisted", "cancelled"]),
    "position": _p("integer", True, description="Waitlist position (1, 2, ...); null with a place"),
    "signed_in_at": _p("string", True, **_WHEN), "signed_out_at": _p("string", True, **_WHEN),
    "minutes": _p("integer", True, description="Counted at sign-out"),
    "hours_status": _p("string", True, enum=["pending", "approved", None]),
    "approved_minutes": _p("integer", True)}}
openapi.SCHEMAS.update({
    "ActivitySignup": SIGNUP_SCHEMA,
    "Activity": {"type": "object", "properties": {
        "id": _p("integer"), "title": _p("string"), "service_type": _p("string", **_TYPES),
        "service_label": _p("string"), "status": _p("string", enum=["draft", "published", "closed", "done",
                                                                      "cancelled"]),
        "starts_at": _p("string", **_WHEN), "ends_at": _p("string", **_WHEN),
        "signup_deadline": _p("string", **_WHEN), "venue": _p("string"), "lat": _p("number"), "lon": _p("number"),
        "district_code": _p("string"), "town_code": _p("string", True), "places": _p("integer"),
        "places_left": _p("integer"), "waitlisted": _p("integer", description="Volunteers on the waitlist"),
        "skills": {"type": "array", "items": {"type": "string"}}, "min_age": _p("integer", True),
        "children_expected": _p("integer"), "org_id": _p("integer", True),
        "distance_km": _p("number", True, description="From your home (volunteers' list), to 0.1 km"),
        "my_signup": {"allOf": [{"$ref": "#/components/schemas/ActivitySignup"}], "nullable": True}}},
    "Hours": {"type": "object", "description": "Approved minutes only; see activities/hours.py::summary",
              "properties": {
                  "year": _p("integer"), "year_minutes": _p("integer"), "total_minutes": _p("integer"),
                  "by_year": {"type": "array", "items": {"type": "object", "properties": {
                      "year": _p("integer"), "minutes": _p("integer")}}},
                  "by_type": {"type": "array", "items": {"type": "object", "properties": {
                      "service_type": _p("string", **_TYPES), "service_label": _p("string"),
                      "minutes": _p("integer")}}},
                  "items": {"type": "array", "items": {"type": "object", "properties": {
                      **_ITEM, "minutes": _p("integer"), "status": _p("string", enum=["approved"])}}},
                  "pending": {"type": "array", "items": {"type": "object", "properties": {
                      **_ITEM, "minutes": _p("integer", True),
                      "status": _p("string", enum=["pending", "signed_in"])}}}}},
})
