"""Proofs of checks: a volunteer uploads, a coordinator in scope verifies or rejects, and who sees the file.

    upload(user, kind, filename, data) -> SafeguardingCheck     # pending; replaces a pending one of the kind
    mine(user) -> [KindRow]                                     # each kind's state for /my/checks
    verify(staff, check_id, issued_on) / reject(staff, check_id, reason) -> SafeguardingCheck
    for_staff(staff, status="pending", q="", page=1) -> (rows, total)
    file_for(user, check_id) -> (path, content type)            # the owner, or staff in scope; else CheckNotFound
    forget(file name)                                           # delete a file no row names any more

Scope: coordinators whose scope holds the person's home town or district (their volunteer profile), or
their organisation's district, and admins. Only the newest file of a kind is kept: verifying one deletes
the files of older proofs of the kind, rejecting one deletes its file (the reason stays). Audited.
"""
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select, true, update

from .. import access
from ..accounts.models import User
from ..audit import services as audit
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.rules import NotAllowed
from ..orgs.models import Organisation
from ..types import utcnow
from ..volunteers.models import VolunteerProfile
from . import files, settings
from .models import SafeguardingCheck
from .services import State, add_months, kind_state, today

UPLOADERS = ("volunteer", "org_member", "org_admin")
PER_PAGE = 20
FILTERS = ("pending", "expiring", "verified", "rejected", "expired", "all")


class CheckNotFound(LookupError):
    """No such check, or not one this user may see: the same answer."""


class KindRow(NamedTuple):
    """One required kind on the volunteer's page."""

    kind: str
    label: str
    months: int
    state: State
    pending: SafeguardingCheck | None   # an upload waiting for a coordinator
    latest: SafeguardingCheck | None    # the newest row (its reason when rejected)


def _rows(user_id, kind=None):
    q = select(SafeguardingCheck).where(SafeguardingCheck.user_id == user_id)
    if kind is not None:
        q = q.where(SafeguardingCheck.kind == kind)
    return db.session.scalars(q.order_by(SafeguardingCheck.id.desc())).all()


def mine(user) -> list[KindRow]:
    """The state of each configured kind for the user, with their pending upload and latest decision."""
    rows, day = _rows(user.id), today()
    soon = day + timedelta(days=int(settings.setting("SAFEGUARDING_REMIND_DAYS")))
    out = []
    for kind, months in settings.kinds().items():
        of = [r for r in rows if r.kind == kind]
        out.append(KindRow(kind, settings.label(kind), months, kind_state(of, day, soon),
                           next((r for r in of if r.status == "pending"), None), of[0] if of else None))
    return out


def upload(user, kind: str, filename, data: bytes, via: str = "web") -> SafeguardingCheck:
    """Store a proof of kind for the user as pending (a pending one of the kind is replaced, its file
    deleted). A bad file raises InvalidInput({"file": ...}) and stores nothing."""
    if getattr(user, "role", None) not in UPLOADERS:
        raise NotAllowed(_l("Only volunteers and organisation members upload checks."))
    if kind not in settings.kinds():
        raise InvalidInput({"kind": _l("Choose a check from the list.")})
    body, ext = files.prepare(filename, data)
    name, now = files.write(body, ext), utcnow()
    values = dict(file_name=name, content_type=files.CONTENT_TYPES[ext], size=len(body), created_at=now,
                  updated_at=now)
    old = None
    try:
        pending = db.session.scalar(select(SafeguardingCheck).where(
            SafeguardingCheck.user_id == user.id, SafeguardingCheck.kind == kind,
            SafeguardingCheck.status == "pending").order_by(SafeguardingCheck.id.desc()))
        if pending is not None and db.session.execute(
                update(SafeguardingCheck).where(SafeguardingCheck.id == pending.id,
                                                SafeguardingCheck.status == "pending",
                                                SafeguardingCheck.file_name == pending.file_name)
                .values(**values), execution_options={"synchronize_session": False}).rowcount == 1:
            old, row_id = pending.file_name, pending.id
        else:  # none waiting, or decided meanwhile: a new proof
            row = SafeguardingCheck(user_id=user.id, kind=kind, status="pending", **values)
            db.session.add(row)
            db.session.flush()
            row_id = row.id
        audit.log(user, "create", "safeguarding_check", row_id, reason=f"upload {kind}", via=via, commit=False)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.unlink(name)
        raise
    files.unlink(old)
    db.session.expire_all()
    return db.session.get(SafeguardingCheck, row_id)


