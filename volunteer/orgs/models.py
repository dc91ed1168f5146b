"""The organisation table."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow

KINDS = {
    "agency": _l("Social-work agency"),
    "club": _l("Charity club"),
    "caring_unit": _l("Caring unit"),
    "government": _l("Government unit"),
}


class Organisation(db.Model):
    """An organisation whose members serve together."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    district_code: Mapped[str | None] = mapped_column(String(12))
    created_at = mapped_column(UTCDateTime, default=utcnow)
