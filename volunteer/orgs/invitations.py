"""Invitations to join an organisation: an admin invites a phone number, its owner accepts or declines.

Nobody becomes a member without saying yes on their own phone. The admin gets the same answer whether
or not an account uses the number (no enumeration): an invitation row is kept for any valid number, the
message job looks the account up later, and the admin's list shows the number, the role and "waiting" or
"not accepted" (a decline reads like an invitation that expired unanswered). Invitations expire after
INVITE_DAYS; a number that declined is not asked again before that many days have passed.
"""
from datetime import timedelta

from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import false, or_, select
from sqlalchemy.exc import IntegrityError

from .. import access, units
from ..accounts.models import ROLES, User
from ..audit import services as audit
from ..children.validation import InvalidInput
from ..events.services import emit, register
from ..extensions import db
from ..types import utcnow
from ..validation import BadPhone, display_phone, normalise_phone
from .models import OrgInvitation, Organisation
from .services import MEMBER_ROLES, OrgNotFound, _admins, _managed, _text

INVITE_DAYS = 7
TOPIC = "organisation.invited"
register(TOPIC, "jobs.orgs.notify_invitation", "notifications")


class InvitationNotFound(LookupError):
    """No such open invitation for this person: the same answer for someone else's."""


def _live(inv, now=None) -> bool:
    return inv.status == "pending" and inv.expires_at > (now or utcnow())


def invite(actor, org_id: int, phone: str, role: str, via: str = "web") -> OrgInvitation:
    """Invite the owner of a phone number to join with role; the same outcome whether or not an account
    uses the number. Raises InvalidInput only for a malformed number or role."""
    org = _managed(actor, org_id)
    errors, role = {}, _text(role)
    if role not in MEMBER_ROLES:
        errors["role"] = _l("Choose member or admin.")
    try:
        e164 = normalise_phone(_text(phone))
    except BadPhone as exc:
        errors["phone"] = exc.args[0]
    if errors:
        raise InvalidInput(errors)
    try:
        return _invite(actor, org, e164, role, via)
    except IntegrityError:  # a double submit made the row first: invite again over it
        db.session.rollback()
        return _invite(actor, org, e164, role, via)


def _invite(actor, org, e164, role, via) -> OrgInvitation:
    now, span = utcnow(), timedelta(days=INVITE_DAYS)
    inv = db.session.scalar(select(OrgInvitation).where(OrgInvitation.organisation_id == org.id,
                                                        OrgInvitation.phone == e164))
    send = True
    if inv is None:
        inv = OrgInvitation(organisation_id=org.id, phone=e164, role=role, status="pending", round=1)
        db.session.add(inv)
    elif _live(inv, now):
        send = False  # still waiting: the new role applies, no second message
    elif inv.status == "declined" and inv.answered_at and inv.answered_at > now - span:
        send = False  # a recent "no" is respected; the admin sees "not accepted" as before
    else:
        inv.status, inv.round, inv.answered_at = "pending", inv.round + 1, None
    if send:
        inv.expires_at = now + span
    if inv.status == "pending":  # a waiting invitation takes the newest role
        inv.role, inv.invited_by_id = role, actor.id
    db.session.flush()
    if send:
        emit(TOPIC, f"org_invitation:{inv.id}", invitation_id=inv.id, round=inv.round)
    audit.log(actor, "create", "org_invitation", inv.id, reason=f"org:{org.id}:{role}", via=via, commit=False)
    db.session.commit()
    return inv


def withdraw(actor, org_id: int, invitation_id: int, via: str = "web") -> OrgInvitation:
    """Withdraw a waiting invitation of the organisation."""
    org = _managed(actor, org_id)
    inv = db.session.get(OrgInvitation, invitation_id) if isinstance(invitation_id, int) else None
    if inv is None or inv.organisation_id != org.id or inv.status != "pending":
        raise OrgNotFound(invitation_id)
    inv.status, inv.answered_at = "withdrawn", utcnow()
    audit.log(actor, "update", "org_invitation", inv.id, reason=f"org:{org.id}:withdrawn", via=via, commit=False)
    db.session.commit()
    return inv


