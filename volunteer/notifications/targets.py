"""What a notification is about, and the page that shows it to its reader.

    Target(kind, id=None)            # stored on the notification as target_kind, target_id
    resolve(user, notification) -> str | None   # the subject's page for the reader's role, or None
    url_for(user, notification) -> str          # that page, else the message's own row in the inbox

Every kind has one resolver here (KINDS). A resolver answers only with a page the reader may open: the
same visit is the coordinator's review page for staff in scope and the helper's page for its helpers;
a subject that is gone or outside the reader's scope gives None, and the message opens the inbox.
Domain modules are imported inside the resolvers: they import this module to name their targets.
"""
from typing import Callable, NamedTuple

from flask import url_for as route

from .. import access
from ..extensions import db


class Target(NamedTuple):
    """A notification's subject: a kind from KINDS and, for most kinds, the subject's id."""

    kind: str
    id: int | None = None


KINDS: dict[str, Callable] = {}


def _kind(name: str):
    def register(fn):
        KINDS[name] = fn
        return fn
    return register


def resolve(user, notification) -> str | None:
    """The page of the notification's subject for this reader, or None (no target, gone, out of scope)."""
    resolver = KINDS.get(notification.target_kind or "")
    if resolver is None or user is None or notification.user_id != user.id:
        return None
    return resolver(user, notification.target_id)


def url_for(user, notification) -> str:
    """Where opening the notification leads its reader: the subject's page, else its row in the inbox."""
    return resolve(user, notification) or route("notifications.inbox", _anchor=f"n-{notification.id}")


@_kind("visit")
def _visit(user, visit_id):
    """Staff in scope: the coordinator's visit page; helpers of the visit: theirs (same address)."""
    from ..visits.phone_views import HELPERS
    from ..visits.services import VisitNotFound, visit_for

    if not (user.is_staff or user.role in HELPERS):
        return None
    try:
        visit_for(user, visit_id)
    except VisitNotFound:
        return None
    return route("visits.show", visit_id=visit_id)


def _child_page(user, child) -> str | None:
    from ..needs.views import child_url

    if child is None or not user.is_staff or not access.child_in_scope(user, child):
        return None
    return child_url(child.ref)


@_kind("child")
def _child(user, child_id):
    """Staff in scope: the child's page."""
    from ..children.models import Child

    return _child_page(user, db.session.get(Child, child_id) if child_id else None)


@_kind("no_contact")
def _no_contact(user, _id):
    """Staff: the list of children without contact in their scope."""
    return route("visits.no_contact") if user.is_staff and access.scope_prefix(user) is not None else None


@_kind("offer")
def _offer(user, offer_id):
    """The volunteer: the offer on their offers page. Staff in scope: the offer on the offers page while
    it waits, then the visit it led to, or the child's page (where the need now stands)."""
    from ..matching.models import Offer
    from ..needs.models import Need

    offer = db.session.get(Offer, offer_id) if offer_id else None
    if offer is None:
        return None
    if not user.is_staff:
        mine = user.role == "volunteer" and offer.volunteer_id == user.id
        return route("matching.offers", _anchor=f"offer-{offer.id}") if mine else None
    need = db.session.get(Need, offer.need_id)
    page = _child_page(user, need.child if need is not None else None)
    if page is None:
        return None
    if offer.status == "pending":
        return route("matching.offers", _anchor=f"offer-{offer.id}")
    return (_visit(user, offer.visit_id) if offer.visit_id else None) or page


@_kind("wish_claim")
def _wish_claim(user, claim_id):
    """The donor (or their unit): the claim on my wishes."""
    from ..wishes.cards import DONOR_ROLES
    from ..wishes.fulfil import ClaimNotFound, donor_claim

    if user.role not in DONOR_ROLES:
        return None
    try:
        donor_claim(user, claim_id)
    except ClaimNotFound:
        return None
    return route("wishes.mine", _anchor=f"claim-{claim_id}")


@_kind("org_invitation")
def _org_invitation(user, invitation_id):
    """The invited person: their invitations page."""
    from ..orgs.models import OrgInvitation
    from ..orgs.views import INVITEES

    inv = db.session.get(OrgInvitation, invitation_id) if invitation_id else None
    if inv is None or user.role not in INVITEES or inv.phone != user.phone:
        return None
    return route("orgs.my_invitations", _anchor=f"invitation-{inv.id}")


@_kind("account")
def _account(user, _id):
    """Security messages: the account page (sessions, password)."""
    return route("accounts.account")


@_kind("profile")
def _profile(user, _id):
    """A volunteer's profile (skills, free times, home)."""
    return route("volunteers.profile") if user.role == "volunteer" else None


@_kind("activity")
def _activity(user, activity_id):
    """The activity's page, for whoever may open it (a cancelled one: its organisers and those signed up)."""
    from ..activities.errors import ActivityNotFound
    from ..activities.queries import visible

    try:
        visible(user, activity_id)
    except ActivityNotFound:
        return None
    return route("activities.show", activity_id=activity_id)


@_kind("safeguarding")
def _safeguarding(user, _check_id):
    """A volunteer's safeguarding checks (an expiry reminder): their checks page."""
    from ..safeguarding.proofs import UPLOADERS

    return route("safeguarding.mine") if user.role in UPLOADERS else None
