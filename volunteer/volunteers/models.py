"""Volunteer profile, skills (with credentials) and weekly availability."""
from sqlalchemy import Date, Float, ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

LOCATION_SOURCES = ("gps", "pin", "division")
CREDENTIAL_STATUSES = ("none", "pending", "verified", "rejected")


class VolunteerProfile(db.Model):
    """Where a volunteer lives (WGS-84), how far they go and how often."""

    __tablename__ = "volunteer_profile"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[str | None] = mapped_column(String(8))
    district_code: Mapped[str | None] = mapped_column(String(12), index=True)
    town_code: Mapped[str | None] = mapped_column(String(12), index=True)
    radius_km: Mapped[int] = mapped_column(Integer, default=5)
    max_visits_per_month: Mapped[int] = mapped_column(Integer, default=4)
    completed: Mapped[bool] = mapped_column(default=False)
    birth_date = mapped_column(Date)  # for activities with a minimum age (given, or read from the ID number)
    # Real-name ID number (GB 11643) for the national volunteer system's export: encrypted at rest, and a
    # masked form for every other display.
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    id_number_mask: Mapped[str | None] = mapped_column(String(24))
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", backref=db.backref("profile", uselist=False, passive_deletes=True))
    skills = relationship("VolunteerSkill", cascade="all, delete-orphan", passive_deletes=True,
                          order_by="VolunteerSkill.skill")
    slots = relationship("AvailabilitySlot", cascade="all, delete-orphan", passive_deletes=True)


class VolunteerSkill(db.Model):
    """One skill of a volunteer, with a credential where the skill needs one."""

    __tablename__ = "volunteer_skill"
    __table_args__ = (UniqueConstraint("user_id", "skill"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profile.user_id", ondelete="CASCADE"), index=True)
    skill: Mapped[str] = mapped_column(String(24), index=True)
    credential: Mapped[str | None] = mapped_column(String(200))
    credential_status: Mapped[str] = mapped_column(String(10), default="none")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    verified_at = mapped_column(UTCDateTime)


class AvailabilitySlot(db.Model):
    """A weekly slot (weekday 0=Monday, period am/pm/eve) when a volunteer is free."""

    __tablename__ = "availability_slot"
    __table_args__ = (UniqueConstraint("user_id", "weekday", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profile.user_id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    period: Mapped[str] = mapped_column(String(4))
