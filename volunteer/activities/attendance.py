"""Attendance at an activity: a QR code that changes every window (30 s), scanning in and out, by hand.

    code_for(activity_id, now) -> "034512"; qr_state(activity_id, now) -> {code, seconds_left, changes_at}
    scan_path(activity_id, code) -> "/activities/scan?a=12&c=034512"   # what the QR encodes (with the host)
    scan(user, activity_id, code, lat=None, lon=None, now=None) -> Scan(action, activity, signup)
    by_hand(organiser, activity_id, signup_id, "in" | "out", reason, now=None) -> ActivitySignup
    on_now(user, now) -> [Activity]; next_scan(activity, signup, now) -> "in" | "out" | None; counts(id)

A code works like a TOTP: six digits from an HMAC-SHA256 (its key derived from SECRET_KEY) of the activity
id and the window number (Unix time // ACTIVITY_QR_WINDOW_SECONDS, 30 by default). It is good for every
volunteer during its window and for GRACE_SECONDS (10) into the next one, so a tap made as the screen
changes still counts; never later, never for another activity. The first scan signs in; a later scan
signs out only with a code of a later window than the sign-in's, so a double tap (the same code) never
signs out. Sign-in is open from 30 minutes before the start to the end, sign-out until 2 hours after the
end. A position from the phone, when given, must lie within the venue's radius (the venue is public, so
the refusal may say roughly how far). Each state change is one conditional UPDATE (signed_in_at IS NULL
-> now), the first statement of its transaction (SQLite takes the write lock there; PostgreSQL re-checks
the condition after the row lock), so taps at the same instant sign in once.
"""
import hashlib
import hmac
import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select, update

from .. import units
from ..audit import services as audit
from ..children.validation import InvalidInput
from ..extensions import db
from ..matching.spatial import haversine_km
from ..types import utcnow
from .hours import clean_reason, minutes_served
from .models import Activity, ActivitySignup
from .errors import ActivityError, ActivityNotFound
from .services import organised

WINDOW_SECONDS = 30
GRACE_SECONDS = 10
EXPIRED_LOOKBACK = 40  # earlier windows whose code is called expired rather than wrong (20 minutes)
SIGN_IN_EARLY = timedelta(minutes=30)
SIGN_OUT_LATE = timedelta(hours=2)
LIVE = ("published", "closed", "done")  # activities that take scans (in their time)
OPTS = {"synchronize_session": False}

NO_ACTIVITY = _l("No such activity.")
NOT_SIGNED_UP = _l("You are not signed up for this activity.")
CANCELLED = _l("This activity was cancelled.")
WAITLISTED = _l("You are on the waitlist for this activity, without a place: only volunteers with a place "
                "sign in.")
BAD_FORMAT = _l("Type the 6 digits shown under the QR code.")
WRONG = _l("This code is wrong: check the 6 digits on the organiser's screen and try again.")
OVER = _l("This activity is over: ask the organiser to sign you in by hand.")
TOO_LATE = _l("It is too late to sign out (until 2 hours after the end): ask the organiser to record your "
              "hours.")
HAND_WAITLISTED = _l("This volunteer is on the waitlist, without a place.")
HAND_CANCELLED = _l("This volunteer cancelled their sign-up.")
NOT_IN = _l("This volunteer is not signed in yet.")
BAD_ACTION = _l("Choose sign in or sign out.")


@dataclass
class Scan:
    """What a scan did: "in", "out", or nothing new ("already_in", "already_out")."""

    action: str
    activity: Activity
    signup: ActivitySignup


# --- codes --------------------------------------------------------------------------------------------

def window_seconds() -> int:
    """The length of a code's window (ACTIVITY_QR_WINDOW_SECONDS, 30 by default)."""
    return int(current_app.config.get("ACTIVITY_QR_WINDOW_SECONDS", WINDOW_SECONDS))


def window_of(moment: datetime) -> int:
    """The number of the window holding moment."""
    return int(moment.timestamp()) // window_seconds()


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"huhang activity attendance code", hashlib.sha256).digest()


def _code(activity_id: int, window: int) -> str:
    """Six digits by the dynamic truncation of RFC 4226 over HMAC-SHA256(activity id, window)."""
    mac = hmac.new(_key(), f"{activity_id}:{window}".encode(), hashlib.sha256).digest()
    offset = mac[-1] & 0x0F
    return f"{(int.from_bytes(mac[offset:offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def code_for(activity_id: int, now: datetime | None = None) -> str:
    """The activity's code at now."""
    return _code(activity_id, window_of(now or utcnow()))


