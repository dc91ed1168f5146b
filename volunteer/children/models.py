"""Children, guardian consent and change history: the most sensitive data Huhang holds."""
import secrets
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

# One official primary category per child (they are counted that way); disability is a separate flag.
CATEGORIES = {
    "orphan": _l("Orphan"),
    "de_facto_unsupported": _l("De-facto unsupported child"),
    "difficult": _l("Child in difficult circumstances"),
    "left_behind": _l("Rural left-behind child"),
}
GENDERS = {"f": _l("Girl"), "m": _l("Boy")}
PURPOSES = {
    "care_services": _l("Care services: visits, case and group services, activities"),
    "wishes": _l("Micro-wishes and gift packs"),
    "care_and_wishes": _l("Care services, micro-wishes and gift packs"),
}
CONSENT_TEXT_VERSION = "2026-11"


def new_ref() -> str:
    """A random public reference, so URLs and cards never expose row ids."""
    return secrets.token_hex(5)


class Child(db.Model):
    """A child in hardship, with guardian, home location (WGS-84) and division codes."""

    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(12), unique=True, default=new_ref)
    name: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(24), index=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    district_code: Mapped[str] = mapped_column(String(12), index=True)
    town_code: Mapped[str] = mapped_column(String(12), index=True)
    village: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    school: Mapped[str | None] = mapped_column(String(80))
    grade: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    photo_path: Mapped[str | None] = mapped_column(String(80))
    guardian_name: Mapped[str | None] = mapped_column(String(40))
    guardian_relation: Mapped[str | None] = mapped_column(String(20))
    guardian_phone: Mapped[str | None] = mapped_column(String(16))
    # Indexed: deleting consents (a child's removal, the demo's reset) looks up the children pointing at them.
    consent_id: Mapped[int | None] = mapped_column(
        ForeignKey("consent.id", use_alter=True, ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    consent = relationship("Consent", foreign_keys=[consent_id], post_update=True)


class Consent(db.Model):
    """A guardian's consent: who, when, for which purpose, under which text version."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    given_by: Mapped[str] = mapped_column(String(40))
    relation: Mapped[str] = mapped_column(String(20))
    given_on: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(24))
    text_version: Mapped[str] = mapped_column(String(16))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow)


class ChildHistory(db.Model):
    """One change to a child's record: who, when, what (old and new values, JSON)."""

    __tablename__ = "child_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[str] = mapped_column(Text, default="{}")
    at = mapped_column(UTCDateTime, default=utcnow)


class AccessGrant(db.Model):
    """Time-boxed right of one user to see one child's exact details (e.g. an accepted visit)."""

    __tablename__ = "access_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    starts_at = mapped_column(UTCDateTime)
    ends_at = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(40))
