"""The in-app inbox."""
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow


class Notification(db.Model):
    """One message to one user; key makes sending idempotent (one per event and recipient)."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(32))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    read_at = mapped_column(UTCDateTime)
    # Rendered text is kept in the recipient's language at send time.
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