def qr_state(activity_id: int, now: datetime | None = None) -> dict:
    """The code at now, the whole seconds it has left and the moment the next one takes over."""
    now = now or utcnow()
    w, length = window_of(now), window_seconds()
    changes_at = datetime.fromtimestamp((w + 1) * length, timezone.utc)
    return {"code": _code(activity_id, w), "seconds_left": max(1, math.ceil((changes_at - now).total_seconds())),
            "changes_at": changes_at, "window_seconds": length}


def scan_path(activity_id: int, code: str) -> str:
    """The app's path the QR code points to (the scan page, carrying the activity and the code)."""
    return "/activities/scan?" + urlencode({"a": activity_id, "c": code})


def _digits(code) -> str | None:
    """A typed code as six ASCII digits (spaces dropped, full-width digits read), else None."""
    text = "".join(unicodedata.normalize("NFKC", str(code or "")).split())
    return text if len(text) == 6 and text.isascii() and text.isdigit() else None


def _check_code(user, activity_id: int, code, now, via) -> int:
    """The window whose code this is (this one, or the last one within the grace); else refused."""
    typed = _digits(code)
    if typed is None:
        raise ActivityError(BAD_FORMAT)
    w = window_of(now)
    if hmac.compare_digest(typed, _code(activity_id, w)):
        return w
    grace = min(GRACE_SECONDS, window_seconds() - 1)
    if now.timestamp() - w * window_seconds() < grace and hmac.compare_digest(typed, _code(activity_id, w - 1)):
        return w - 1
    expired = any(hmac.compare_digest(typed, _code(activity_id, w - k)) for k in range(1, EXPIRED_LOOKBACK + 1))
    audit.log(user, "deny", "activity", activity_id, reason="qr expired" if expired else "qr wrong", via=via)
    if expired:
        raise ActivityError(_l("This code has expired: scan the QR code on the organiser's screen again (it "
                               "changes every %(n)s seconds).", n=window_seconds()))
    raise ActivityError(WRONG)


# --- scanning -----------------------------------------------------------------------------------------

def _number(value) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _check_place(user, activity, lat, lon, via) -> None:
    """Refuse a position farther from the venue than its radius (no position: nothing to check)."""
    lat, lon = _number(lat), _number(lon)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return
    metres = float(haversine_km(activity.lat, activity.lon, [lat], [lon])[0]) * 1000
    if metres > activity.venue_radius_m:
        audit.log(user, "deny", "activity", activity.id, reason="qr far", via=via)
        rough = max(50, round(metres / 50) * 50)
        raise ActivityError(_l("You are about %(distance)s from the venue. Scan again when you are there.",
                               distance=units.distance(rough)))


def _mine(activity_id: int, user_id: int) -> ActivitySignup | None:
    return db.session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                          ActivitySignup.volunteer_id == user_id))


def scan(user, activity_id, code, lat=None, lon=None, now: datetime | None = None, via: str = "web") -> Scan:
    """Sign user in (first scan) or out (a later window's code) of the activity, or say they already are."""
    now = now or utcnow()
    activity = db.session.get(Activity, activity_id) if isinstance(activity_id, int) else None
    if activity is None or activity.status == "draft":
        raise ActivityNotFound(NO_ACTIVITY)
    row = _mine(activity.id, user.id)
    message = refusal(activity, row)
    if message is not None:
        raise ActivityError(message)
    window = _check_code(user, activity.id, code, now, via)
    if row.signed_out_at is not None:
        return Scan("already_out", activity, row)
    if row.signed_in_at is not None:
        if window <= window_of(row.signed_in_at):
            return Scan("already_in", activity, row)
        if now > activity.ends_at + SIGN_OUT_LATE:
            raise ActivityError(TOO_LATE)
        _check_place(user, activity, lat, lon, via)
        return _sign_out(user, activity, row, now, "sign-out qr", via)
    _check_open(activity, now)
    if now > activity.ends_at:
        raise ActivityError(OVER)
    _check_place(user, activity, lat, lon, via)
    return _sign_in(user, activity, row, now, "sign-in qr", via)


def refusal(activity, signup):
    """Why this sign-up cannot scan into the activity at all (a lazy message), or None."""
    if activity.status == "cancelled":
        return CANCELLED
    if signup is None or signup.status == "cancelled":
        return NOT_SIGNED_UP
    return WAITLISTED if signup.status == "waitlisted" else None


def _check_open(activity, now) -> None:
    if now < activity.starts_at - SIGN_IN_EARLY:
        raise ActivityError(_l("Sign-in opens at %(when)s, 30 minutes before the start.",
                               when=units.day_time(activity.starts_at - SIGN_IN_EARLY)))


