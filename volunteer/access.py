"""Who may see and do what: roles x scopes x collections x fields, in this one place.

Views and the JSON API both ask these functions; nothing else decides access.
"""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

STAFF = ("coordinator", "admin")
ORG_ROLES = ("org_member", "org_admin")

# What each role sees of each collection: "full" (inside the user's scope), "card" (the privacy
# card), "self" (only their own record), "members" (their organisation's), or None (nothing).
VIEWS = {
    "child": {"admin": "full", "coordinator": "full", "volunteer": "card", "org_member": "card",
              "org_admin": "card"},
    "need": {"admin": "full", "coordinator": "full", "volunteer": "card", "org_member": "card",
             "org_admin": "card"},
    "wish": {"admin": "full", "coordinator": "full", "volunteer": "card", "org_member": "card",
             "org_admin": "card"},
    "volunteer": {"admin": "full", "coordinator": "full", "volunteer": "self", "org_member": "self",
                  "org_admin": "members"},
    "organisation": {"admin": "full", "coordinator": "full", "volunteer": "card", "org_member": "card",
                     "org_admin": "card"},
}

# The fields each view shows. A privacy card never holds a name, address, guardian, phone, photo,
# exact location, or labels such as orphan or disabled.
FIELDS = {
    "child": {
        "full": ["ref", "name", "gender", "birth_date", "age", "category", "disabled", "district_code",
                 "town_code", "town_name", "village", "address", "lat", "lon", "school", "grade", "notes",
                 "guardian_name", "guardian_relation", "guardian_phone", "consent", "created_at",
                 "updated_at"],
        "card": ["ref", "pseudonym", "age_band", "gender", "town_name", "approx_lat", "approx_lon", "needs"],
    },
    "need": {
        "full": ["id", "child_ref", "dimension", "service_type", "urgency", "rhythm", "skills",
                 "window_start", "window_end", "details", "status", "team_org_id", "created_at"],
        "card": ["id", "child_ref", "dimension", "service_type", "urgency", "rhythm", "skills",
                 "window_start", "window_end", "status"],
    },
    "wish": {
        "full": ["ref", "child_ref", "item", "category", "price_yuan", "status", "created_at"],
        "card": ["ref", "item", "category", "price_yuan", "status", "age_band", "town_name"],
    },
    "volunteer": {
        "full": ["id", "name", "phone", "skills", "slots", "district_code", "town_code", "radius_km",
                 "max_visits_per_month", "organisation_id", "org_role"],
        "self": ["id", "name", "phone", "email", "skills", "slots", "district_code", "town_code", "lat",
                 "lon", "radius_km", "max_visits_per_month"],
        "members": ["id", "name", "skills", "organisation_id", "org_role"],
    },
    "organisation": {
        "full": ["id", "name", "kind", "district_code", "members"],
        "card": ["id", "name", "kind", "district_code"],
    },
}


def view_of(user, collection: str) -> str | None:
    """Return which view (full, card, self, members) user has of a collection, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return VIEWS.get(collection, {}).get(user.role)


def project(record: dict, collection: str, view: str) -> dict:
    """Keep only the fields a view allows."""
    return {k: record[k] for k in FIELDS[collection][view] if k in record}


def in_scope(user, division_code: str | None) -> bool:
    """Tell whether a division (district, town or village code) lies inside user's scope."""
    prefix = scope_prefix(user)
    if prefix is None or not division_code:
        return prefix == ""
    # Statistical codes nest by prefix: district 370212, town 370212xxx, village 370212xxxyyy.
    return division_code.startswith(prefix)


def scope_prefix(user) -> str | None:
    """Return the code prefix a staff user's queries are limited to ('' for the whole city)."""
    if user.role == "admin" or (user.role == "coordinator" and user.scope_level == "city"):
        return ""
    if user.role == "coordinator" and user.scope_code:
        return user.scope_code
    return None


def child_in_scope(user, child) -> bool:
    """Tell whether a staff user's scope covers a child (town codes nest in district codes)."""
    return in_scope(user, child.town_code) or in_scope(user, child.district_code)


