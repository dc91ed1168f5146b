"""The user table: one row per person who logs in."""
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, configure_mappers, joinedload, mapped_column, relationship

from ..extensions import db, login_manager
from ..types import UTCDateTime, utcnow

ROLES = {
    "volunteer": _l("Volunteer"),
    "org_member": _l("Organisation member"),
    "org_admin": _l("Organisation admin"),
    "coordinator": _l("Coordinator"),
    "admin": _l("Administrator"),
}
SCOPE_LEVELS = {
    "city": _l("City"),
    "district": _l("District"),
    "town": _l("Town or street"),
    "village": _l("Village or community"),
}


class User(UserMixin, db.Model):
    """A person with a role; coordinators also have a scope (city, district, town or village)."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), unique=True)  # E.164, e.g. +8613800138000
    name: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="volunteer", index=True)
    scope_level: Mapped[str | None] = mapped_column(String(8))
    scope_code: Mapped[str | None] = mapped_column(String(12))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    last_login_at = mapped_column(UTCDateTime)
    # Account deletion: asked for at deletion_requested_at; personal data erased after the grace period
    # (erased_at); the row stays so service records keep their helper, shown as "已注销志愿者".
    deletion_requested_at = mapped_column(UTCDateTime)
    erased_at = mapped_column(UTCDateTime)

    organisation = relationship("Organisation")

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        # Flask-Login stores this in the session and the remember cookie: the user and the server-side
        # session (UserSession) it belongs to, so ending that session voids both cookies.
        sid = getattr(self, "session_id", None)
        return f"{self.id}:{sid}" if sid else str(self.id)

    @property
    def is_staff(self) -> bool:
        """Coordinators and admins run the work."""
        return self.role in ("coordinator", "admin")

    @property
    def role_label(self):
        return ROLES.get(self.role, self.role)


class UserSession(db.Model):
    """A logged-in session (browser), kept on the server so logging out ends it everywhere it was copied."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the id in the cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)


class SignupRequest(db.Model):
    """A sign-up waiting for the code sent to its phone; the account exists only once the code is entered."""

    __tablename__ = "signup_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(16))
    code_hash: Mapped[str | None] = mapped_column(String(64))  # HMAC of the code; None until it is sent
    tries: Mapped[int] = mapped_column(Integer, default=0)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    notice_id: Mapped[int | None] = mapped_column(Integer)  # the privacy notice ticked at sign-up


class VerificationCode(db.Model):
    """A code sent by SMS for a password reset or a phone-number change: hashed, short-lived, few tries."""

    __tablename__ = "verification_code"
    __table_args__ = (Index("ix_verification_code_phone_purpose", "phone", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(12))  # "reset" or "phone"
    phone: Mapped[str] = mapped_column(String(16))  # E.164: the number the code went to
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))  # None: no such account
    code_hash: Mapped[str] = mapped_column(String(64))
    tries: Mapped[int] = mapped_column(Integer, default=0)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    used_at = mapped_column(UTCDateTime)


_load_options: list = []


@login_manager.user_loader
def _load_user(user_id):
    from .sessions import is_live

    uid, _, sid = user_id.partition(":")
    if not uid.isdigit() or not sid or not is_live(int(uid), sid):
        return None
    if not _load_options:
        # The volunteer profile comes along (one query, not two): most pages read it. Built on first use:
        # User.profile is a backref that exists only once the mappers are configured (a fresh worker
        # process may load a user before any query has configured them).
        configure_mappers()
        _load_options.append(joinedload(User.profile))
    user = db.session.get(User, int(uid), options=_load_options)
    if user is not None:
        user.session_id = sid
    return user
