"""Volunteers' pages: activities near me (list and map), one activity, sign up and cancel.

One URL serves a page or, for htmx, its block: /activities the block "results" (after a filter change),
an activity's sign-up and cancel the block "signup" of activities/show.html (swapped in place).
"""
from datetime import date

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..accounts.models import User
from ..extensions import db
from ..needs.models import SERVICE_TYPES
from ..orgs.models import Organisation
from ..rendering import render, wants_fragment
from ..types import utcnow
from ..volunteers.skills import SKILLS
from . import eligibility, queries, services, taking_part
from .errors import ActivityError, ActivityNotFound
from .forms import TYPES
from .models import ACTIVITY_FLOW, ACTIVITY_STATUSES, SIGNUP_STATUSES
from .present import directions, when_text
from .views import bp

ALL_ROLES = ("volunteer", "org_member", "org_admin", "coordinator", "admin")
ORGANISERS = ("coordinator", "admin", "org_admin")
STATUS_BADGES = {"draft": "badge-muted", "published": "badge-info", "closed": "badge-warn", "done": "badge-ok",
                 "cancelled": "badge-muted"}

bp.add_app_template_filter(when_text, "activity_when")


def _map_config() -> dict:
    cfg = current_app.config
    return {"map_tiles": cfg.get("MAP_TILES", ""), "map_tiles_crs": cfg.get("MAP_TILES_CRS", "wgs84"),
            "map_attribution": cfg.get("MAP_ATTRIBUTION", "")}


def _vocab() -> dict:
    return {"types": SERVICE_TYPES, "statuses": ACTIVITY_STATUSES, "badges": STATUS_BADGES, "skills": SKILLS,
            "signup_statuses": SIGNUP_STATUSES}


def _day(name: str, errors: dict) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        errors[name] = _("Enter a date, e.g. 2026-12-08.")
        return None


def _filters() -> queries.Filters:
    """The list's filters from the query string; a bad value is dropped with a message."""
    errors = {}
    f = queries.Filters(date_from=_day("from", errors), date_to=_day("to", errors), errors=errors)
    kind = (request.args.get("type") or "").strip()
    if kind and kind not in SERVICE_TYPES:
        errors["type"] = _("Choose a type from the list.")
    f.service_type = kind if kind in SERVICE_TYPES else ""
    if f.date_from and f.date_to and f.date_to < f.date_from:
        errors["to"] = _("The last day must not be before the first.")
        f.date_to = None
    return f


def _filter_words(f: queries.Filters) -> str:
    when = _("any date")
    if f.date_from and f.date_to:
        when = _("%(first)s to %(last)s", first=f.date_from.strftime("%m-%d"), last=f.date_to.strftime("%m-%d"))
    elif f.date_from:
        when = _("from %(day)s", day=f.date_from.strftime("%m-%d"))
    elif f.date_to:
        when = _("until %(day)s", day=f.date_to.strftime("%m-%d"))
    kind = str(SERVICE_TYPES[f.service_type]) if f.service_type else _("all types")
    return f"{when} · {kind}"


@bp.get("/activities")
@roles_required(*ALL_ROLES)
def index():
    """Volunteers: activities near home (cards and a map, nearest first, filtered by dates and type).
    Organisers: the activities they organise, by state. Others: the published ones, soonest first."""
    user = current_user._get_current_object()
    if user.role in ORGANISERS:
        lists = queries.organised_by_status(user)
        ids = [a.id for rows in lists.values() for a in rows]
        return render("activities/organiser_index.html", lists=lists, waiting=queries.waitlist_counts(ids),
                      V=_vocab())
    f = _filters()
    volunteer = user.role == "volunteer"
    has_home = volunteer and queries.has_home(user)
    cards = queries.near_cards(user, f) if has_home else []
    others = [] if has_home else queries.upcoming()
    context = dict(f=f, cards=cards, others=others, has_home=has_home, volunteer=volunteer,
                   home=queries.point_of(user) if has_home else None,
                   filter_words=_filter_words(f), types=TYPES, V=_vocab(), fragment=wants_fragment(),
                   radius_km=queries.RADIUS_KM, places_left=queries.places_left, **_map_config())
    if not wants_fragment():
        context["mine"] = queries.my_signups(user) if volunteer else []
    return render("activities/index.html", block="results", **context), 422 if f.errors else 200


