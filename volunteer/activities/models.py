"""An activity (group service, community activity, camp, ...) and its volunteers' sign-ups."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow

ACTIVITY_STATUSES = {"draft": _l("Draft"), "published": _l("Published"), "closed": _l("Sign-up closed"),
                     "done": _l("Done"), "cancelled": _l("Cancelled")}
ACTIVITY_FLOW = {
    "draft": {"published", "cancelled"},
    "published": {"closed", "cancelled"},
    "closed": {"done", "cancelled"},
    "done": set(),
    "cancelled": set(),
}
SIGNUP_STATUSES = {"confirmed": _l("Confirmed"), "waitlisted": _l("On the waitlist"),
                   "cancelled": _l("Cancelled")}
# A sign-up's hours: none until sign-out, then pending until the organiser approves (or corrects) them.
HOURS_STATUSES = {"pending": _l("Waiting for approval"), "approved": _l("Approved")}


class Activity(db.Model):
    """One activity with a venue point, a number of volunteer places and a sign-up deadline."""

    __tablename__ = "activity"
    # nearby(): published activities in a lat/lon box (the same widening boxes as near me).
    __table_args__ = (Index("ix_activity_status_lat_lon", "status", "lat", "lon"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    service_type: Mapped[str] = mapped_column(String(30))  # a key of needs.models.SERVICE_TYPES
    starts_at = mapped_column(UTCDateTime, nullable=False)
    ends_at = mapped_column(UTCDateTime, nullable=False)
    signup_deadline = mapped_column(UTCDateTime, nullable=False)
    venue: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float] = mapped_column(Float)  # WGS-84
    lon: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str] = mapped_column(String(12), index=True)
    town_code: Mapped[str | None] = mapped_column(String(12))
    places: Mapped[int] = mapped_column(Integer)
    places_taken: Mapped[int] = mapped_column(Integer, default=0)  # confirmed sign-ups; the conditional update
    waitlist_seq: Mapped[int] = mapped_column(Integer, default=0)  # the last waitlist position given
    skills: Mapped[str] = mapped_column(String(200), default="")  # required skill codes, space-separated
    min_age: Mapped[int | None] = mapped_column(Integer)
    children_expected: Mapped[int] = mapped_column(Integer, default=0)  # children taking part, not registered
    venue_radius_m: Mapped[int] = mapped_column(Integer, default=500)  # a QR sign-in's phone must be this near
    status: Mapped[str] = mapped_column(String(10), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow)

    @property
    def skill_codes(self) -> list[str]:
        return self.skills.split() if self.skills else []


class ActivitySignup(db.Model):
    """One volunteer's sign-up: confirmed (a place), waitlisted (at a position) or cancelled."""

    __tablename__ = "activity_signup"
    # The backstop: one row per volunteer and activity, whatever the race.
    __table_args__ = (UniqueConstraint("activity_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    position: Mapped[int | None] = mapped_column(Integer)  # waitlist order (1, 2, ...), None when confirmed
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow)
    # Attendance: by QR (signed_in_by_id None) or by the organiser's hand (their id, and the reason).
    signed_in_at = mapped_column(UTCDateTime)
    signed_out_at = mapped_column(UTCDateTime)
    signed_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    attendance_note: Mapped[str | None] = mapped_column(String(200))
    # Hours: minutes from sign-in to sign-out (capped by the activity's end), then approved or corrected.
    minutes: Mapped[int | None] = mapped_column(Integer)
    hours_status: Mapped[str | None] = mapped_column(String(10))  # a key of HOURS_STATUSES
    approved_minutes: Mapped[int | None] = mapped_column(Integer)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at = mapped_column(UTCDateTime)
    hours_reason: Mapped[str | None] = mapped_column(String(200))  # why the organiser corrected the minutes
    # Reminders sent (set by a conditional update, so a reminder job run twice sends once).
    reminded_24h_at = mapped_column(UTCDateTime)
    reminded_2h_at = mapped_column(UTCDateTime)


class ActivityChild(db.Model):
    """A registered child taking part in an activity (from the organiser's scope)."""

    __tablename__ = "activity_child"
    __table_args__ = (UniqueConstraint("activity_id", "child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)


class Certificate(db.Model):
    """A service certificate (志愿服务证明) issued to a volunteer for a period: what it said, frozen, so the
    public check shows exactly what was printed."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # printed, and in the check URL
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    masked_name: Mapped[str] = mapped_column(String(40))
    period_start = mapped_column(Date, nullable=False)
    period_end = mapped_column(Date, nullable=False)
    minutes: Mapped[int] = mapped_column(Integer)
    activities: Mapped[int] = mapped_column(Integer)  # activities and visits counted
    issuer: Mapped[str] = mapped_column(String(120))
    issued_at = mapped_column(UTCDateTime, default=utcnow)
