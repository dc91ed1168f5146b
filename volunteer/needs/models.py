"""Service needs and micro-wishes, each with its own status life cycle."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

DIMENSIONS = {"body": _l("Body"), "mind": _l("Mind"), "social": _l("Social"), "intellect": _l("Intellect")}
SERVICE_TYPES = {
    "home_visit_survey": _l("Home-visit survey"),
    "case_service": _l("Case service"),
    "group_service": _l("Group service"),
    "community_activity": _l("Community activity"),
    "tutoring": _l("Tutoring"),
    "counselling": _l("Psychological counselling"),
    "rehabilitation": _l("Rehabilitation"),
    "companionship": _l("Companionship"),
    "safety_education": _l("Safety education"),
    "camp": _l("Camp"),
}
URGENCIES = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}
RHYTHMS = {"once": _l("Once"), "weekly": _l("Every week"), "monthly": _l("Every month"),
           "quarterly": _l("Every quarter")}
NEED_STATUSES = {"open": _l("Open"), "assigned": _l("Assigned"), "in_progress": _l("In progress"),
                 "done": _l("Done"), "cancelled": _l("Cancelled")}
# Allowed moves of a need's status; anything else is refused with a clear message.
NEED_FLOW = {
    "open": {"assigned", "cancelled"},
    "assigned": {"in_progress", "open", "cancelled"},
    "in_progress": {"done", "open", "cancelled"},
    "done": {"open"},
    "cancelled": {"open"},
}
WISH_CATEGORIES = {"study": _l("Study supplies"), "books": _l("Books"), "clothing": _l("Clothing"),
                   "sports": _l("Sports"), "toys": _l("Toys"), "daily": _l("Daily necessities"),
                   "other": _l("Other")}
WISH_STATUSES = {"draft": _l("Draft"), "published": _l("Published"), "claimed": _l("Claimed"),
                 "bought": _l("Bought"), "delivered": _l("Delivered to the hub"),
                 "received": _l("Received"), "cancelled": _l("Cancelled")}
WISH_FLOW = {
    "draft": {"published", "cancelled"},
    "published": {"claimed", "draft", "cancelled"},
    "claimed": {"bought", "published", "cancelled"},
    "bought": {"delivered", "cancelled"},
    "delivered": {"received"},
    "received": set(),
    "cancelled": {"draft"},
}
# The moves staff make by hand; claiming, buying and delivering are the donor's steps, and "received"
# is confirmed with the receipt code (volunteer/wishes).
STAFF_WISH_FLOW = {
    "draft": {"published", "cancelled"},
    "published": {"draft", "cancelled"},
    "claimed": {"published", "cancelled"},
    "bought": {"cancelled"},
    "delivered": set(),
    "received": set(),
    "cancelled": {"draft"},
}
# The buttons that make each allowed move (the same pairs as NEED_FLOW and STAFF_WISH_FLOW; a test holds
# them together), the usual next step first.
NEED_ACTIONS = {
    "open": {"assigned": _l("Mark as assigned"), "cancelled": _l("Cancel the need")},
    "assigned": {"in_progress": _l("Mark as in progress"), "open": _l("Back to open"),
                 "cancelled": _l("Cancel the need")},
    "in_progress": {"done": _l("Mark as done"), "open": _l("Back to open"), "cancelled": _l("Cancel the need")},
    "done": {"open": _l("Reopen")},
    "cancelled": {"open": _l("Reopen")},
}
WISH_ACTIONS = {
    "draft": {"published": _l("Publish"), "cancelled": _l("Cancel the wish")},
    "published": {"draft": _l("Back to draft"), "cancelled": _l("Cancel the wish")},
    "claimed": {"published": _l("Release the claim"), "cancelled": _l("Cancel the wish")},
    "bought": {"cancelled": _l("Cancel the wish")},
    "delivered": {},
    "received": {},
    "cancelled": {"draft": _l("Restore as a draft")},
}


class Need(db.Model):
    """A service need of one child: what, along which dimension, how urgent, how often, when."""

    __tablename__ = "need"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(10))
    service_type: Mapped[str] = mapped_column(String(24), index=True)
    urgency: Mapped[str] = mapped_column(String(8), default="normal")
    rhythm: Mapped[str] = mapped_column(String(10), default="once")
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    details: Mapped[str | None] = mapped_column(Text)  # coordinators only: may describe the child
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    team_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    skills = relationship("NeedSkill", cascade="all, delete-orphan", passive_deletes=True)
    child = relationship("Child", backref=db.backref("needs", passive_deletes="all", order_by="Need.id"))
    team = relationship("Organisation")

    @property
    def skill_codes(self) -> list[str]:
        return sorted(s.skill for s in self.skills)


class NeedSkill(db.Model):
    """A skill a need requires."""

    __tablename__ = "need_skill"
    __table_args__ = (UniqueConstraint("need_id", "skill"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    skill: Mapped[str] = mapped_column(String(24), index=True)


class Wish(db.Model):
    """A child's micro-wish (微心愿): an item, its category and estimated price."""

    __tablename__ = "wish"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(12), unique=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(10))
    price_yuan: Mapped[int] = mapped_column(Integer)
    photo_path: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("wish_event.id", ondelete="SET NULL"), index=True)
    # Set by the one claim that wins (a conditional update on status and this column); see wishes.claims.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    child = relationship("Child", backref=db.backref("wishes", passive_deletes="all", order_by="Wish.id"))
