"""Attendance: the organiser's changing QR code, the volunteer's scan (or typed code), sign-in by hand."""
import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_time, gettext as _, to_user_timezone
from flask_login import current_user
from markupsafe import Markup

from .. import units
from ..access import roles_required
from ..children.validation import InvalidInput
from ..extensions import db, limiter
from ..numbers import parse_int
from ..rendering import render
from ..types import utcnow
from . import attendance
from .errors import ActivityError, ActivityNotFound
from .models import Activity, ActivitySignup
from .services import organised
from .views import bp

ORGANISERS = ("coordinator", "admin", "org_admin")  # services.organised decides which activities


def qr_svg(url: str, title: str) -> Markup:
    """url as an inline SVG QR code sized by CSS (no inline style, so the CSP allows it), with its quiet zone."""
    code = segno.make(url, error="m", micro=False)
    # segno draws the data as paths and escapes the title itself: the SVG holds no text of ours unescaped.
    svg = code.svg_inline(omitsize=True, dark="#000", light="#fff", border=4, title=title,
                          svgclass="attendance-qr-code", lineclass=None)
    return Markup(svg)  # nosec B704


def _organised_or_404(activity_id) -> Activity:
    try:
        return organised(current_user, activity_id)
    except ActivityNotFound:
        abort(404)


def activity_url(activity_id: int) -> str | None:
    """The activity's page (another part of the loop), when the app has it."""
    if "activities.show" not in current_app.view_functions:
        return None
    return url_for("activities.show", activity_id=activity_id)


def scan_url(activity_id: int, code: str) -> str:
    """The full URL a QR code carries: the scan page with the activity and the code."""
    return url_for("activities.scan", a=activity_id, c=code, _external=True,
                   _scheme="https" if current_app.config.get("HTTPS") else None)


def _qr_context(activity) -> dict:
    now = utcnow()
    state = attendance.qr_state(activity.id, now)
    code = state["code"]
    return {"activity": activity, "state": state, "digits": f"{code[:3]} {code[3:]}",
            "qr": qr_svg(scan_url(activity.id, code), _("Scan to sign in or out")),
            "counts": attendance.counts(activity.id), "opens_at": activity.starts_at - attendance.SIGN_IN_EARLY,
            "closes_at": activity.ends_at + attendance.SIGN_OUT_LATE, "now": now,
            "back_url": activity_url(activity.id),
            # Ask for the next code just after this one's window ends (htmx's delay counts from the swap).
            "delay_ms": int(state["seconds_left"] * 1000 + 300)}


@bp.get("/activities/<int:activity_id>/qr", endpoint="qr")
@roles_required(*ORGANISERS)
def qr(activity_id):
    """The organiser's screen at the venue: the QR code of this window, big, its 6 digits and a countdown."""
    return render("activities/qr.html", **_qr_context(_organised_or_404(activity_id)))


@bp.get("/activities/<int:activity_id>/qr/code", endpoint="qr_code")
@roles_required(*ORGANISERS)
def qr_code(activity_id):
    """The QR code fragment, which htmx fetches again as each window ends."""
    return render_template("activities/_qr_code.html", **_qr_context(_organised_or_404(activity_id)))


# --- the volunteer's scan -----------------------------------------------------------------------------

def _scan_key() -> str:
    return f"activity-scan:{getattr(current_user, 'id', '')}"


def _scan_page(status=200, error=None, activity_id=None, code=""):
    """The scan page: a QR code's confirm button (activity and code given), else the camera and the typed
    code for one of the volunteer's activities on now."""
    now = utcnow()
    choices = attendance.on_now(current_user, now)
    activity = db.session.get(Activity, activity_id) if activity_id else None
    if activity is not None and activity.status == "draft":
        activity = None
    signup = None
    if activity is not None:
        signup = db.session.scalar(db.select(ActivitySignup).where(
            ActivitySignup.activity_id == activity.id, ActivitySignup.volunteer_id == current_user.id))
    if activity is not None and code and not error:  # a QR code's link: say at once what a tap would refuse
        error = attendance.refusal(activity, signup)
    confirm = bool(activity is not None and code and not error)
    mine = {r.activity_id: r for r in db.session.scalars(db.select(ActivitySignup).where(
        ActivitySignup.volunteer_id == current_user.id, ActivitySignup.activity_id.in_([c.id for c in choices])))}
    return render("activities/scan.html", choices=choices, activity=activity, signup=signup, code=code,
                  nexts={c.id: attendance.next_scan(c, mine.get(c.id), now) for c in choices},
                  confirm=confirm, next=attendance.next_scan(activity, signup, now) if activity else None,
                  error=error, chosen=activity.id if activity else (choices[0].id if len(choices) == 1 else None),
                  window=attendance.window_seconds()), status


