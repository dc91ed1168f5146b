"""The organisation table and invitations to join one."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, UniqueConstraint
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


INVITATION_STATUSES = ("pending", "accepted", "declined", "withdrawn")


class OrgInvitation(db.Model):
    """An invitation to join an organisation, sent to a phone number (whether or not an account uses it).

    One row per organisation and number; inviting again reuses it. The person whose account has the number
    accepts or declines; a pending invitation past expires_at counts as not accepted.
    """

    __tablename__ = "org_invitation"
    __table_args__ = (UniqueConstraint("organisation_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    round: Mapped[int] = mapped_column(default=1)  # how many times it was sent: one message per round
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    expires_at = mapped_column(UTCDateTime)
    answered_at = mapped_column(UTCDateTime)
