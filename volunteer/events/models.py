"""The outbox table."""
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow


class OutboxEvent(db.Model):
    """A domain event (topic + ids) waiting to be handed to the job queue."""

    __tablename__ = "outbox_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(48), index=True)
    subject: Mapped[str] = mapped_column(String(40), index=True)  # e.g. "child:12", for erasure
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON of ids only
    created_at = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at = mapped_column(UTCDateTime, index=True)
    handled_at = mapped_column(UTCDateTime, index=True)  # every handler's job has committed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(200), default="")


class OutboxHandled(db.Model):
    """One handler of an event that has run to its end (an event is done when all of them have)."""

    __tablename__ = "outbox_handled"

    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_event.id", ondelete="CASCADE"), primary_key=True)
    handler: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    handled_at = mapped_column(UTCDateTime, default=utcnow)
