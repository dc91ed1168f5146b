"""Profile rules: save a volunteer's profile, verify credentials (the list of those waiting, and its count)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..access import in_scope, scope_prefix
from ..accounts.models import User
from ..audit import services as audit
from ..extensions import db
from ..geo import services as geo
from ..types import utcnow
from . import idnumber
from .models import AvailabilitySlot, VolunteerProfile, VolunteerSkill
from .skills import ALL_SLOTS, CREDENTIAL_SKILLS, SKILLS


class ProfileError(ValueError):
    """A profile rule was broken; field names the form field the message belongs to."""

    def __init__(self, message, field):
        super().__init__(message)
        self.message = message
        self.field = field


LOCATION_SOURCES = ("gps", "pin", "division")


def resolve_location(source: str, lat, lon, district: str | None, town: str | None):
    """Return (lat, lon, source, district_code, town_code) from the one source the form says is in use:
    GPS/pin (lat, lon) or a chosen division (its centre); the other source's fields are ignored."""
    if source not in LOCATION_SOURCES:
        raise ProfileError(_l("Choose your district, or use your phone's location or the map."), "district")
    district = district or None
    town = town or None
    if town:
        t = geo.get(town)
        if t is None or t.level != "town" or (district and t.parent_code != district):
            raise ProfileError(_l("Choose a town or street in the chosen district."), "town")
        district = district or t.parent_code
    if source in ("gps", "pin"):
        try:
            plat, plon = geo.parse_point(lat, lon)
        except geo.BadLocation as exc:
            raise ProfileError(str(exc), "lat") from None
        found = geo.district_at(plat, plon)
        if found is None:
            raise ProfileError(_l("This place is outside Qingdao's districts."), "lat")
        if town and geo.get(town).parent_code != found.code:
            town = None  # the pin wins over a town picked earlier in another district
        return round(plat, 6), round(plon, 6), source, found.code, town
    if not district or (geo.get(district) is None or geo.get(district).level != "district"):
        raise ProfileError(_l("Choose your district, or use your phone's location or the map."), "district")
    point = geo.point_for(town or district)
    plat, plon = (point[0], point[1]) if point else (None, None)
    return plat, plon, "division", district, town


def save_profile(user_id: int, *, skills, credentials: dict, slots, source: str, lat, lon,
                 district, town, radius_km: int, max_visits_per_month: int,
                 identity: dict | None = None) -> VolunteerProfile:
    """Replace a volunteer's profile in one transaction; raise ProfileError on a broken rule. identity:
    {number, remove, birth_date} of the real-name section (idnumber.identity), None to leave it."""
    profile = db.session.get(VolunteerProfile, user_id) or VolunteerProfile(user_id=user_id)
    try:
        ident = idnumber.identity(profile, **identity) if identity is not None else {}
    except idnumber.IdNumberError as exc:
        raise ProfileError(exc.message, exc.field) from None
    unknown = [s for s in skills if s not in SKILLS] + [s for s in slots if s not in ALL_SLOTS]
    if unknown:
        raise ProfileError(_l("Choose from the list."), "skills")
    if not skills:
        raise ProfileError(_l("Choose at least one thing you can do."), "skills")
    existing = {s.skill: s for s in profile.skills}
    for skill in CREDENTIAL_SKILLS & set(skills):
        given = (credentials.get(skill) or "").strip()
        if not given and not (existing.get(skill) and existing[skill].credential):
            raise ProfileError(_l("This skill needs a credential; a coordinator will verify it."),
                               f"credential_{skill}")
    plat, plon, src, dcode, tcode = resolve_location(source, lat, lon, district, town)

    kept = []
    for skill in skills:
        row = existing.get(skill) or VolunteerSkill(skill=skill)
        if skill in CREDENTIAL_SKILLS:
            given = (credentials.get(skill) or "").strip()
            if given and given != row.credential:
                row.credential, row.credential_status = given, "pending"
                row.verified_by_id = row.verified_at = None
        kept.append(row)
    profile.skills = kept
    wanted = {tuple(s.split("-")) for s in slots}
    have = {(str(s.weekday), s.period): s for s in profile.slots}
    profile.slots = [have.get(w) or AvailabilitySlot(weekday=int(w[0]), period=w[1]) for w in sorted(wanted)]
    profile.lat, profile.lon, profile.location_source = plat, plon, src
    profile.district_code, profile.town_code = dcode, tcode
    profile.radius_km, profile.max_visits_per_month = radius_km, max_visits_per_month
    profile.completed = True
    changed = "id_number_enc" in ident and ident["id_number_enc"] != profile.id_number_enc
    for name, value in ident.items():
        setattr(profile, name, value)
    db.session.add(profile)
    if changed:  # that it changed, never the number
        audit.log(db.session.get(User, user_id), "update", "volunteer", user_id,
                  reason="ID number removed" if ident["id_number_enc"] is None else "ID number saved", commit=False)
    db.session.commit()
    return profile


def _pending(staff: User, *columns):
    """select(*columns) of credentials waiting for verification among volunteers in staff's scope, or None."""
    prefix = scope_prefix(staff)
    if prefix is None:
        return None
    q = (select(*columns).select_from(VolunteerSkill)
         .join(VolunteerProfile, VolunteerProfile.user_id == VolunteerSkill.user_id)
         .where(VolunteerSkill.credential_status == "pending"))
    if prefix:
        q = q.where(VolunteerProfile.district_code.startswith(prefix) | VolunteerProfile.town_code.startswith(prefix))
    return q


def pending_credentials(staff: User, limit: int = 200) -> list[VolunteerSkill]:
    """Credentials waiting for verification among volunteers inside staff's scope, oldest first."""
    q = _pending(staff, VolunteerSkill)
    return [] if q is None else db.session.scalars(q.order_by(VolunteerSkill.id).limit(limit)).all()


def pending_credentials_count(staff: User) -> int:
    """How many credentials pending_credentials lists in all (one count query)."""
    q = _pending(staff, func.count(VolunteerSkill.id))
    return 0 if q is None else db.session.scalar(q)


def decide_credential(staff: User, skill_id: int, approve: bool) -> VolunteerSkill | None:
    """Verify or reject a credential; None when it does not exist or lies outside staff's scope."""
    row = db.session.get(VolunteerSkill, skill_id)
    if row is None or row.credential_status not in ("pending", "verified", "rejected"):
        return None
    profile = db.session.get(VolunteerProfile, row.user_id)
    if not (in_scope(staff, profile.town_code) or in_scope(staff, profile.district_code)):
        return None
    row.credential_status = "verified" if approve else "rejected"
    row.verified_by_id, row.verified_at = staff.id, utcnow()
    db.session.commit()
    return row
