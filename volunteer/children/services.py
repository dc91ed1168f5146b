"""Children rules: register with consent, change with history, view with audit, erase everywhere."""
import json
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from .. import access
from ..audit import services as audit
from ..extensions import db
from ..types import utcnow
from .models import CONSENT_TEXT_VERSION, AccessGrant, Child, ChildHistory, Consent
from .validation import InvalidInput, clean

CHILD_FIELDS = ("name", "gender", "birth_date", "category", "disabled", "district_code", "town_code",
                "village", "address", "lat", "lon", "school", "grade", "notes", "guardian_name",
                "guardian_relation", "guardian_phone")


class ChildNotFound(LookupError):
    """No such child, or not one this user may see: both give the same answer."""


class ConsentRequired(InvalidInput):
    """The purpose changed, so the guardian's consent must be recorded again."""


def _emit(topic, child):
    from ..events.services import emit

    emit(topic, f"child:{child.id}", child_id=child.id)


def _emit_deleted(child_id):
    from ..events.services import emit

    # Emitted after the erasure, so the event (ids only) survives to tell listeners.
    emit("child.deleted", f"child:{child_id}", child_id=child_id)


def _jsonable(v):
    return v.isoformat() if isinstance(v, date) else v


def _consent(child, values, staff) -> Consent:
    c = Consent(child_id=child.id, given_by=values["consent_given_by"], relation=values["consent_relation"],
                given_on=values["consent_given_on"], purpose=values["consent_purpose"],
                text_version=CONSENT_TEXT_VERSION, recorded_by_id=staff.id)
    db.session.add(c)
    db.session.flush()
    child.consent_id = c.id
    return c


def create_child(staff, data: dict, via: str = "web", commit: bool = True) -> Child:
    """Register a child in staff's scope; a guardian-consent record is required.

    commit=False leaves the transaction open, so an import can save many children all or nothing.
    """
    values = clean(data)
    if "consent_purpose" not in values:
        raise ConsentRequired({"consent_purpose": _l("Record the guardian's consent before saving the child.")})
    if not access.in_scope(staff, values.get("town_code") or values["district_code"]) \
            and not access.in_scope(staff, values["district_code"]):
        raise InvalidInput({"district_code": _l("This place is outside your area.")})
    if values.get("town_code") is None and "town_code" not in values:
        values["town_code"] = None
    child = Child(created_by_id=staff.id, **{f: values.get(f) for f in CHILD_FIELDS if f in values})
    if not child.town_code:
        raise InvalidInput({"town_code": _l("Choose the town or street.")})
    db.session.add(child)
    db.session.flush()
    _consent(child, values, staff)
    db.session.add(ChildHistory(child_id=child.id, user_id=staff.id, action="create", changes=json.dumps(
        {f: [None, _jsonable(getattr(child, f))] for f in CHILD_FIELDS if getattr(child, f) is not None},
        ensure_ascii=False)))
    _emit("child.created", child)
    audit.log(staff, "create", "child", child.id, via=via, commit=False)
    if commit:
        db.session.commit()
    return child


def live_grant(user, child_id: int, reason: str | None = None) -> AccessGrant | None:
    """The user's access grant on the child running now (the one given for reason, when named), or None."""
    now = utcnow()
    q = select(AccessGrant).where(AccessGrant.user_id == user.id, AccessGrant.child_id == child_id,
                                  AccessGrant.starts_at <= now, AccessGrant.ends_at >= now)
    if reason is not None:
        q = q.where(AccessGrant.reason == reason)
    return db.session.scalars(q.limit(1)).first()


def _visible(user, child) -> str | None:
    """Why user may see child in full now ('scope' or a grant reason), or None."""
    if access.view_of(user, "child") == "full":
        return "scope" if access.child_in_scope(user, child) else None
    grant = live_grant(user, child.id)
    return grant.reason if grant else None


def home_contact(user, child, reason: str, via: str = "web") -> dict | None:
    """The child's address and guardian's phone while user's grant given for reason runs (the view is
    audited), else None: what a helper needs to reach a home visit, and no more."""
    if live_grant(user, child.id, reason) is None:
        return None
    audit.log(user, "view", "child", child.id, reason=reason, via=via)
    return {"address": " ".join(x for x in (child.village, child.address) if x),
            "guardian": child.guardian_relation or "", "phone": child.guardian_phone or ""}


def get_full(user, ref: str, via: str = "web", reason: str = "") -> Child:
    """Return a child's full record, auditing the view; ChildNotFound (audited) when not allowed."""
    child = db.session.scalar(select(Child).where(Child.ref == ref)) if isinstance(ref, str) else None
    why = _visible(user, child) if child else None
    if why is None:
        audit.log(user, "deny", "child", child.id if child else None, reason=f"ref:{str(ref)[:20]}", via=via)
        raise ChildNotFound(ref)
    audit.log(user, "view", "child", child.id, reason=reason or why, via=via)
    return child


def get_for_change(staff, ref: str, via: str = "web") -> Child:
    """Load a child staff may change (inside scope), without a view audit; else ChildNotFound (audited)."""
    child = db.session.scalar(select(Child).where(Child.ref == ref)) if isinstance(ref, str) else None
    if child is None or access.view_of(staff, "child") != "full" or not access.child_in_scope(staff, child):
        audit.log(staff, "deny", "child", child.id if child else None, reason="change", via=via)
        raise ChildNotFound(ref)
    return child


