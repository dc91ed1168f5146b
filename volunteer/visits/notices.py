"""What visits tell people, in each recipient's language, once per event and recipient."""
from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from .. import units
from ..accounts.models import User
from ..children.cards import pseudonym
from ..extensions import db
from ..matching.models import Offer
from ..matching.offers import coordinators_for
from ..needs.models import SERVICE_TYPES
from ..notifications.channels import send
from ..notifications.targets import Target
from .settings import setting

LOCAL = ZoneInfo("Asia/Shanghai")


def local(moment) -> str:
    """A moment as local time (Qingdao), e.g. 2026-11-24 09:30."""
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if moment else ""


def _what(visit) -> dict:
    return {"service": SERVICE_TYPES.get(visit.need.service_type, visit.need.service_type),
            "child": pseudonym(visit.child.ref), "when": local(visit.starts_at)}


def _lang(user) -> str:
    return user.locale or "zh_Hans_CN"


def offer_recipients(visit) -> list[User]:
    """Who answers the offer: the offered volunteers, or the team's organisation admins."""
    if visit.org_id:
        return db.session.scalars(select(User).where(User.organisation_id == visit.org_id,
                                                     User.role == "org_admin", User.active.is_(True))).all()
    return [a.user for a in visit.assignees if a.status == "offered"]


def offer(visit) -> int:
    """Tell each volunteer offered the visit (or the team's admins); returns how many new messages."""
    sent = 0
    for user in offer_recipients(visit):
        with force_locale(_lang(user)):
            title = _("Visit offer: %(service)s for %(child)s on %(when)s", **_what(visit))
            body = _("Please accept or decline on your visits page within %(time)s; otherwise the offer goes "
                     "to someone else.", time=units.hours(setting("VISIT_OFFER_HOURS")))
        sent += send(user.id, "visit", f"visit:{visit.id}:offer", title, body,
                     target=Target("visit", visit.id))
    return sent


def planned(visit) -> int:
    """Tell helpers whose own offer led to the visit (the offers it used) that it is planned."""
    used = set(db.session.scalars(select(Offer.volunteer_id).where(Offer.visit_id == visit.id)))
    sent = 0
    for a in visit.assignees:
        if a.status != "accepted" or a.user_id not in used:
            continue
        with force_locale(_lang(a.user)):
            title = _("Visit planned: %(service)s for %(child)s on %(when)s", **_what(visit))
            body = _("Thank you for offering to help. The details are on your visits page.")
        sent += send(a.user_id, "visit", f"visit:{visit.id}:planned", title, body,
                     target=Target("visit", visit.id))
    return sent


def reminder(visit, hours: int) -> int:
    """Remind each helper who accepted the visit, hours before it."""
    from .answers import helper_ids

    sent = 0
    for user in db.session.scalars(select(User).where(User.id.in_(helper_ids(visit)))):
        with force_locale(_lang(user)):
            title = _("Reminder: %(service)s for %(child)s on %(when)s", **_what(visit))
            body = _("Your visit starts in about %(time)s. Check in on your visits page when you arrive.",
                     time=units.hours(hours))
        sent += send(user.id, "visit", f"visit:{visit.id}:remind:{hours}", title, body,
                     target=Target("visit", visit.id))
    return sent


def _coordinator_text(event, visit, extra) -> tuple[str, str]:
    what = _what(visit)
    if event == "accepted":
        return _("Visit accepted: %(service)s for %(child)s on %(when)s", **what), ""
    if event == "declined":
        return (_("Visit declined: %(service)s for %(child)s on %(when)s", **what),
                _("The need is open again; assign another helper."))
    if event == "expired":
        return (_("Visit offer expired: %(service)s for %(child)s on %(when)s", **what),
                _("Nobody answered in time; the need is open again."))
    if event == "report":
        return _("Visit report to review: %(service)s for %(child)s", **what), ""
    if event == "overdue":
        return (_("Overdue visit: %(service)s for %(child)s on %(when)s", **what),
                _("Nobody checked in. Contact the helpers or plan the visit again."))
    if event == "stale":
        return (_("Visit closed and flagged: %(service)s for %(child)s", **what),
                _("It was still open 24 hours after check-in; please review it."))
    return event, extra


def coordinators(visit, event: str) -> int:
    """Tell the coordinators of the child's area about a visit event, once per event."""
    sent = 0
    for user in coordinators_for(visit.child):
        with force_locale(_lang(user)):
            title, body = _coordinator_text(event, visit, "")
        sent += send(user.id, "visit", f"visit:{visit.id}:{event}", title, body,
                     target=Target("visit", visit.id))
    return sent


def no_contact(user, child_id: int, child_ref: str, days: int, key: str) -> int:
    """Tell one coordinator (anything with id and locale) that nobody visited the child for days (key:
    child and last contact); the message opens the child's page."""
    with force_locale(_lang(user)):
        title = _("No contact for %(days)s days: %(child)s", days=days, child=pseudonym(child_ref))
        body = _("Nobody has visited this child for %(days)s days. Plan a visit.", days=days)
    return send(user.id, "visit", key, title, body, target=Target("child", child_id))


def no_contact_digest(user, count: int, now) -> int:  # user: anything with id and locale
    """One message a day instead of many: how many children in the coordinator's area lack contact (it
    opens the list of children without contact)."""
    with force_locale(_lang(user)):
        title = _("%(num)s children have had no contact for too long", num=count)
        body = _("See the list of children without contact on the visits page and plan visits.")
    return send(user.id, "visit", f"nocontact-digest:{now:%Y%m%d}", title, body,
                target=Target("no_contact"))
