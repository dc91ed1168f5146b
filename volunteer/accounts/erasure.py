"""What erasing an account clears besides the user row (deletion.erase calls it inside its transaction).

Cleared: the profile's location, birth date and ID number, credentials' text, availability, message
channels and the deliveries' errors (they may quote an address), open near-me offers and their messages,
API tokens (revoked), sign-ups waiting for a code, safeguarding proofs (rows and files). Kept, with the
same user id: visit assignments, activity sign-ups and hours, wish claims, certificates, consents, audit.
"""
from sqlalchemy import delete, select, update

from ..api.models import ApiToken
from ..extensions import db
from ..matching.models import Offer
from ..notifications.models import ChannelChoice, Delivery, Notification
from ..types import utcnow
from ..volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill
from .models import SignupRequest

PROFILE_CLEARED = {"lat": None, "lon": None, "location_source": None, "district_code": None, "town_code": None,
                   "birth_date": None, "id_number_enc": None, "id_number_mask": None, "completed": False}


def clear_personal_rows(user_id: int, old_phone: str) -> list:
    """Clear the user's personal data in other tables (not committed); return the files to delete."""
    now = utcnow()
    db.session.execute(update(VolunteerProfile).where(VolunteerProfile.user_id == user_id)
                       .values(**PROFILE_CLEARED).execution_options(synchronize_session=False))
    db.session.execute(update(VolunteerSkill).where(VolunteerSkill.user_id == user_id)
                       .values(credential=None).execution_options(synchronize_session=False))
    db.session.execute(delete(AvailabilitySlot).where(AvailabilitySlot.user_id == user_id))
    db.session.execute(delete(ChannelChoice).where(ChannelChoice.user_id == user_id))
    mine = select(Notification.id).where(Notification.user_id == user_id)
    db.session.execute(update(Delivery).where(Delivery.notification_id.in_(mine), Delivery.status == "pending")
                       .values(status="failed").execution_options(synchronize_session=False))
    db.session.execute(update(Delivery).where(Delivery.notification_id.in_(mine))
                       .values(error="").execution_options(synchronize_session=False))
    db.session.execute(update(Offer).where(Offer.volunteer_id == user_id, Offer.status == "pending")
                       .values(status="withdrawn", decided_at=now).execution_options(synchronize_session=False))
    db.session.execute(update(Offer).where(Offer.volunteer_id == user_id)
                       .values(message=None).execution_options(synchronize_session=False))
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now).execution_options(synchronize_session=False))
    db.session.execute(delete(SignupRequest).where(SignupRequest.phone == old_phone))
    return _safeguarding_files(user_id)


def _safeguarding_files(user_id: int) -> list:
    """Delete the user's safeguarding proofs' rows; return their files."""
    from ..safeguarding import files
    from ..safeguarding.models import SafeguardingCheck

    names = db.session.scalars(select(SafeguardingCheck.file_name).where(SafeguardingCheck.user_id == user_id)).all()
    db.session.execute(delete(SafeguardingCheck).where(SafeguardingCheck.user_id == user_id))
    return [path for path in (files.stored(n) for n in names) if path is not None]
