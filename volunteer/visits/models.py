"""Visits: a need served in a time window by volunteers (offers they accept) or an organisation team."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

# "offered" in neutral words; present.waiting_label says whose turn it is for each viewer.
VISIT_STATUSES = {
    "proposed": _l("Proposed"), "offered": _l("Waiting for an answer"), "accepted": _l("Accepted"),
    "checked_in": _l("Checked in"), "done": _l("Done"), "expired": _l("Expired"),
    "declined": _l("Declined"), "cancelled": _l("Cancelled"), "flagged": _l("Flagged for review"),
}
ASSIGNEE_STATUSES = {"offered": _l("Waiting for an answer"), "accepted": _l("Accepted"), "declined": _l("Declined"),
                     "expired": _l("Expired"), "withdrawn": _l("Withdrawn")}
# A visit in one of these states still holds its volunteers' time (overlap checks, monthly load).
ACTIVE_STATUSES = ("proposed", "offered", "accepted", "checked_in")
# Services delivered in the child's home: two adults go (a pair or an organisation team), a setting.
LIVE_SQL = "status IN (%s)" % ", ".join(f"'{s}'" for s in ACTIVE_STATUSES)  # for the partial index
HOME_SERVICE_TYPES = frozenset({"home_visit_survey", "case_service", "companionship"})
SOURCES = ("manual", "auto", "offer")


class Visit(db.Model):
    """One visit to serve a need in a time window (UTC), by volunteers or an organisation team."""

    __tablename__ = "visit"
    # At most one live visit per need, whatever races: the database refuses a second one.
    __table_args__ = (Index("uq_visit_live_need", "need_id", unique=True, sqlite_where=text(LIVE_SQL),
                            postgresql_where=text(LIVE_SQL)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    starts_at = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(12), default="offered", index=True)
    source: Mapped[str] = mapped_column(String(8), default="manual")
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    offer_expires_at = mapped_column(UTCDateTime, index=True)  # an unanswered offer goes back to the pool then
    # Check-in / check-out (the first helper in and the last out); the distance is kept, never the point.
    checked_in_at = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    check_in_method: Mapped[str | None] = mapped_column(String(8))  # gps | override
    check_in_distance_m: Mapped[float | None] = mapped_column(Float)
    override_reason: Mapped[str | None] = mapped_column(String(200))
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    checked_out_at = mapped_column(UTCDateTime)
    # Taken offline: checked_in_at/checked_out_at are the phone's recorded times; these say when they arrived.
    check_in_synced_at = mapped_column(UTCDateTime)
    check_out_synced_at = mapped_column(UTCDateTime)
    service_minutes: Mapped[int | None] = mapped_column(Integer)
    # How the bureau counts it (volunteer/needs/catalogue.py): None = the need's type's default; content
    # "none" = no content. children_served: person-times of the service (12 for a group of 12 children).
    service_form: Mapped[str | None] = mapped_column(String(24))
    service_content: Mapped[str | None] = mapped_column(String(24))
    children_served: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    flag_reason: Mapped[str | None] = mapped_column(String(200))

    assignees = relationship("VisitAssignee", cascade="all, delete-orphan", passive_deletes=True,
                             order_by="VisitAssignee.id", back_populates="visit")
    need = relationship("Need")
    child = relationship("Child")
    org = relationship("Organisation")
    report = relationship("VisitReport", uselist=False, cascade="all, delete-orphan", passive_deletes=True,
                          back_populates="visit")


class VisitAssignee(db.Model):
    """One volunteer's offer for a visit: offered, then accepted, declined or expired."""

    __tablename__ = "visit_assignee"
    __table_args__ = (UniqueConstraint("visit_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="offered", index=True)
    offered_at = mapped_column(UTCDateTime, default=utcnow)
    expires_at = mapped_column(UTCDateTime)
    responded_at = mapped_column(UTCDateTime)
    checked_in_at = mapped_column(UTCDateTime)
    checked_out_at = mapped_column(UTCDateTime)
    service_minutes: Mapped[int | None] = mapped_column(Integer)

    visit = relationship("Visit", back_populates="assignees")
    user = relationship("User")


class VisitReport(db.Model):
    """What the helpers saw (body, mind, social, intellect), the next follow-up, the coordinator's review."""

    __tablename__ = "visit_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    mind: Mapped[str] = mapped_column(Text, default="")
    social: Mapped[str] = mapped_column(Text, default="")
    intellect: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    synced_at = mapped_column(UTCDateTime)  # filled offline: when it arrived (created_at: when it was submitted)
    reviewed_at = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    review_note: Mapped[str | None] = mapped_column(String(500))

    visit = relationship("Visit", back_populates="report")
    photos = relationship("VisitPhoto", cascade="all, delete-orphan", passive_deletes=True,
                          order_by="VisitPhoto.id")


class VisitPhoto(db.Model):
    """A photo taken on a visit: private, coordinators only (re-encoded, EXIF stripped)."""

    __tablename__ = "visit_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("visit_report.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(80))
    created_at = mapped_column(UTCDateTime, default=utcnow)


class AutoassignProposal(db.Model):
    """An auto-assign run's proposal (ids and numbers only, JSON), what the coordinator chose to send, and
    which needs were confirmed into visits (ProposalVisit): kept in the database, so no Redis restart
    loses it."""

    __tablename__ = "autoassign_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    rq_id: Mapped[str] = mapped_column(String(64), unique=True)  # the proposing job's id (its JobRecord)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    expires_at = mapped_column(UTCDateTime, index=True)
    body: Mapped[str] = mapped_column(Text)  # the proposal
    choices: Mapped[str] = mapped_column(Text, default="{}")  # {"drop": [need ids], "changes": {need: [ids]}}
    errors: Mapped[str] = mapped_column(Text, default="{}")  # {need id: why it could not be sent}
    result: Mapped[str] = mapped_column(Text, default="{}")  # the last confirmation's counts
    confirm_job: Mapped[str | None] = mapped_column(String(64))  # the latest confirming job's id


class ProposalVisit(db.Model):
    """A visit an auto-assign proposal made, one per need: written in the visit's own transaction."""

    __tablename__ = "autoassign_visit"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("autoassign_proposal.id", ondelete="CASCADE"),
                                             primary_key=True)
    need_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
