"""Hours: the organiser approves or corrects them; a volunteer's /my/hours by year, type and activity."""
from datetime import date

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import format_date, gettext as _, ngettext
from flask_login import current_user

from ..access import roles_required
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.models import SERVICE_TYPES
from ..rendering import render
from ..types import utcnow
from . import attendance, hours
from .attendance_views import ORGANISERS, activity_url
from .errors import ActivityError, ActivityNotFound
from .models import HOURS_STATUSES
from .views import bp

SERVERS = ("volunteer", "org_member", "org_admin")  # whoever serves: activities and visits


def review_page(activity_id, status=200, errors=None):
    """The organiser's attendance and hours page; errors: {signup_id: message} beside that volunteer."""
    try:
        activity, rows = hours.roster(current_user, activity_id)
    except ActivityNotFound:
        abort(404)
    now = utcnow()
    attended = [(s, name) for s, name in rows if s.signed_in_at is not None]
    return render("activities/hours_review.html", activity=activity, attended=attended,
                  absent=[(s, name) for s, name in rows if s.signed_in_at is None],
                  pending=sum(1 for s, _n in attended if s.hours_status == "pending"),
                  counts=attendance.counts(activity.id), errors=errors or {}, statuses=HOURS_STATUSES,
                  may_sign_in=now >= activity.starts_at - attendance.SIGN_IN_EARLY,
                  back_url=activity_url(activity.id)), status


@bp.get("/activities/<int:activity_id>/hours", endpoint="hours_review")
@roles_required(*ORGANISERS)
def hours_review(activity_id):
    """Who signed in and out, their minutes to approve or correct; by-hand sign-in for the others."""
    return review_page(activity_id)


@bp.post("/activities/<int:activity_id>/hours/<int:signup_id>", endpoint="approve_hours")
@roles_required(*ORGANISERS)
def approve_hours(activity_id, signup_id):
    """Approve one volunteer's minutes as counted, or set other minutes with a reason."""
    try:
        hours.approve(current_user, activity_id, signup_id, request.form.get("minutes"), request.form.get("reason"))
    except ActivityNotFound:
        abort(404)
    except InvalidInput as exc:
        db.session.rollback()
        return review_page(activity_id, 422, errors={signup_id: next(iter(exc.errors.values()))})
    except ActivityError as exc:
        db.session.rollback()
        return review_page(activity_id, 422, errors={signup_id: exc.message})
    flash(_("Hours approved."), "success")
    return redirect(url_for("activities.hours_review", activity_id=activity_id) + f"#signup-{signup_id}")


@bp.post("/activities/<int:activity_id>/hours/approve-all", endpoint="approve_all_hours")
@roles_required(*ORGANISERS)
def approve_all_hours(activity_id):
    """Approve every pending volunteer's minutes as counted."""
    try:
        n = hours.approve_all(current_user, activity_id)
    except ActivityNotFound:
        abort(404)
    except ActivityError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("activities.hours_review", activity_id=activity_id))
    flash(ngettext("Hours of %(num)d volunteer approved.", "Hours of %(num)d volunteers approved.", n), "success")
    return redirect(url_for("activities.hours_review", activity_id=activity_id))


# --- the volunteer's hours ----------------------------------------------------------------------------

def _endpoint(name: str) -> bool:
    """Whether the app has the endpoint (the activity page and certificates are other parts' pages)."""
    return name in current_app.view_functions


def _shown(item: dict) -> dict:
    """A summary item for the page: its title, type label and date in the reader's language."""
    label = SERVICE_TYPES.get(item["service_type"], item["service_type"])
    title = item["title"] or _("Visit: %(type)s", type=label)
    link = activity_url(item["id"]) if item["kind"] == "activity" else None
    return {**item, "title": title, "type_label": label, "link": link,
            "day": format_date(date.fromisoformat(item["date"]), "medium")}


@bp.get("/my/hours", endpoint="my_hours")
@roles_required(*SERVERS)
def my_hours():
    """My service hours: this year's big, then by year and by type, then each activity and visit (hours
    waiting for the organiser's approval marked, not counted)."""
    s = hours.summary(current_user.id)
    entries = sorted([_shown(i) for i in s["items"] + s["pending"]], key=lambda i: (i["date"], i["id"]),
                     reverse=True)
    by_type = [{**t, "label": SERVICE_TYPES.get(t["service_type"], t["service_type"])} for t in s["by_type"]]
    return render("activities/my_hours.html", s=s, entries=entries, by_type=by_type, statuses=HOURS_STATUSES,
                  certificates_url=url_for("activities.certificates") if _endpoint("activities.certificates")
                  else "/my/certificates")
