"""The audit table (ids only: it outlives the records it speaks of)."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """Who did what to which record, when and why."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # view, deny, update, delete, export, import
    collection: Mapped[str] = mapped_column(String(24))
    object_id: Mapped[int | None] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(String(80), default="")
    via: Mapped[str] = mapped_column(String(8), default="web")  # web or api
    at = mapped_column(UTCDateTime, default=utcnow, index=True)
