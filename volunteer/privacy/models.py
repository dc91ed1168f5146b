"""A version of the privacy notice, with its text, and a user's consent to one version."""
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow


class PrivacyNotice(db.Model):
    """One published version of the privacy notice; the newest published is the one users must accept."""

    __tablename__ = "privacy_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20), unique=True)
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    published_at = mapped_column(UTCDateTime, default=utcnow, index=True)


class PrivacyConsent(db.Model):
    """A user's explicit consent to one version of the notice: who, which version, when, and where given."""

    __tablename__ = "privacy_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("privacy_notice.id", ondelete="RESTRICT"))
    given_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    via: Mapped[str] = mapped_column(String(12))  # "signup" or "login" (asked again for a new version)
