"""The copy of a helper's visits their phone keeps for use without signal.

    for_phone(user, now=None) -> [dict]

Only visits whose access grant (volunteer/visits/services.py: from 2 hours before the visit to 24 hours
after it) runs now or starts within AHEAD, in a state a helper still acts on; the address and guardian's
phone only while the grant runs (each copy audited like the visit page). Each carries its grant's end: the
phone deletes it then, and whenever a fresh list (fetched when online) no longer holds it (cancelled,
reassigned, or the grant revoked).
"""
from datetime import timedelta

from sqlalchemy import select

from ..children.models import AccessGrant
from ..extensions import db
from ..types import utcnow
from ..validation import phone_text
from ..visits import present, services
from ..visits.checkin import check_in_opens_at
from ..visits.models import Visit
from ..visits.settings import setting

AHEAD = timedelta(hours=24)
KEPT = ("accepted", "checked_in", "done", "flagged")


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _grants(user, now) -> dict[int, AccessGrant]:
    """visit id -> the user's visit grant running now or starting within AHEAD (the longest one)."""
    rows = db.session.scalars(select(AccessGrant).where(
        AccessGrant.user_id == user.id, AccessGrant.reason.like(f"{services.GRANT_REASON}%"),
        AccessGrant.starts_at <= now + AHEAD, AccessGrant.ends_at >= now)).all()
    out = {}
    for g in rows:
        ref = g.reason[len(services.GRANT_REASON):]
        if ref.isdigit() and (int(ref) not in out or g.ends_at > out[int(ref)].ends_at):
            out[int(ref)] = g
    return out


def _entry(visit, user, grant, now) -> dict:
    card = present.card(visit, user)
    contact = services.contact(user, visit, via="offline") if grant.starts_at <= now else None
    if contact:
        contact["phone_text"] = phone_text(contact["phone"])
    closes = visit.ends_at + timedelta(hours=float(setting("VISIT_STALE_HOURS")))
    return {
        "id": visit.id, "service": card["service"], "dimension": card["dimension"],
        "status": visit.status, "stage": card["stage"], "status_label": str(card["status_label"]),
        "starts": card["starts"], "ends": card["ends"], "child": card["child"], "contact": contact,
        "starts_at": _iso(visit.starts_at), "ends_at": _iso(visit.ends_at),
        "checkin_opens_at": _iso(check_in_opens_at(visit)), "checkin_closes_at": _iso(closes),
        "checkin_opens": card["checkin_opens"],
        "checked_in": card["checked_in"], "checked_out": card["checked_out"], "has_report": card["has_report"],
        "grant_starts_at": _iso(grant.starts_at), "grant_ends_at": _iso(grant.ends_at),
    }


def for_phone(user, now=None) -> list[dict]:
    """The user's visits to keep on the phone, soonest first (none for staff: they have no visit grants)."""
    now = now or utcnow()
    grants = _grants(user, now)
    if not grants:
        return []
    visits = db.session.scalars(select(Visit).where(Visit.id.in_(list(grants)), Visit.status.in_(KEPT))
                                .order_by(Visit.starts_at, Visit.id)).all()
    return [_entry(v, user, grants[v.id], now) for v in visits if services.can_see(user, v)]
