"""The job table: one row per user-visible background job."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow

STATUSES = ("pending", "queued", "started", "finished", "failed", "retried")
# What each kind of job does, as its owner reads it (the failed-jobs page).
KINDS = {
    "notify": _l("Sending a notification"), "welcome": _l("Welcome message"),
    "visit_expiry": _l("Expiring unanswered visit offers"), "visit_reminder": _l("Visit reminder"),
    "autoassign": _l("Auto-assign proposal"), "autoassign.confirm": _l("Confirming auto-assigned visits"),
    "logistics.allocate": _l("Gift-pack allocation"), "logistics.packing": _l("Packing lists"),
    "logistics.routes": _l("Delivery runs"),
}


class JobRecord(db.Model):
    """A background job as users see it: kind, owner, status and progress."""

    __tablename__ = "job_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    rq_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    queue: Mapped[str] = mapped_column(String(32))
    func: Mapped[str] = mapped_column(String(128))
    args: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of ids
    subject: Mapped[str] = mapped_column(String(40), default="", index=True)  # e.g. "child:12"
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(String(200), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    started_at = mapped_column(UTCDateTime)
    finished_at = mapped_column(UTCDateTime)


class JobLease(db.Model):
    """A lease on work that must not run twice at once: one owner (a job id) until it expires."""

    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)  # e.g. "autoassign.confirm:12"
    owner: Mapped[str] = mapped_column(String(64))
    expires_at = mapped_column(UTCDateTime, nullable=False)