def sent(actor, org_id: int) -> list[dict]:
    """The organisation's invitations an admin may follow: waiting, or not accepted in the last period."""
    org = _managed(actor, org_id)
    now = utcnow()
    since = now - timedelta(days=INVITE_DAYS)
    rows = db.session.scalars(select(OrgInvitation).where(
        OrgInvitation.organisation_id == org.id,
        or_(OrgInvitation.status == "pending",
            (OrgInvitation.status == "declined") & (OrgInvitation.answered_at > since)))
        .order_by(OrgInvitation.id.desc())).all()
    out = []
    for inv in rows:
        if not _live(inv, now) and inv.expires_at <= since:
            continue
        out.append({"id": inv.id, "phone": display_phone(inv.phone), "role": inv.role,
                    "waiting": _live(inv, now), "expires_at": inv.expires_at})
    return out


def _mine(user):
    if user.role in access.STAFF:
        return select(OrgInvitation).where(false())
    return select(OrgInvitation).where(OrgInvitation.phone == user.phone, OrgInvitation.status == "pending",
                                       OrgInvitation.expires_at > utcnow())


def pending_count(user) -> int:
    """How many open invitations wait for this person."""
    return len(db.session.scalars(_mine(user).with_only_columns(OrgInvitation.id)).all())


def card(inv) -> dict:
    """An invitation as its invitee sees it."""
    org = db.session.get(Organisation, inv.organisation_id)
    return {"id": inv.id, "org": org.name if org else "", "role": inv.role, "role_label": ROLES.get(inv.role, ""),
            "expires_at": inv.expires_at, "status": inv.status if _live(inv) or inv.status != "pending" else "expired"}


def mine(user) -> list[dict]:
    """The open invitations for this person's phone number."""
    return [card(inv) for inv in db.session.scalars(_mine(user).order_by(OrgInvitation.id.desc())).all()]


def _own(user, invitation_id) -> OrgInvitation:
    inv = db.session.get(OrgInvitation, invitation_id) if isinstance(invitation_id, int) else None
    if inv is None or inv.phone != user.phone or user.role in access.STAFF:
        raise InvitationNotFound(invitation_id)
    return inv


def card_for(user, invitation_id: int) -> dict:
    """One invitation to this person's number as they see it, in any state; else InvitationNotFound."""
    return card(_own(user, invitation_id))


def answer(user, invitation_id: int, accept: bool, via: str = "web") -> OrgInvitation:
    """Accept (join with the invited role) or decline an invitation to this person's number."""
    inv = _own(user, invitation_id)
    if not _live(inv):
        raise InvalidInput({"invitation": _l("This invitation is no longer open.")})
    if accept:
        if user.organisation_id and user.organisation_id != inv.organisation_id:
            raise InvalidInput({"invitation": _l("You are in another organisation: ask its admin to remove "
                                                 "you first, then accept.")})
        if (user.role == "org_admin" and user.organisation_id == inv.organisation_id
                and inv.role == "org_member" and _admins(inv.organisation_id) <= 1):
            raise InvalidInput({"invitation": _l("An organisation needs at least one admin.")})
        user.organisation_id, user.role = inv.organisation_id, inv.role
    inv.status, inv.answered_at = ("accepted" if accept else "declined"), utcnow()
    audit.log(user, "update", "org_invitation", inv.id, reason=f"org:{inv.organisation_id}:{inv.status}",
              via=via, commit=False)
    db.session.commit()
    return inv


def notify(invitation_id: int, round_: int) -> bool:
    """Tell the account with the invited number (if any, and not staff) about a live invitation; once per round."""
    from ..notifications.channels import send
    from ..notifications.targets import Target

    inv = db.session.get(OrgInvitation, invitation_id)
    if inv is None or inv.round != round_ or not _live(inv):
        return False
    user = db.session.scalar(select(User).where(User.phone == inv.phone, User.active.is_(True)))
    org = db.session.get(Organisation, inv.organisation_id)
    if user is None or user.role in access.STAFF or org is None:
        return False
    with force_locale(user.locale or "zh_Hans_CN"):
        title = _("%(org)s invites you to join as %(role)s", org=org.name, role=ROLES.get(inv.role, ""))
        body = _("Accept or decline on your invitations page (from the home page) by %(when)s.",
                 when=units.day_time(inv.expires_at))
    return send(user.id, "org_invitation", f"org-invite:{inv.id}:{inv.round}", title, body,
                target=Target("org_invitation", inv.id))