def update_child(staff, ref: str, data: dict, via: str = "web") -> Child:
    """Change a child's record; a new purpose needs new consent; every change is kept in history."""
    child = get_for_change(staff, ref, via)
    purpose = data.get("consent_purpose")
    if purpose and (child.consent is None or purpose != child.consent.purpose) and not all(
            str(data.get(f) or "").strip() for f in ("consent_given_by", "consent_relation", "consent_given_on")):
        raise ConsentRequired({"consent_purpose": _l("A new purpose needs the guardian's consent again.")})
    values = clean(data, partial=True)
    new_purpose = values.get("consent_purpose")
    if new_purpose is None and child.consent is None:
        raise ConsentRequired({"consent_purpose": _l("Record the guardian's consent before saving the child.")})
    district = values.get("district_code", child.district_code)
    if not access.in_scope(staff, values.get("town_code") or district) and not access.in_scope(staff, district):
        raise InvalidInput({"district_code": _l("This place is outside your area.")})
    changes = {}
    for f in CHILD_FIELDS:
        if f in values and values[f] != getattr(child, f):
            changes[f] = [_jsonable(getattr(child, f)), _jsonable(values[f])]
            setattr(child, f, values[f])
    if new_purpose:
        old = child.consent.purpose if child.consent else None
        _consent(child, values, staff)
        changes["consent_purpose"] = [old, new_purpose]
    if changes:
        db.session.add(ChildHistory(child_id=child.id, user_id=staff.id, action="update",
                                    changes=json.dumps(changes, ensure_ascii=False)))
        _emit("child.updated", child)
        audit.log(staff, "update", "child", child.id, reason=",".join(sorted(changes))[:80], via=via, commit=False)
    db.session.commit()
    return child


def change_purpose(staff, ref: str, purpose: str, consent: dict | None, via: str = "web") -> Child:
    """Change the purpose of processing: refused unless the guardian's consent comes with it."""
    if not consent:
        raise ConsentRequired({"consent_purpose": _l("A new purpose needs the guardian's consent again.")})
    return update_child(staff, ref, {**consent, "consent_purpose": purpose}, via)


def delete_child(staff, ref: str, via: str = "web") -> int:
    """Erase a child's personal data everywhere: rows, files, queued jobs and events."""
    child = get_for_change(staff, ref, via)
    child_id = child.id
    from ..needs.models import Wish

    files = [p for p in [child.photo_path, *db.session.scalars(
        select(Wish.photo_path).where(Wish.child_id == child_id))] if p]
    _erase_queued(child_id)
    db.session.delete(child)
    _emit_deleted(child_id)
    audit.log(staff, "delete", "child", child_id, via=via, commit=False)
    db.session.commit()
    uploads = Path(current_app.instance_path) / "uploads"
    for name in files:
        (uploads / Path(name).name).unlink(missing_ok=True)
    return child_id


def _erase_queued(child_id: int) -> None:
    from ..tasks.models import JobRecord
    from ..tasks import get_queue

    subject = f"child:{child_id}"
    for rec in db.session.scalars(select(JobRecord).where(JobRecord.subject == subject)).all():
        job = get_queue(rec.queue).fetch_job(rec.rq_id)
        if job is not None:
            job.delete()
        db.session.delete(rec)
    from ..events.services import erase_subject

    erase_subject(subject)


def search(staff, q: str = "", *, district: str = "", town: str = "", category: str = "",
           disabled: str = "", page: int = 1, per_page: int = 25):
    """Children inside staff's scope matching a search and filters: (rows, total)."""
    prefix = access.scope_prefix(staff)
    if prefix is None or access.view_of(staff, "child") != "full":
        return [], 0
    stmt = select(Child)
    if prefix:
        stmt = stmt.where(access.child_scope_clause(prefix))
    if q:
        like = f"%{q.strip()[:40]}%"
        stmt = stmt.where(or_(Child.name.like(like), Child.village.like(like), Child.school.like(like)))
    if district:
        stmt = stmt.where(Child.district_code == district)
    if town:
        stmt = stmt.where(Child.town_code == town)
    if category:
        stmt = stmt.where(Child.category == category)
    if disabled in ("1", "0"):
        stmt = stmt.where(Child.disabled.is_(disabled == "1"))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Child.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def history(child) -> list[ChildHistory]:
    """A child's change history, newest first."""
    return db.session.scalars(select(ChildHistory).where(ChildHistory.child_id == child.id)
                              .order_by(ChildHistory.id.desc())).all()


def viewers(staff, ref: str):
    """Who viewed this child (and who was refused): the audit rows, newest first."""
    child = get_for_change(staff, ref)
    return child, audit.for_object("child", child.id)


def grant(user_id: int, child_id: int, starts_at, ends_at, reason: str) -> AccessGrant:
    """Let a volunteer see a child's details during a window (an accepted visit)."""
    g = AccessGrant(user_id=user_id, child_id=child_id, starts_at=starts_at, ends_at=ends_at, reason=reason)
    db.session.add(g)
    db.session.commit()
    return g
