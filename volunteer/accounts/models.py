"""The user table: one row per person who logs in."""
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
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

    organisation = relationship("Organisation")

    @property
    def is_active(self):
        return self.active

    @property
    def is_staff(self) -> bool:
        """Coordinators and admins run the work."""
        return self.role in ("coordinator", "admin")

    @property
    def role_label(self):
        return ROLES.get(self.role, self.role)


_load_options: list = []


@login_manager.user_loader
def _load_user(user_id):
    if not user_id.isdigit():
        return None
    if not _load_options:
        # The volunteer profile comes along (one query, not two): most pages read it. Built on first use:
        # User.profile is a backref that exists only once the mappers are configured (a fresh worker
        # process may load a user before any query has configured them).
        configure_mappers()
        _load_options.append(joinedload(User.profile))
    return db.session.get(User, int(user_id), options=_load_options)
