"""Wish events (a care event with its list of wishes) and claims (one donor per wish)."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

EVENT_STATUSES = {"draft": _l("Draft"), "published": _l("Published")}
CLAIM_STATUSES = {"active": _l("Claimed"), "released": _l("Released"), "done": _l("Fulfilled"),
                  "cancelled": _l("Cancelled")}
DESTINATIONS = {"hub": _l("The town hub (civil-affairs office)"), "director": _l("The child director")}


class WishEvent(db.Model):
    """A care event (name, date, place) whose list of micro-wishes donors claim together."""

    __tablename__ = "wish_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(120))
    # The scope of the coordinator who made it (district, town or village code; None: the whole city).
    area_code: Mapped[str | None] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow)


class WishClaim(db.Model):
    """One donor's claim of one wish, from the tap to the child's thank-you (or its release)."""

    __tablename__ = "wish_claim"
    # The backstop: while a claim is live, active_wish_id holds its wish id, and no two rows may share it.
    __table_args__ = (UniqueConstraint("active_wish_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(ForeignKey("wish.id", ondelete="CASCADE"), index=True)
    active_wish_id: Mapped[int | None] = mapped_column(Integer)
    donor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    claimed_at = mapped_column(UTCDateTime, default=utcnow)
    expires_at = mapped_column(UTCDateTime)
    bought_at = mapped_column(UTCDateTime)
    delivered_at = mapped_column(UTCDateTime)
    delivered_to: Mapped[str | None] = mapped_column(String(10))
    received_at = mapped_column(UTCDateTime)
    released_at = mapped_column(UTCDateTime)
    receipt_hash: Mapped[str | None] = mapped_column(String(64))
    receipt_failures: Mapped[int] = mapped_column(Integer, default=0)
    receipt_locked_until = mapped_column(UTCDateTime)
    thanks: Mapped[str | None] = mapped_column(String(300))
    thanks_at = mapped_column(UTCDateTime)

    wish = relationship("Wish")
    donor = relationship("User")
    org = relationship("Organisation")
