"""Account rules: register, authenticate, create staff accounts."""
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..types import utcnow
from .models import ROLES, SCOPE_LEVELS, User


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """Checked against when the phone is unknown, so a wrong number costs the same time as a wrong password."""
    return generate_password_hash("not-a-real-password", method=method)


def _method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


class AccountError(ValueError):
    """A domain error with a user-facing message; field names the form field it belongs to."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def hash_password(password: str) -> str:
    """Hash a password for storage (PASSWORD_HASH_METHOD)."""
    return generate_password_hash(password, method=_method())


def register_volunteer(phone: str, name: str, password: str | None = None, email: str | None = None,
                       password_hash: str | None = None) -> User:
    """Create a volunteer with an empty profile and queue the welcome notification."""
    from ..tasks.services import dispatch, record
    from ..volunteers.models import VolunteerProfile

    email = (email or "").strip().lower() or None
    if db.session.scalar(select(User.id).where(User.phone == phone)):
        raise AccountError(_l("This mobile number is already registered. Log in instead."), "phone")
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError(_l("This email address is already registered."), "email")
    user = User(phone=phone, name=name.strip(), email=email,
                password_hash=password_hash or hash_password(password), role="volunteer")
    db.session.add(user)
    try:
        db.session.flush()
        db.session.add(VolunteerProfile(user_id=user.id))
        job = record("jobs.notifications.send_welcome", user.id, kind="welcome",
                     queue="notifications", owner_id=user.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AccountError(_l("This mobile number is already registered. Log in instead."), "phone") from None
    dispatch(job)
    return user


def authenticate(phone: str, password: str) -> User:
    """Return the active user with this phone and password, or raise AccountError."""
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is None:
        check_password_hash(_dummy_hash(_method()), password)
    if user is None or not check_password_hash(user.password_hash, password) or not user.active:
        raise AccountError(_l("Wrong mobile number or password."))
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def change_password(user: User, password: str, keep_session: str | None = None) -> None:
    """Set a new password and end every other session of the user (API tokens are not sessions)."""
    from .sessions import end_all_sessions

    user.password_hash = hash_password(password)
    db.session.commit()
    end_all_sessions(user.id, keep=keep_session)


def change_own_password(user: User, current: str, password: str, keep_session: str | None = None) -> None:
    """Change a user's password after checking the current one and the new one's strength."""
    from .passwords import weakness

    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError(_l("Your current password is wrong."), "current")
    problem = weakness(password, user.phone, user.name)
    if problem:
        raise AccountError(problem, "password")
    change_password(user, password, keep_session=keep_session)


def create_staff(phone: str, name: str, password: str, role: str = "admin",
                 scope_level: str | None = None, scope_code: str | None = None,
                 organisation_id: int | None = None) -> User:
    """Create an admin, coordinator or organisation account."""
    if role not in ROLES:
        raise AccountError(_l("Unknown role."), "role")
    if role == "coordinator":
        if scope_level not in SCOPE_LEVELS:
            raise AccountError(_l("A coordinator needs a scope: city, district, town or village."), "scope")
        if scope_level != "city" and not scope_code:
            raise AccountError(_l("Give the division code of the coordinator's scope."), "scope")
    if role in ("org_member", "org_admin") and not organisation_id:
        raise AccountError(_l("An organisation account needs an organisation."), "organisation")
    if db.session.scalar(select(User.id).where(User.phone == phone)):
        raise AccountError(_l("This mobile number is already registered. Log in instead."), "phone")
    user = User(phone=phone, name=name, password_hash=hash_password(password), role=role,
                scope_level=scope_level if role == "coordinator" else None,
                scope_code=scope_code if role == "coordinator" else None,
                organisation_id=organisation_id)
    db.session.add(user)
    db.session.commit()
    return user
