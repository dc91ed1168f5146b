"""The child table: the most sensitive data Huhang holds."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow

CATEGORIES = {
    "orphan": _l("Orphan"),
    "de_facto_unsupported": _l("De-facto unsupported child"),
    "difficult": _l("Child in difficult circumstances"),
    "left_behind": _l("Rural left-behind child"),
    "disabled": _l("Disabled child"),
}
GENDERS = {"f": _l("Girl"), "m": _l("Boy")}


class Child(db.Model):
    """A child in hardship, with home location (WGS-84) and division codes."""

    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(24), index=True)
    district_code: Mapped[str] = mapped_column(String(12), index=True)
    town_code: Mapped[str] = mapped_column(String(12), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    created_at = mapped_column(UTCDateTime, default=utcnow)
