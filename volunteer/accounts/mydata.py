"""Everything Huhang keeps about one user, for them to download (JSON) or read and print (HTML).

    collect(user) -> dict      # sections of plain values (dates and datetimes as Python objects)
    as_json(data) -> dict      # the same, JSON-safe (ISO dates, labels as text)

Visits and activities are the helper's own service: date, type, status and minutes, never a child's name,
reference, address or report. Notifications are listed by title (children appear there by nickname only);
tokens by name and dates, never their secret; no safeguarding file's content.
"""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..activities.models import HOURS_STATUSES, SIGNUP_STATUSES, Activity, ActivitySignup, Certificate
from ..api.models import ApiToken
from ..audit.models import AuditEntry
from ..extensions import db
from ..geo.services import name_of
from ..matching.models import Offer
from ..needs.models import SERVICE_TYPES, Need, Wish
from ..notifications.models import ChannelChoice, Notification
from ..privacy.models import PrivacyConsent, PrivacyNotice
from ..safeguarding.models import SafeguardingCheck
from ..types import utcnow
from ..visits.models import ASSIGNEE_STATUSES, Visit, VisitAssignee
from ..volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill
from ..volunteers.skills import PERIODS, SKILLS, WEEKDAYS
from ..wishes.models import CLAIM_STATUSES, WishClaim, WishEvent
from .models import SCOPE_LEVELS, UserSession

FORMAT = "huhang-my-data/1"
# Credentials and safeguarding checks share their states.
CHECK_STATUSES = {"none": _l("No credential given"), "pending": _l("Waiting for verification"),
                  "verified": _l("Verified"), "rejected": _l("Rejected")}
# The account's own audit entries (reason -> what happened).
ACCOUNT_EVENTS = {"my data page": _l("Looked at my data"), "my data json": _l("Downloaded my data"),
                  "deletion requested": _l("Asked to delete the account"),
                  "deletion cancelled": _l("Kept the account"), "personal data erased": _l("Personal data erased"),
                  "phone": _l("Changed the mobile number")}
DETAILS = {"name", "email"}
CONSENT_VIA = {"signup": _l("At sign-up"), "login": _l("At a login")}
SECTIONS = ("account", "profile", "skills", "availability", "hours", "visits", "activities", "offers",
            "wish_claims", "certificates", "consents", "safeguarding_checks", "notifications", "channels",
            "api_tokens", "sign_ins", "account_history")


def _service(code) -> str:
    return str(SERVICE_TYPES.get(code, code or ""))


def _rows(stmt):
    return db.session.execute(stmt).all()


def collect(user) -> dict:
    """Every section of the user's data (see SECTIONS)."""
    uid = user.id
    visits, activities = _visits(uid), _activities(uid)
    visit_minutes = sum(v["minutes"] or 0 for v in visits)
    activity_minutes = sum(a["approved_minutes"] or 0 for a in activities if a["hours_status"] == "approved")
    return {
        "format": FORMAT, "exported_at": utcnow(),
        "account": _account(user), "profile": _profile(uid), "skills": _skills(uid),
        "availability": _availability(uid),
        "hours": {"visit_minutes": visit_minutes, "activity_minutes": activity_minutes,
                  "total_minutes": visit_minutes + activity_minutes},
        "visits": visits, "activities": activities, "offers": _offers(uid), "wish_claims": _claims(uid),
        "certificates": _certificates(uid), "consents": _consents(uid), "safeguarding_checks": _checks(uid),
        "notifications": _notifications(uid), "channels": _channels(uid), "api_tokens": _tokens(uid),
        "sign_ins": {"last_login_at": user.last_login_at, "open_sessions": [
            {"started_at": at} for at in db.session.scalars(
                select(UserSession.created_at).where(UserSession.user_id == uid).order_by(UserSession.created_at))]},
        "account_history": _history(uid),
    }


def _visits(uid) -> list:
    # The helper's own part: when, what, their answer and minutes; nothing about the child or the home.
    return [{"date": starts, "service_type": kind, "service": _service(kind), "status": status,
             "status_label": str(ASSIGNEE_STATUSES.get(status, status)), "minutes": minutes}
            for starts, kind, status, minutes in _rows(
                select(Visit.starts_at, Need.service_type, VisitAssignee.status, VisitAssignee.service_minutes)
                .join(Visit, Visit.id == VisitAssignee.visit_id).join(Need, Need.id == Visit.need_id)
                .where(VisitAssignee.user_id == uid).order_by(Visit.starts_at))]


def _activities(uid) -> list:
    return [{"date": a.starts_at, "title": a.title, "service_type": a.service_type,
             "service": _service(a.service_type), "venue": a.venue, "status": s.status,
             "status_label": str(SIGNUP_STATUSES.get(s.status, s.status)),
             "signed_in_at": s.signed_in_at, "signed_out_at": s.signed_out_at, "minutes": s.minutes,
             "hours_status": s.hours_status, "hours_label": str(HOURS_STATUSES.get(s.hours_status, "")),
             "approved_minutes": s.approved_minutes}
            for s, a in _rows(select(ActivitySignup, Activity)
                              .join(Activity, Activity.id == ActivitySignup.activity_id)
                              .where(ActivitySignup.volunteer_id == uid).order_by(Activity.starts_at))]


def _certificates(uid) -> list:
    return [{"number": c.number, "period_start": c.period_start, "period_end": c.period_end,
             "minutes": c.minutes, "services": c.activities, "issuer": c.issuer, "issued_at": c.issued_at}
            for c in db.session.scalars(select(Certificate).where(Certificate.volunteer_id == uid)
                                        .order_by(Certificate.issued_at))]


