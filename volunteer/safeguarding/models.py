"""A volunteer's proof of one safeguarding check (e.g. 无犯罪记录证明) and its verification."""
from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow

CHECK_STATUSES = ("pending", "verified", "rejected")


class SafeguardingCheck(db.Model):
    """One uploaded proof of a check kind; the newest verified, unexpired one of a kind is what counts."""

    __tablename__ = "safeguarding_check"
    __table_args__ = (Index("ix_safeguarding_check_user_kind", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))  # e.g. "no_criminal_record"
    file_name: Mapped[str] = mapped_column(String(255))  # under the instance folder, never under static/
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    issued_on = mapped_column(Date)  # the date on the certificate
    expires_on = mapped_column(Date)  # issued_on + the kind's validity, set when verified
    status: Mapped[str] = mapped_column(String(10), default="pending")
    reason: Mapped[str | None] = mapped_column(String(200))  # why rejected
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    verified_at = mapped_column(UTCDateTime)
    reminded_at = mapped_column(UTCDateTime)  # the expiry reminder, sent once
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow)
