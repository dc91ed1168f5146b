"""Offer notification jobs: ids only; safe to run twice (one inbox message per key and recipient)."""
from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from volunteer.accounts.models import User
from volunteer.children.cards import pseudonym
from volunteer.extensions import db
from volunteer.matching import offers as services
from volunteer.matching.models import Offer
from volunteer.needs.models import SERVICE_TYPES, Need
from volunteer.notifications.models import Notification
from volunteer.notifications.services import notify
from volunteer.notifications.targets import Target


def _stamp(moment) -> str:
    return moment.strftime("%Y%m%d%H%M%S") if moment else "0"


def _offer_key(user_id: int, offer: Offer) -> str:
    """f"offer:{id}" for the first notice to a coordinator; an offer made again after it was withdrawn or
    declined is news again, so its notice carries the time it was renewed."""
    key = f"offer:{offer.id}"
    first = db.session.scalar(select(Notification.created_at).where(Notification.user_id == user_id,
                                                                     Notification.key == key))
    if first is None or offer.created_at is None or first >= offer.created_at:
        return key
    return f"{key}:{_stamp(offer.created_at)}"


def notify_coordinators(offer_id: int) -> int:
    """Tell every coordinator whose scope covers the child's town of a pending offer; returns how many
    new messages. Nothing when the offer is gone or no longer pending."""
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.status != "pending":
        return 0
    need = db.session.get(Need, offer.need_id)
    if need is None:
        return 0
    volunteer = db.session.get(User, offer.volunteer_id)
    sent = 0
    for user in services.coordinators_for(need.child):
        with force_locale(user.locale or "zh_Hans_CN"):
            title = _("A volunteer offers to help: %(service)s for %(child)s",
                      service=SERVICE_TYPES.get(need.service_type, need.service_type), child=pseudonym(need.child.ref))
            body = _("%(name)s offered to help. Accept or decline the offer on the offers page.",
                     name=volunteer.name if volunteer else "")
        sent += notify(user.id, "offer", _offer_key(user.id, offer), title[:120], body,
                       target=Target("offer", offer.id))
    return sent


def notify_volunteer(offer_id: int) -> bool:
    """Tell the volunteer that a coordinator accepted or declined their offer (once per decision)."""
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.status not in ("accepted", "declined"):
        return False
    need = db.session.get(Need, offer.need_id)
    user = db.session.get(User, offer.volunteer_id)
    if need is None or user is None:
        return False
    with force_locale(user.locale or "zh_Hans_CN"):
        service = SERVICE_TYPES.get(need.service_type, need.service_type)
        if offer.status == "accepted":
            title = _("Your offer was accepted: %(service)s for %(child)s", service=service,
                      child=pseudonym(need.child.ref))
            body = _("Thank you! A coordinator will contact you to plan the visit.")
        else:
            title = _("Your offer was not taken up: %(service)s for %(child)s", service=service,
                      child=pseudonym(need.child.ref))
            body = _("Thank you for offering. Another helper was chosen or the plan changed; "
                     "other children near you may need you.")
    key = f"offer:{offer.id}:{offer.status}:{_stamp(offer.decided_at)}"
    return notify(user.id, "offer", key, title[:120], body, target=Target("offer", offer.id))