# --- staff ----------------------------------------------------------------------------------------

def _places(user_id):
    """(town, district, organisation's district) of a person, for the scope rule."""
    row = db.session.execute(select(VolunteerProfile.town_code, VolunteerProfile.district_code,
                                    Organisation.district_code).select_from(User)
                             .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
                             .outerjoin(Organisation, Organisation.id == User.organisation_id)
                             .where(User.id == user_id)).first()
    return row or (None, None, None)


def in_scope(staff, user_id: int) -> bool:
    """Staff whose scope holds the person's home town or district, or their organisation's district."""
    if not getattr(staff, "is_staff", False):
        return False
    prefix = access.scope_prefix(staff)
    if prefix is None:
        return False
    return prefix == "" or any(code and code.startswith(prefix) for code in _places(user_id))


def _scope_clause(prefix: str):
    if not prefix:
        return true()
    return or_(VolunteerProfile.town_code.startswith(prefix), VolunteerProfile.district_code.startswith(prefix),
               Organisation.district_code.startswith(prefix))


def check_for(user, check_id, via: str = "web") -> SafeguardingCheck:
    """A check its owner or staff in scope may see; else CheckNotFound (staff refusals audited)."""
    row = db.session.get(SafeguardingCheck, check_id) if isinstance(check_id, int) else None
    if row is not None and (row.user_id == getattr(user, "id", None) or in_scope(user, row.user_id)):
        return row
    if getattr(user, "is_staff", False):
        audit.log(user, "deny", "safeguarding_check", row.id if row else None, via=via)
    raise CheckNotFound(check_id)


def file_for(user, check_id, via: str = "web") -> tuple[Path, str]:
    """(path, content type) of a check's file for its owner or staff in scope (staff views audited)."""
    row = check_for(user, check_id, via)
    path = files.stored(row.file_name)
    if path is None or not path.is_file():
        raise CheckNotFound(check_id)
    if row.user_id != user.id:
        audit.log(user, "view", "safeguarding_check", row.id, reason="file", via=via)
    return path, files.content_type(row.file_name)


def _staff_check(staff, check_id, via):
    if not getattr(staff, "is_staff", False):
        raise NotAllowed(_l("Only a coordinator can verify checks."))
    row = check_for(staff, check_id, via)
    if row.user_id == staff.id:
        raise NotAllowed(_l("Someone else must verify your own check."))
    return row


def check_issued_on(issued_on, kind: str) -> date:
    """The certificate's date: a date, not in the future, and recent enough to be valid still."""
    if not isinstance(issued_on, date):
        raise InvalidInput({"issued_on": _l("Enter the date printed on the certificate.")})
    if issued_on > today():
        raise InvalidInput({"issued_on": _l("The certificate's date cannot be in the future.")})
    expires = add_months(issued_on, settings.kinds().get(kind, 12))
    if expires <= today():
        raise InvalidInput({"issued_on": _l("A certificate of this date expired on %(day)s: ask for a new one.",
                                            day=expires.isoformat())})
    return issued_on