@bp.route("/activities/scan", methods=["GET", "POST"], endpoint="scan")
@roles_required("volunteer")
@limiter.limit(lambda: current_app.config.get("ACTIVITY_SCAN_RATE", "30/minute"), key_func=_scan_key,
               methods=["POST"], scope="activity-scan")
def scan():
    """GET: the scan page (a QR code's link carries ?a=<activity>&c=<code>: one big confirm button).
    POST: sign in or out with the code (and the phone's position when the browser gave it)."""
    source = request.form if request.method == "POST" else request.args
    activity_id = parse_int(source.get("a"), 1)
    code = (source.get("c") or "").strip()[:20]
    if request.method == "GET":
        return _scan_page(activity_id=activity_id, code=code)
    if activity_id is None:
        return _scan_page(422, _("Choose the activity."), code=code)
    try:
        done = attendance.scan(current_user, activity_id, code, request.form.get("lat"), request.form.get("lon"))
    except ActivityError as exc:
        db.session.rollback()
        return _scan_page(422, exc.message, activity_id=activity_id)
    title = done.activity.title
    flash({"in": _("Signed in to %(title)s. Thank you for coming!", title=title),
           "out": _("Signed out of %(title)s. Your hours wait for the organiser's approval.", title=title),
           "already_in": _("You are already signed in to %(title)s. Scan again when you leave to sign out.",
                           title=title),
           "already_out": _("You have already signed out of %(title)s.", title=title)}[done.action], "success")
    return redirect(activity_url(done.activity.id) or url_for("activities.scan", a=done.activity.id))


# --- by hand ------------------------------------------------------------------------------------------

@bp.post("/activities/<int:activity_id>/attendance/<int:signup_id>", endpoint="attend_by_hand")
@roles_required(*ORGANISERS)
def attend_by_hand(activity_id, signup_id):
    """The organiser signs a volunteer in or out by hand, with a reason."""
    from .hours_views import review_page

    action = request.form.get("action", "")
    try:
        attendance.by_hand(current_user, activity_id, signup_id, action, request.form.get("reason"))
    except ActivityNotFound:
        abort(404)
    except InvalidInput as exc:
        db.session.rollback()
        return review_page(activity_id, 422, errors={signup_id: next(iter(exc.errors.values()))})
    except ActivityError as exc:
        db.session.rollback()
        return review_page(activity_id, 422, errors={signup_id: exc.message})
    flash(_("Signed in by hand.") if action == "in" else _("Signed out by hand."), "success")
    return redirect(url_for("activities.hours_review", activity_id=activity_id) + f"#signup-{signup_id}")


@bp.app_template_global("attendance_box")
def attendance_box(activity, signup, organiser) -> dict:
    """What the activity page's attendance part shows: the organiser's counts; for a confirmed volunteer
    the scan that is open now ("in", "out" or None)."""
    box = {"counts": attendance.counts(activity.id) if organiser else None, "next": None}
    if signup is not None and signup.status == "confirmed":
        box["next"] = attendance.next_scan(activity, signup)
    return box


@bp.app_template_global("attendance_span")
def attendance_span(start, end) -> str:
    """An activity's time: "12月7日 09:00–12:00" on one day (Qingdao time), else both days in full."""
    if to_user_timezone(start).date() == to_user_timezone(end).date():
        return f"{units.day_time(start)}–{format_time(end, 'HH:mm')}"
    return f"{units.day_time(start)} – {units.day_time(end)}"
