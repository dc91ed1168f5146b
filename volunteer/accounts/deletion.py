"""Deleting one's own account: asked for with the password, a grace period to change one's mind, then a
periodic job erases the personal data. The user row stays, so visits, activity hours and wish claims keep
their helper (shown as "已注销志愿者") and statistics and children's histories stay true.

    may_delete(user) -> bool                        # volunteers, donors, organisation members; not staff
    request_deletion(user, password, now=None)      # ends every session; AccountError on a wrong password
    cancel_deletion(user) -> bool                   # any time before the erasure
    due_at(user) -> datetime | None                 # when the erasure is due
    erase(user_id, now=None) -> bool                # once, and only after the grace (conditional update)
    erase_due(now=None) -> int                      # every erasure that is due (the periodic job)
"""
import os
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash

from ..audit import services as audit
from ..extensions import db
from ..types import utcnow
from .models import User, UserSession, VerificationCode
from .services import AccountError

ERASED_NAME = "已注销志愿者"
ERASED_LABEL = _l("Deleted volunteer")  # what pages show for an erased user, in the reader's language
UNUSABLE_PASSWORD = "!erased"  # no hash format: check_password_hash is False for every password
SELF_SERVICE_ROLES = ("volunteer", "org_member", "org_admin")


def grace() -> timedelta:
    """The time between asking and the erasure: ACCOUNT_DELETION_GRACE_DAYS from the app's config, else
    the environment, else 7 days."""
    days = current_app.config.get("ACCOUNT_DELETION_GRACE_DAYS")
    if days is None:
        days = os.environ.get("ACCOUNT_DELETION_GRACE_DAYS", 7)
    return timedelta(days=float(days))


def placeholder_phone(user_id: int) -> str:
    """The phone of an erased account: unique, and never a number a login form can produce (+86...)."""
    return f"erased:{user_id}"


def display_name(user) -> str:
    """A user's name for pages: a translated label once the account is erased."""
    if user is None:
        return ""
    return str(ERASED_LABEL) if user.erased_at is not None else user.name


def may_delete(user) -> bool:
    """Who deletes their own account here; staff accounts are closed by an administrator (CLI)."""
    return user.role in SELF_SERVICE_ROLES and user.erased_at is None


def due_at(user):
    """When the erasure of a pending deletion is due, or None."""
    if user.deletion_requested_at is None or user.erased_at is not None:
        return None
    return user.deletion_requested_at + grace()


def commitments(user, now=None) -> dict:
    """What the user still has ahead (visits accepted or offered, activity places and waitlists): the
    deletion does not call them off, so the page asks to cancel them or tell the coordinator first."""
    from ..activities.models import Activity, ActivitySignup
    from ..visits.models import ACTIVE_STATUSES, Visit, VisitAssignee

    now = now or utcnow()
    visits = db.session.scalar(select(func.count(VisitAssignee.id)).join(Visit, Visit.id == VisitAssignee.visit_id)
                               .where(VisitAssignee.user_id == user.id,
                                      VisitAssignee.status.in_(("offered", "accepted")),
                                      Visit.status.in_(ACTIVE_STATUSES), Visit.ends_at > now))
    activities = db.session.scalar(select(func.count(ActivitySignup.id))
                                   .join(Activity, Activity.id == ActivitySignup.activity_id)
                                   .where(ActivitySignup.volunteer_id == user.id,
                                          ActivitySignup.status.in_(("confirmed", "waitlisted")),
                                          Activity.status.in_(("published", "closed")), Activity.ends_at > now))
    return {"visits": visits or 0, "activities": activities or 0}


def request_deletion(user: User, password: str, now=None, check_role: bool = True):
    """Ask for the account's deletion (the password first) and end every session; returns when the
    erasure is due. Asking twice keeps the first date."""
    from .sessions import end_all_sessions

    if check_role and not may_delete(user):
        raise AccountError(_l("Staff accounts are closed by an administrator."))
    if password is not None and not check_password_hash(user.password_hash, password or ""):
        raise AccountError(_l("Your password is wrong."), "password")
    now = now or utcnow()
    asked = db.session.execute(
        update(User).where(User.id == user.id, User.deletion_requested_at.is_(None), User.erased_at.is_(None))
        .values(deletion_requested_at=now)).rowcount
    if asked:
        audit.log(user, "delete", "account", user.id, reason="deletion requested", commit=False)
    db.session.commit()
    db.session.refresh(user)
    end_all_sessions(user.id)
    return due_at(user)


def cancel_deletion(user: User) -> bool:
    """Keep the account: clear a pending deletion that has not been carried out; False if none was."""
    kept = db.session.execute(
        update(User).where(User.id == user.id, User.deletion_requested_at.is_not(None), User.erased_at.is_(None))
        .values(deletion_requested_at=None)).rowcount
    if kept:
        audit.log(user, "update", "account", user.id, reason="deletion cancelled", commit=False)
    db.session.commit()
    db.session.refresh(user)
    return bool(kept)


def due_ids(now=None, limit: int = 200) -> list[int]:
    """Users whose grace has passed and whose data is not erased yet."""
    now = now or utcnow()
    return list(db.session.scalars(select(User.id).where(
        User.erased_at.is_(None), User.deletion_requested_at.is_not(None),
        User.deletion_requested_at <= now - grace()).order_by(User.id).limit(limit)))


def erase(user_id: int, now=None, immediately: bool = False) -> bool:
    """Erase the user's personal data if the grace has passed (or immediately: an administrator's
    command) and it was not done; True if it was now.

    The conditional update on the user row decides (safe to run twice, and a cancel in between wins or
    loses as a whole); files are removed before the commit, so a failure leaves nothing half done."""
    now = now or utcnow()
    old_phone = db.session.scalar(select(User.phone).where(User.id == user_id))
    due = User.deletion_requested_at <= (now if immediately else now - grace())
    erased = db.session.execute(
        update(User).where(User.id == user_id, User.erased_at.is_(None), User.deletion_requested_at.is_not(None), due)
        .values(name=ERASED_NAME, phone=placeholder_phone(user_id), email=None, password_hash=UNUSABLE_PASSWORD,
                active=False, locale=None, erased_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not erased:
        db.session.rollback()
        return False
    from . import erasure

    files = erasure.clear_personal_rows(user_id, old_phone)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    db.session.execute(delete(VerificationCode).where(VerificationCode.user_id == user_id))
    audit.log(None, "delete", "account", user_id, reason="personal data erased", commit=False)
    for path in files:
        Path(path).unlink(missing_ok=True)
    db.session.commit()
    db.session.expire_all()
    return True


def erase_due(now=None) -> int:
    """Erase every account whose grace has passed; returns how many were erased by this run."""
    now = now or utcnow()
    return sum(erase(uid, now) for uid in due_ids(now))


# --- the periodic job (self-rescheduling, fixed id) -----------------------------------------------------

ERASE_ID = "account-erasure"
ERASE_FUNC = "jobs.accounts.erase_due"
ERASE_EVERY = timedelta(hours=1)


def schedule_erasure(delay: timedelta = ERASE_EVERY) -> bool:
    """Schedule the next erasure run unless one is already scheduled."""
    from ..tasks import periodic

    return periodic.schedule(ERASE_ID, ERASE_FUNC, delay)


def start_erasure() -> bool:
    """Run the erasure job now unless it is scheduled, queued or running (when a worker starts)."""
    from ..tasks import periodic

    return periodic.start(ERASE_ID, ERASE_FUNC)
