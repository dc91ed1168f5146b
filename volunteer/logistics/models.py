"""Gift-pack logistics: hubs, pack kinds, stock and its ledger, campaigns, allocations, delivery runs."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

HUB_KINDS = {"warehouse": _l("Warehouse"), "town": _l("Town hub")}
FAMILIES = {"school_bag": _l("School bag and stationery"), "winter_clothes": _l("Winter clothes"),
            "books": _l("Books"), "other": _l("Other")}
MOVEMENTS = {"in": _l("Received"), "out": _l("Issued"), "transfer": _l("Transfer"),
             "adjustment": _l("Adjustment"), "return": _l("Returned")}
CAMPAIGN_STATUSES = {"open": _l("Open"), "proposed": _l("Proposal ready"), "confirmed": _l("Confirmed"),
                     "closed": _l("Closed")}
ALLOCATION_STATUSES = {"proposed": _l("Proposed"), "confirmed": _l("Confirmed"), "delivered": _l("Delivered"),
                       "returned": _l("Returned to stock"), "cancelled": _l("Cancelled")}
STOP_STATUSES = {"pending": _l("To deliver"), "delivered": _l("Delivered"), "missed": _l("Not delivered")}


class Hub(db.Model):
    """A place that holds stock: a warehouse, or a town hub run by the town's child supervisor."""

    __tablename__ = "hub"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(12), default="town")
    division_code: Mapped[str] = mapped_column(String(12), index=True)  # town (or district) it serves
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # A retired hub (no stock, nothing on its way) is no longer a source for allocations or transfers.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at = mapped_column(UTCDateTime, default=utcnow)

    supervisor = relationship("User")


class PackKind(db.Model):
    """A kind of gift pack: contents and who may get it (category, age, grade, clothing size)."""

    __tablename__ = "pack_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    family: Mapped[str] = mapped_column(String(16), default="other")  # a child gets one pack per family
    contents: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[str] = mapped_column(String(80), default="")  # comma list; empty: every category
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    min_grade: Mapped[int | None] = mapped_column(Integer)  # 1-12 (primary 1-6, junior 7-9, senior 10-12)
    max_grade: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[str | None] = mapped_column(String(8))  # clothing size (height cm), e.g. "130"
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # offered to new campaigns
    created_at = mapped_column(UTCDateTime, default=utcnow)


class Stock(db.Model):
    """Packs of one kind on hand (and not yet promised) at one hub; never below zero."""

    __tablename__ = "stock"
    __table_args__ = (UniqueConstraint("hub_id", "kind_id"), CheckConstraint("qty >= 0", name="qty_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("pack_kind.id", ondelete="CASCADE"), index=True)
    qty: Mapped[int] = mapped_column(Integer, default=0)


class Movement(db.Model):
    """One ledger line: delta packs of a kind at a hub; the sum of a hub's lines is its stock.

    key makes a movement happen once however often a job or a form is replayed.
    """

    __tablename__ = "stock_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("pack_kind.id", ondelete="CASCADE"), index=True)
    movement: Mapped[str] = mapped_column(String(12))
    delta: Mapped[int] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(120), default="")
    at = mapped_column(UTCDateTime, default=utcnow)


campaign_kind = db.Table(
    "campaign_kind", db.metadata,
    db.Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    db.Column("kind_id", ForeignKey("pack_kind.id", ondelete="CASCADE"), primary_key=True),
)


class Campaign(db.Model):
    """A distribution (Children's Day, a new school year) over the children in its scope."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    scope_code: Mapped[str] = mapped_column(String(12), default="")  # '' for the whole city
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)  # +1 when a proposal is cancelled
    shortfalls: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{kind_id, hub_id, missing}]
    allocation_job: Mapped[str] = mapped_column(String(64), default="")
    packing_job: Mapped[str] = mapped_column(String(64), default="")
    routing_job: Mapped[str] = mapped_column(String(64), default="")
    packing_error: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at = mapped_column(UTCDateTime)

    kinds = relationship("PackKind", secondary=campaign_kind, order_by="PackKind.id")


class DeliveryRun(db.Model):
    """One vehicle's trip from a hub to the villages' child directors, stops in solver order."""

    __tablename__ = "delivery_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)  # within the hub
    capacity: Mapped[int] = mapped_column(Integer)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    km: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(12), default="planned")  # planned, finished
    created_at = mapped_column(UTCDateTime, default=utcnow)
    finished_at = mapped_column(UTCDateTime)

    hub = relationship("Hub")
    driver = relationship("User")
    stops = relationship("Stop", order_by="Stop.seq", back_populates="run")


class Stop(db.Model):
    """A village on a run: its packs are handed to the child director, who gives a receipt code."""

    __tablename__ = "delivery_stop"
    __table_args__ = (UniqueConstraint("run_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("delivery_run.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    town_code: Mapped[str] = mapped_column(String(12))
    village: Mapped[str] = mapped_column(String(60), default="")
    lat: Mapped[float] = mapped_column(Float)  # a grid-cell centre, never a home
    lon: Mapped[float] = mapped_column(Float)
    packs: Mapped[int] = mapped_column(Integer, default=0)
    receipt_code: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    tries: Mapped[int] = mapped_column(Integer, default=0)  # wrong receipt codes entered
    delivered_at = mapped_column(UTCDateTime)

    run = relationship("DeliveryRun", back_populates="stops")


class Allocation(db.Model):
    """One pack of one kind for one child in a campaign, from one hub; its stock left the hub when it was
    proposed (an 'out' movement) and comes back with a 'return' movement if it is cancelled or not delivered."""

    __tablename__ = "allocation"
    __table_args__ = (UniqueConstraint("campaign_id", "child_id", "kind_id"),
                      UniqueConstraint("campaign_id", "child_id", "family"),
                      UniqueConstraint("campaign_id", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("pack_kind.id", ondelete="CASCADE"))
    family: Mapped[str] = mapped_column(String(16))
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(24))  # the label's pack code, random (allocation.pack_code)
    km: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(12), default="proposed", index=True)
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_stop.id", ondelete="SET NULL"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