def _consents(uid) -> list:
    return [{"version": version, "given_at": given, "via": via, "via_label": str(CONSENT_VIA.get(via, via))}
            for version, given, via in _rows(
                select(PrivacyNotice.version, PrivacyConsent.given_at, PrivacyConsent.via)
                .join(PrivacyNotice, PrivacyNotice.id == PrivacyConsent.notice_id)
                .where(PrivacyConsent.user_id == uid).order_by(PrivacyConsent.given_at))]


def _notifications(uid) -> list:
    # Titles only: children appear there by nickname; bodies may say more.
    return [{"title": title, "kind": kind, "sent_at": sent, "read_at": read}
            for title, kind, sent, read in _rows(
                select(Notification.title, Notification.kind, Notification.created_at, Notification.read_at)
                .where(Notification.user_id == uid).order_by(Notification.created_at.desc()))]


def _tokens(uid) -> list:
    return [{"name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}
            for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == uid).order_by(ApiToken.id))]


def _history(uid) -> list:
    # Only the entries about the account itself: the user's other audit rows name children's records.
    return [{"action": action, "what": reason, "label": _event(reason), "at": at}
            for action, reason, at in _rows(
                select(AuditEntry.action, AuditEntry.reason, AuditEntry.at)
                .where(AuditEntry.collection == "account", AuditEntry.object_id == uid).order_by(AuditEntry.at))]


def _event(reason: str) -> str:
    if reason in ACCOUNT_EVENTS:
        return str(ACCOUNT_EVENTS[reason])
    if reason and set(reason.split(",")) <= DETAILS:
        return str(_l("Changed name or email"))
    return reason


def _account(user) -> dict:
    return {"name": user.name, "phone": user.phone, "email": user.email, "role": user.role,
            "role_label": str(user.role_label),
            "scope": str(SCOPE_LEVELS.get(user.scope_level, "")) if user.scope_level else None,
            "scope_area": name_of(user.scope_code) or None,
            "organisation": user.organisation.name if user.organisation else None,
            "language": user.locale, "created_at": user.created_at, "last_login_at": user.last_login_at,
            "deletion_requested_at": user.deletion_requested_at}


def _profile(uid) -> dict | None:
    p = db.session.get(VolunteerProfile, uid)
    if p is None:
        return None
    return {"district": name_of(p.district_code) or None, "town": name_of(p.town_code) or None,
            "home_point": {"lat": p.lat, "lon": p.lon} if p.lat is not None else None,
            "location_source": p.location_source, "radius_km": p.radius_km,
            "max_visits_per_month": p.max_visits_per_month, "birth_date": p.birth_date,
            "id_number": p.id_number_mask, "completed": p.completed, "updated_at": p.updated_at}


def _skills(uid) -> list:
    return [{"skill": s.skill, "label": str(SKILLS.get(s.skill, s.skill)), "credential": s.credential,
             "credential_status": s.credential_status, "verified_at": s.verified_at,
             "status_label": str(CHECK_STATUSES.get(s.credential_status, s.credential_status))}
            for s in db.session.scalars(select(VolunteerSkill).where(VolunteerSkill.user_id == uid)
                                        .order_by(VolunteerSkill.skill))]


def _availability(uid) -> list:
    return [{"weekday": s.weekday, "period": s.period,
             "label": f"{WEEKDAYS[s.weekday]} {PERIODS.get(s.period, s.period)}"}
            for s in db.session.scalars(select(AvailabilitySlot).where(AvailabilitySlot.user_id == uid)
                                        .order_by(AvailabilitySlot.weekday, AvailabilitySlot.period))]


def _offers(uid) -> list:
    # The need's type and the offer's state; the message is left out, it may name the child.
    from ..matching.offers import OFFER_STATUSES

    return [{"offered_at": at, "service_type": kind, "service": _service(kind), "status": status,
             "status_label": str(OFFER_STATUSES.get(status, status))}
            for at, kind, status in _rows(select(Offer.created_at, Need.service_type, Offer.status)
                                          .join(Need, Need.id == Offer.need_id).where(Offer.volunteer_id == uid)
                                          .order_by(Offer.created_at))]


def _claims(uid) -> list:
    # The wish's item and the claim's steps; the child and the thank-you text stay out.
    return [{"item": item, "price_yuan": price, "event": event, "status": c.status,
             "status_label": str(CLAIM_STATUSES.get(c.status, c.status)), "claimed_at": c.claimed_at,
             "bought_at": c.bought_at, "delivered_at": c.delivered_at, "received_at": c.received_at,
             "released_at": c.released_at, "thanked": c.thanks_at is not None}
            for c, item, price, event in _rows(
                select(WishClaim, Wish.item, Wish.price_yuan, WishEvent.name).join(Wish, Wish.id == WishClaim.wish_id)
                .outerjoin(WishEvent, WishEvent.id == Wish.event_id).where(WishClaim.donor_id == uid)
                .order_by(WishClaim.claimed_at))]


def _checks(uid) -> list:
    from ..safeguarding.settings import LABELS

    return [{"kind": c.kind, "label": str(LABELS.get(c.kind, c.kind)), "status": c.status,
             "status_label": str(CHECK_STATUSES.get(c.status, c.status)),
             "uploaded_at": c.created_at, "issued_on": c.issued_on, "expires_on": c.expires_on,
             "verified_at": c.verified_at, "reason": c.reason}
            for c in db.session.scalars(select(SafeguardingCheck).where(SafeguardingCheck.user_id == uid)
                                        .order_by(SafeguardingCheck.created_at))]


def _channels(uid) -> dict:
    c = db.session.get(ChannelChoice, uid)
    return {"inbox": True, "sms": bool(c and c.sms), "email": bool(c and c.email)}


def as_json(value):
    """The data JSON-safe: dates as ISO strings, containers recursively."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