def _activity_or_404(activity_id: int):
    try:
        return queries.visible(current_user, activity_id)
    except ActivityNotFound:
        abort(404)


def _signup_context(activity, error=None, done=None) -> dict:
    """What the sign-up block shows to the current user."""
    user = current_user._get_current_object()
    signup = queries.mine(user, activity.id)
    active = signup is not None and signup.status != "cancelled"
    problem = None
    if user.role == "volunteer" and not active and queries.is_live_for_signup(activity):
        problem = eligibility.problem(user.id, activity)
    return dict(activity=activity, signup=signup, active=active, problem=problem, error=error, done=done,
                open=queries.is_live_for_signup(activity), cancellable=queries.cancellable(activity),
                left=queries.places_left(activity), volunteer=user.role == "volunteer",
                needs_profile=isinstance(problem or error, (eligibility.BirthDateNeeded, eligibility.MissingSkills)))


@bp.get("/activities/<int:activity_id>")
@roles_required(*ALL_ROLES)
def show(activity_id):
    """The activity: details and the sign-up block; for its organiser also the state actions, the sign-ups
    and the children taking part."""
    activity = _activity_or_404(activity_id)
    user = current_user._get_current_object()
    organiser = queries.may_organise(user, activity)
    km = queries.km_from_home(user, activity)
    context = _signup_context(activity)
    org = db.session.get(Organisation, activity.org_id) if activity.org_id else None
    if organiser:
        context.update(lists=queries.signup_lists(activity), children=taking_part.children_of(activity.id),
                       moves=ACTIVITY_FLOW[activity.status], editable=activity.status in services.EDITABLE,
                       staff_view=user.is_staff, started=activity.starts_at <= utcnow())
    return render("activities/show.html", organiser=organiser, km=km, org=org, nav=directions(activity),
                  organiser_name=_organiser_name(activity, org), V=_vocab(), **context)


def _organiser_name(activity, org) -> str:
    if org is not None:
        return org.name
    user = db.session.get(User, activity.created_by_id) if activity.created_by_id else None
    return _("%(name)s (coordinator)", name=user.name) if user is not None else ""


def done_text(row) -> str:
    """What a sign-up action did, in words."""
    if row.status == "confirmed":
        return _("You are signed up. See you there!")
    if row.status == "waitlisted":
        return _("The places are taken: you are number %(num)s on the waitlist. We will tell you if a place "
                 "frees up.", num=row.position)
    return _("Your sign-up is cancelled.")


def _answer(activity_id: int, action):
    """Run a sign-up action; htmx gets the sign-up block (422 with the reason when refused), a browser a
    redirect to the activity with a flash."""
    activity = _activity_or_404(activity_id)
    error, done = None, None
    try:
        done = done_text(action(current_user._get_current_object(), activity.id))
    except ActivityError as exc:
        error = exc
    db.session.expire_all()
    activity = _activity_or_404(activity_id)
    if wants_fragment():
        context = _signup_context(activity, error=error, done=done)
        return render("activities/show.html", block="signup", V=_vocab(), organiser=False,
                      **context), 422 if error else 200
    flash(str(error.message) if error else done, "error" if error else "success")
    return redirect(url_for("activities.show", activity_id=activity.id))


@bp.post("/activities/<int:activity_id>/signup")
@roles_required("volunteer")
def sign_up(activity_id):
    """One tap: a place while any is left, else the waitlist."""
    return _answer(activity_id, services.sign_up)


@bp.post("/activities/<int:activity_id>/signup/cancel")
@roles_required("volunteer")
def cancel_signup(activity_id):
    """Withdraw before the deadline (a freed place goes to the first on the waitlist)."""
    return _answer(activity_id, services.cancel_signup)