def _sign_in(user, activity, row, now, reason, via, by=None, note=None) -> Scan:
    activity_id, row_id = activity.id, row.id
    db.session.rollback()  # the conditional UPDATE opens the write transaction (see the module's doc)
    values = {"signed_in_at": now, "updated_at": now, "signed_in_by_id": by}
    if note is not None:
        values["attendance_note"] = note
    done = db.session.execute(update(ActivitySignup).where(
        ActivitySignup.id == row_id, ActivitySignup.status == "confirmed", ActivitySignup.signed_in_at.is_(None))
        .values(**values), execution_options=OPTS).rowcount
    return _finish(user, activity_id, row_id, done, "in", reason, via)


def _sign_out(user, activity, row, now, reason, via, note=None) -> Scan:
    activity_id, row_id = activity.id, row.id
    minutes = minutes_served(activity.starts_at, activity.ends_at, row.signed_in_at, now)
    db.session.rollback()
    values = {"signed_out_at": now, "minutes": minutes, "hours_status": "pending", "updated_at": now}
    if note is not None:
        values["attendance_note"] = note
    done = db.session.execute(update(ActivitySignup).where(
        ActivitySignup.id == row_id, ActivitySignup.signed_in_at.is_not(None),
        ActivitySignup.signed_out_at.is_(None)).values(**values), execution_options=OPTS).rowcount
    return _finish(user, activity_id, row_id, done, "out", reason, via)


def _finish(user, activity_id, row_id, done, action, reason, via) -> Scan:
    """Audit and commit a state change that happened (else another tap made it first: nothing new)."""
    if done == 1:
        audit.log(user, "update", "activity", activity_id, reason=reason, via=via, commit=False)
        db.session.commit()
    else:
        db.session.rollback()
        action = "already_" + action
    return Scan(action, db.session.get(Activity, activity_id), db.session.get(ActivitySignup, row_id))


def by_hand(organiser, activity_id, signup_id, action: str, reason, now: datetime | None = None,
            via: str = "web") -> ActivitySignup:
    """The organiser signs a confirmed volunteer in or out by hand, with a reason (kept and audited)."""
    now = now or utcnow()
    activity = organised(organiser, activity_id)
    row = db.session.get(ActivitySignup, signup_id) if isinstance(signup_id, int) else None
    if row is None or row.activity_id != activity.id:
        raise ActivityNotFound(NO_ACTIVITY)
    if action not in ("in", "out"):
        raise InvalidInput({"action": BAD_ACTION})
    text = clean_reason(reason)
    if activity.status == "cancelled":
        raise ActivityError(CANCELLED)
    if row.status != "confirmed":
        raise ActivityError(HAND_WAITLISTED if row.status == "waitlisted" else HAND_CANCELLED)
    if action == "in":
        if row.signed_in_at is not None:
            return row
        _check_open(activity, now)
        return _sign_in(organiser, activity, row, now, "sign-in by hand", via, by=organiser.id, note=text).signup
    if row.signed_in_at is None:
        raise ActivityError(NOT_IN)
    if row.signed_out_at is not None:
        return row
    note = " / ".join(filter(None, (row.attendance_note, text)))[:200]
    return _sign_out(organiser, activity, row, now, "sign-out by hand", via, note=note).signup


# --- what pages show ----------------------------------------------------------------------------------

def next_scan(activity, signup, now: datetime | None = None) -> str | None:
    """What a scan by this sign-up's volunteer would do now ("in", "out"), or None when none is open."""
    now = now or utcnow()
    if signup is None or signup.status != "confirmed" or activity.status not in LIVE or signup.signed_out_at:
        return None
    if signup.signed_in_at is not None:
        return "out" if now <= activity.ends_at + SIGN_OUT_LATE else None
    return "in" if activity.starts_at - SIGN_IN_EARLY <= now <= activity.ends_at else None


def on_now(user, now: datetime | None = None) -> list[Activity]:
    """The user's confirmed activities a scan would sign them in to or out of now, soonest first."""
    now = now or utcnow()
    S = ActivitySignup
    return db.session.scalars(select(Activity).join(S, S.activity_id == Activity.id).where(
        S.volunteer_id == user.id, S.status == "confirmed", Activity.status.in_(LIVE), S.signed_out_at.is_(None),
        or_(and_(S.signed_in_at.is_(None), Activity.starts_at <= now + SIGN_IN_EARLY, Activity.ends_at >= now),
            and_(S.signed_in_at.is_not(None), Activity.ends_at >= now - SIGN_OUT_LATE)))
        .order_by(Activity.starts_at, Activity.id)).all()


def counts(activity_id: int) -> dict:
    """Confirmed sign-ups and how many of them signed in."""
    S = ActivitySignup
    confirmed, signed_in = db.session.execute(select(
        func.count(S.id), func.coalesce(func.sum(case((S.signed_in_at.is_not(None), 1), else_=0)), 0))
        .where(S.activity_id == activity_id, S.status == "confirmed")).one()
    return {"signed_in": int(signed_in), "confirmed": int(confirmed)}
