"""Organisations and their members.

Who sees what comes from access.VIEWS: staff see every organisation and its members in full; an
organisation admin sees their own organisation's members as "members" records (names and skills);
an organisation member sees only themselves; volunteers belong to no organisation.

Membership decision: nobody is added without saying yes: an admin invites a phone number and its owner
accepts or declines (invitations.py); accepting sets user.organisation_id and user.role (org_member or
org_admin). A volunteer who joins keeps their VolunteerProfile row (skills, times, location) untouched,
so their organisation's admin sees their skills, and removing them from the organisation makes them a
plain volunteer again with the same profile. Staff accounts (coordinator, admin) never join. A person
in another organisation must be removed there first.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import access
from ..accounts.models import User
from ..audit import services as audit
from ..children.validation import InvalidInput
from ..extensions import db
from ..geo import services as geo
from ..validation import _bad_char, display_phone
from .models import KINDS, Organisation

NAME_MAX = 80
MEMBER_ROLES = ("org_member", "org_admin")


class OrgNotFound(LookupError):
    """No such organisation (or member), or not one this user may see: the same answer."""


class NotAllowed(PermissionError):
    """The user's role may not do this."""


def _emit(topic, org):
    from ..events.services import emit

    emit(topic, f"organisation:{org.id}", organisation_id=org.id)


def _text(value) -> str:
    return ("" if value is None else str(value)).strip()


def _is_staff(user) -> bool:
    return access.view_of(user, "organisation") == "full"


def clean_org(data: dict) -> dict:
    """Return clean organisation fields, or raise InvalidInput."""
    errors, out = {}, {}
    name = " ".join(_text(data.get("name")).split())
    if not name:
        errors["name"] = _l("Enter the organisation's name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("Use at most %(n)s characters.", n=NAME_MAX)
    elif any(_bad_char(ch) for ch in name):
        errors["name"] = _l("Please use only letters, numbers and ordinary punctuation "
                            "(no emoji, symbols or markup such as < >).")
    elif db.session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.lower())):
        errors["name"] = _l("An organisation with this name already exists.")
    else:
        out["name"] = name
    kind = _text(data.get("kind"))
    if kind in KINDS:
        out["kind"] = kind
    else:
        errors["kind"] = _l("Choose a kind from the list.")
    district = _text(data.get("district_code"))
    if district:
        d = geo.get(district)
        if d is None or d.level != "district":
            errors["district_code"] = _l("Unknown district.")
        else:
            out["district_code"] = d.code
    else:
        out["district_code"] = None
    if errors:
        raise InvalidInput(errors)
    return out


def create_org(staff, data: dict, via: str = "web") -> Organisation:
    """Register an organisation (staff only)."""
    if not _is_staff(staff):
        raise NotAllowed(_l("Only coordinators can register organisations."))
    org = Organisation(**clean_org(data))
    db.session.add(org)
    db.session.flush()
    _emit("organisation.created", org)
    audit.log(staff, "create", "organisation", org.id, via=via, commit=False)
    db.session.commit()
    return org


def get_org(user, org_id: int) -> Organisation:
    """An organisation user may open: staff any, organisation users their own; else OrgNotFound."""
    org = db.session.get(Organisation, org_id) if isinstance(org_id, int) else None
    if org is None or not (_is_staff(user) or access.member_of(user, org.id)):
        raise OrgNotFound(org_id)
    return org


def may_manage(user, org) -> bool:
    """Staff, or the admin of this organisation, may add and remove its members."""
    return _is_staff(user) or access.admin_of(user, org.id)


def _managed(actor, org_id) -> Organisation:
    org = get_org(actor, org_id)
    if not may_manage(actor, org):
        raise NotAllowed(_l("Only the organisation's admin or a coordinator can change its members."))
    return org


def _admins(org_id) -> int:
    return db.session.scalar(select(func.count(User.id)).where(
        User.organisation_id == org_id, User.role == "org_admin")) or 0


def set_role(actor, org_id: int, user_id: int, role: str, via: str = "web") -> User:
    """Change the role (member or admin) of someone already in the organisation."""
    org = _managed(actor, org_id)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.organisation_id != org.id:
        raise OrgNotFound(user_id)
    role = _text(role)
    if role not in MEMBER_ROLES:
        raise InvalidInput({"role": _l("Choose member or admin.")})
    if user.role == "org_admin" and role == "org_member" and not _is_staff(actor) and _admins(org.id) <= 1:
        raise InvalidInput({"member": _l("An organisation needs at least one admin.")})
    user.role = role
    audit.log(actor, "update", "member", user.id, reason=f"org:{org.id}:{role}", via=via, commit=False)
    db.session.commit()
    return user


def remove_member(actor, org_id: int, user_id: int, via: str = "web") -> User:
    """Take a person out of the organisation: they become a plain volunteer (profile kept)."""
    org = _managed(actor, org_id)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.organisation_id != org.id:
        raise OrgNotFound(user_id)
    if user.role == "org_admin" and not _is_staff(actor) and _admins(org.id) <= 1:
        raise InvalidInput({"member": _l("An organisation needs at least one admin.")})
    user.organisation_id = None
    user.role = "volunteer"
    audit.log(actor, "update", "member", user.id, reason=f"org:{org.id}:removed", via=via, commit=False)
    db.session.commit()
    return user


def _member_record(user) -> dict:
    profile = getattr(user, "profile", None)
    return {
        "id": user.id, "name": user.name, "phone": display_phone(user.phone), "email": user.email,
        "skills": sorted(s.skill for s in profile.skills) if profile else [],
        "organisation_id": user.organisation_id, "org_role": user.role,
        **({k: getattr(profile, k) for k in ("district_code", "town_code", "radius_km",
                                              "max_visits_per_month", "lat", "lon")} if profile else {}),
    }


def members(actor, org_id: int) -> list[dict]:
    """The organisation's members as access.VIEWS['volunteer'] lets actor see them."""
    org = get_org(actor, org_id)
    view = access.view_of(actor, "volunteer")
    rows = db.session.scalars(select(User).where(User.organisation_id == org.id)
                              .order_by(User.role.desc(), User.name, User.id)).all()
    if view == "full":
        pass
    elif view == "members" and actor.organisation_id == org.id:
        pass
    elif view == "self":
        rows = [u for u in rows if u.id == actor.id]
    else:
        raise OrgNotFound(org_id)
    return [access.project(_member_record(u), "volunteer", view) for u in rows]


def org_record(user, org) -> dict:
    """An organisation as a dict cut to user's view ('members' is a count)."""
    view = access.view_of(user, "organisation")
    count = db.session.scalar(select(func.count(User.id)).where(User.organisation_id == org.id)) or 0
    record = {"id": org.id, "name": org.name, "kind": org.kind, "district_code": org.district_code,
              "members": count}
    return access.project(record, "organisation", view)


def list_orgs(user) -> list[dict]:
    """Staff: every organisation; organisation users: their own; anyone else: none."""
    if _is_staff(user):
        orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    elif user.role in access.ORG_ROLES and user.organisation_id:
        orgs = [o for o in [db.session.get(Organisation, user.organisation_id)] if o]
    else:
        orgs = []
    return [org_record(user, o) for o in orgs]