def child_scope_clause(prefix: str):
    """The SQL form of child_in_scope for a scope prefix (from scope_prefix; '' means no condition):
    children whose town or district code starts with it. Callers join or select Child."""
    from sqlalchemy import or_, true

    from .children.models import Child

    if not prefix:
        return true()
    return or_(Child.town_code.startswith(prefix), Child.district_code.startswith(prefix))


def member_of(user, org_id: int | None) -> bool:
    """Whether user belongs to the organisation (as member or admin)."""
    return bool(org_id) and user.role in ORG_ROLES and user.organisation_id == org_id


def admin_of(user, org_id: int | None) -> bool:
    """Whether user is an admin of the organisation."""
    return bool(org_id) and user.role == "org_admin" and user.organisation_id == org_id


def roles_required(*roles):
    """View decorator: the logged-in user must have one of roles."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


staff_required = roles_required(*STAFF)


def hub_in_scope(user, hub) -> bool:
    """Staff whose scope covers the hub's town (a city-wide coordinator or admin covers every hub)."""
    return bool(user.is_staff) and in_scope(user, hub.division_code)


def campaign_in_scope(user, campaign) -> bool:
    """Staff whose scope holds the whole campaign's scope."""
    prefix = scope_prefix(user) if user.is_staff else None
    return prefix is not None and (campaign.scope_code or "").startswith(prefix)


def may_see_run(user, run) -> bool:
    """A delivery run: its driver, or staff whose scope covers its hub."""
    return run.driver_id == user.id or hub_in_scope(user, run.hub)


def city_wide(user) -> bool:
    """Staff whose scope is the whole city (admins, city coordinators): they keep city-wide catalogues."""
    return bool(user.is_staff) and scope_prefix(user) == ""


def may_see_job(user, job) -> bool:
    """A background job (its page, its retry) is its owner's, and staff's whose scope covers its subject;
    someone's job about no record only city-wide staff's besides, an ownerless one (a system job) every
    staff member's."""
    if job.owner_id is not None and job.owner_id == user.id:
        return True
    if not user.is_staff:
        return False
    if not job.subject and job.owner_id is not None:
        return city_wide(user)
    return _subject_in_scope(user, job.subject)


def job_seen_clause(user):
    """The SQL form of may_see_job for JobRecord rows (the failed-jobs list and its count)."""
    from sqlalchemy import String, and_, cast, literal, or_, select, true

    from .children.models import Child
    from .logistics.models import Campaign
    from .tasks.models import JobRecord

    own = JobRecord.owner_id == user.id
    if not user.is_staff:
        return own
    prefix = scope_prefix(user)
    if prefix == "":
        return true()
    system = and_(JobRecord.subject == "", JobRecord.owner_id.is_(None))
    if prefix is None:
        return or_(own, system)  # staff without an area: their own jobs and the system's
    return or_(own, system,
               JobRecord.subject.in_(select(literal("child:") + cast(Child.id, String))
                                     .where(child_scope_clause(prefix))),
               JobRecord.subject.in_(select(literal("campaign:") + cast(Campaign.id, String))
                                     .where(Campaign.scope_code.startswith(prefix))))


def _subject_in_scope(user, subject: str) -> bool:
    """Whether a job's subject ("child:12", "campaign:3") lies in a staff user's scope (a subject gone or of
    another kind: city-wide staff only; no subject: yes)."""
    from .extensions import db

    kind, _sep, ident = (subject or "").partition(":")
    if not kind:
        return True
    if kind == "child" and ident.isdigit():
        from .children.models import Child

        child = db.session.get(Child, int(ident))
        return child_in_scope(user, child) if child is not None else city_wide(user)
    if kind == "campaign" and ident.isdigit():
        from .logistics.models import Campaign

        campaign = db.session.get(Campaign, int(ident))
        return campaign_in_scope(user, campaign) if campaign is not None else city_wide(user)
    return city_wide(user)
