"""need_point: one row per OPEN need, denormalised for spatial matching.

The spatial index beside it depends on the database (see the migration and spatial.py):
- SQLite: an R*Tree virtual table `need_point_rtree(id, min_lat, max_lat, min_lon, max_lon)`, kept in
  step with need_point by triggers (so inserts, updates and FK cascade deletes all follow, in the same
  transaction);
- PostgreSQL with PostGIS: a generated column `need_point.geog geography(Point,4326)` + a GiST index;
- otherwise: the btree index on (lat, lon) below (it exists on every backend; BoxScan uses it).
None of those database-specific objects are in the models: `include_object` keeps Alembic's
autogenerate/compare away from them.
"""
from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow
from ..volunteers.models import VolunteerProfile

RTREE = "need_point_rtree"
GEOG_COLUMN = "geog"
GEOG_INDEX = "ix_need_point_geog"
# Tables PostGIS creates in the schema it is installed in.
POSTGIS_TABLES = {"spatial_ref_sys", "geometry_columns", "geography_columns"}


class NeedPoint(db.Model):
    """Where an open need is (the child's privacy-card point), and what matching filters on."""

    __tablename__ = "need_point"
    __table_args__ = (Index("ix_need_point_lat_lon", "lat", "lon"),)

    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    # The privacy-card point (cards.snap: a ~1.1 km grid-cell centre, or the snapped division point).
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # The child's exact point: for coordinators' find-helpers only, never shown to volunteers.
    exact_lat: Mapped[float | None] = mapped_column(Float)
    exact_lon: Mapped[float | None] = mapped_column(Float)
    service_type: Mapped[str] = mapped_column(String(24))
    skills_mask: Mapped[int] = mapped_column(Integer, default=0)  # bits over volunteers.skills.SKILLS
    urgency: Mapped[str] = mapped_column(String(8))
    window_end: Mapped[date | None] = mapped_column(Date)
    district_code: Mapped[str | None] = mapped_column(String(12), index=True)
    town_code: Mapped[str | None] = mapped_column(String(12), index=True)


# Volunteers' homes, for the reverse query (helpers near a need). Declared here, on the existing
# table, so the models and the migrations agree.
Index("ix_volunteer_profile_lat_lon", VolunteerProfile.__table__.c.lat, VolunteerProfile.__table__.c.lon)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: ignore the backend-specific spatial objects (R*Tree tables, PostGIS's tables,
    the geog column and its index), which the models deliberately do not describe."""
    if type_ == "table" and name and (name.startswith(RTREE) or name in POSTGIS_TABLES):
        return False
    if type_ == "column" and name == GEOG_COLUMN and getattr(getattr(obj, "table", None), "name", "") == "need_point":
        return False
    if type_ == "index" and name == GEOG_INDEX:
        return False
    return True


# "planned": accepted and used by the visit planned from it (visit_id); a later visit asks again.
OFFER_STATUSES = ("pending", "accepted", "planned", "declined", "withdrawn")


class Offer(db.Model):
    """A volunteer's offer to help with a need (from "near me"); a coordinator accepts or declines it."""

    __tablename__ = "offer"
    __table_args__ = (UniqueConstraint("need_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    message: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    decided_at = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="SET NULL"), index=True)