def verify(staff, check_id, issued_on, via: str = "web") -> SafeguardingCheck:
    """Verify a pending check: expires_on = issued_on + the kind's validity. Older files of the kind go."""
    row = _staff_check(staff, check_id, via)
    issued_on = check_issued_on(issued_on, row.kind)
    expires = add_months(issued_on, settings.kinds().get(row.kind, 12))
    now = utcnow()
    done = db.session.execute(update(SafeguardingCheck).where(SafeguardingCheck.id == row.id,
                                                              SafeguardingCheck.status == "pending")
                              .values(status="verified", issued_on=issued_on, expires_on=expires, reason=None,
                                      verified_by_id=staff.id, verified_at=now, updated_at=now),
                              execution_options={"synchronize_session": False}).rowcount
    if done != 1:
        db.session.rollback()
        raise InvalidInput({"status": _l("This check has already been decided.")})
    older = [(r.id, r.file_name) for r in _rows(row.user_id, row.kind) if r.id < row.id and r.file_name]
    if older:
        db.session.execute(update(SafeguardingCheck).where(SafeguardingCheck.id.in_([i for i, _n in older]))
                           .values(file_name=""), execution_options={"synchronize_session": False})
    audit.log(staff, "update", "safeguarding_check", row.id, reason=f"verified until {expires}", via=via,
              commit=False)
    db.session.commit()
    for _i, name in older:
        forget(name)
    db.session.expire_all()
    return db.session.get(SafeguardingCheck, row.id)


def reject(staff, check_id, reason: str, via: str = "web") -> SafeguardingCheck:
    """Reject a pending check with a reason the volunteer reads; its file is deleted."""
    row = _staff_check(staff, check_id, via)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise InvalidInput({"reason": _l("Say why, so the volunteer knows what to upload instead.")})
    if len(reason) > 200:
        raise InvalidInput({"reason": _l("At most %(n)s characters.", n=200)})
    name, now = row.file_name, utcnow()
    done = db.session.execute(update(SafeguardingCheck).where(SafeguardingCheck.id == row.id,
                                                              SafeguardingCheck.status == "pending")
                              .values(status="rejected", reason=reason, file_name="", verified_by_id=staff.id,
                                      verified_at=now, updated_at=now),
                              execution_options={"synchronize_session": False}).rowcount
    if done != 1:
        db.session.rollback()
        raise InvalidInput({"status": _l("This check has already been decided.")})
    audit.log(staff, "update", "safeguarding_check", row.id, reason="rejected", via=via, commit=False)
    db.session.commit()
    forget(name)
    db.session.expire_all()
    return db.session.get(SafeguardingCheck, row.id)


def forget(name) -> None:
    """Delete a file unless another row still names it (the demo shares one sample)."""
    if name and not db.session.scalar(select(SafeguardingCheck.id).where(SafeguardingCheck.file_name == name)):
        files.unlink(name)


def for_staff(staff, status: str = "pending", q: str = "", page: int = 1) -> tuple[list, int]:
    """([(check, name, phone)], total) in staff's scope: pending ones first (oldest first), then the newest."""
    prefix = access.scope_prefix(staff) if getattr(staff, "is_staff", False) else None
    if prefix is None:
        return [], 0
    day = today()
    soon = day + timedelta(days=int(settings.setting("SAFEGUARDING_REMIND_DAYS")))
    c = SafeguardingCheck
    where = [_scope_clause(prefix), c.kind.in_(list(settings.kinds()))]
    if status == "expiring":
        where += [c.status == "verified", c.expires_on > day, c.expires_on <= soon]
    elif status == "expired":
        where += [c.status == "verified", c.expires_on <= day]
    elif status == "verified":
        where += [c.status == "verified", c.expires_on > day]
    elif status in ("pending", "rejected"):
        where.append(c.status == status)
    q = (q or "").strip()[:40]
    if q:
        where.append(or_(User.name.contains(q, autoescape=True), User.phone.contains(q, autoescape=True)))
    base = (select(c, User.name, User.phone).join(User, User.id == c.user_id)
            .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id).where(and_(*where)))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    pending = c.status == "pending"
    order = (case((pending, 0), else_=1), case((pending, c.created_at), else_=None), c.updated_at.desc(), c.id.desc())
    rows = db.session.execute(base.order_by(*order).limit(PER_PAGE).offset((max(1, page) - 1) * PER_PAGE)).all()
    return [tuple(r) for r in rows], total


def row_state(row) -> State:
    """One proof's own state (staff lists show each proof, not the person's best)."""
    day = today()
    return kind_state([row], day, day + timedelta(days=int(settings.setting("SAFEGUARDING_REMIND_DAYS"))))
