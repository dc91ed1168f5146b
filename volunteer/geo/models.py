"""The division table: Qingdao's districts and towns."""
from sqlalchemy import Boolean, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Division(db.Model):
    """A district (county-level) or town/street (town-level) of Qingdao."""

    __tablename__ = "division"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(8))
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)
    rural: Mapped[bool] = mapped_column(Boolean, default=False)
    # WGS-84; towns stay NULL because no public offline source gives town-level points.
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<Division {self.code} {self.name}>"
