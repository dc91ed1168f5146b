"""Find helpers: volunteers and organisations ranked for one need (or all of a child's open needs).

    rank_helpers(staff, need_id, max_km=15, limit=20) -> Ranking (a list of Candidate, best first)
    rank_for_child(staff, child_ref, max_km=15, limit=20) -> Ranking

Staff only, and only for a child inside their scope: anything else raises the same NeedNotFound /
ChildNotFound as a missing need or child. Ranking from the child's EXACT home point (need_point's
exact_lat/exact_lon are the same values), falling back to the privacy-card point when the child has no
exact point (matching.distance.target, as for every staff page); the view is recorded in the child's
access log (reason "find helpers").

The score is transparent: the sum of six components, each a fraction in [0, 1] times its weight
(WEIGHTS, summing to 100), so a score is in [0, 100]:

    distance     35  1 - km / max_km (closer is better; 0 at max_km)
    skills       25  share of the required skills the helper has (credential skills only once verified);
                     a need requiring no skill: full
    credentials  10  share of the required credentials (counselling / rehabilitation, required as a skill
                     or as the service type) the helper holds verified; none required: full
    availability 10  the volunteer has weekly slots AND the need's window is open (not ended): full,
                     else 0
    load         10  1 - (visits already planned this month / max_visits_per_month); planned = distinct
                     needs with the volunteer's accepted offer decided this month or still assigned /
                     in progress. A volunteer with no visit left this month (planned >= max, or max 0)
                     is EXCLUDED from the list (counted in Ranking.excluded_full), never just penalised.
    continuity   10  the helper visited this child before: an accepted offer on one of its needs or an
                     access grant for the child with a "visit:" reason (organisations: their team took
                     one of the child's needs, or a member visited): full, else 0

Volunteers scored: the MAX_K (200) nearest active volunteers with a completed profile within max_km
(spatial.engine().volunteers_near). Organisations: distance is their members' nearest home (members with a located volunteer profile),
else the representative point of the organisation's district ("≈ … km, by its district"); skills,
credentials and availability are the union over members' profiles; load is full (organisations have no
monthly cap); continuity as above.

A Candidate carries the component points, the score, the shown distance (matching.distance: the measure
and words every page shows, "2.2 km from the volunteer's home"; computed only for the candidates
returned) and a one-line "why" in the user's language. It never
carries a home point or a phone number: staff see name, distance, score and why only.
Ranking order: score desc, then distance, then kind (volunteers first) and id.
"""
import math
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from .. import access
from ..audit import services as audit
from ..children.models import AccessGrant, Child
from ..children.services import ChildNotFound
from ..extensions import db
from ..geo import services as geo
from ..needs.models import Need, NeedSkill
from ..needs.rules import NeedNotFound
from ..orgs.models import KINDS, Organisation
from ..types import utcnow
from ..volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill
from ..volunteers.skills import CREDENTIAL_SKILLS
from .models import Offer
from . import distance
from .distance import Distance
from .spatial import MAX_K, engine, haversine_km

WEIGHTS = {"distance": 35, "skills": 25, "credentials": 10, "availability": 10, "load": 10, "continuity": 10}
COMPONENT_LABELS = {"distance": _l("Distance"), "skills": _l("Skills"), "credentials": _l("Credentials"),
                    "availability": _l("Availability"), "load": _l("Load this month"),
                    "continuity": _l("Continuity")}
MIN_KM, MAX_KM, DEFAULT_KM = 1, 50, 15
MAX_LIMIT = 50
VISIT_REASON = "visit:"
BUSY_STATUSES = ("assigned", "in_progress")


@dataclass
class Candidate:
    """One ranked helper. kind is "volunteer" or "organisation"; id is the user's or organisation's id."""

    kind: str
    id: int
    name: str
    km: float  # shown to a person: rounded to 0.1 km
    score: float
    components: dict  # name -> points (0..WEIGHTS[name])
    why: str
    org_kind: str | None = None
    approx: bool = False  # organisation placed by its district, not by a member's home
    distance: Distance | None = None  # as shown, with the words naming its points
    _km_exact: float = field(default=0.0, repr=False)


class Ranking(list):
    """The candidates, best first; plus what the page explains."""

    def __init__(self, items=(), *, child=None, needs=(), max_km=DEFAULT_KM, exact=True, excluded_full=0):
        super().__init__(items)
        self.child = child
        self.needs = list(needs)
        self.max_km = max_km
        self.exact = exact  # ranked from the child's exact point (else the privacy-card point)
        self.excluded_full = excluded_full  # volunteers in range left out: no visit left this month


def check_km(max_km) -> float:
    """max_km as a float in [MIN_KM, MAX_KM]; ValueError otherwise."""
    if isinstance(max_km, bool) or not isinstance(max_km, (int, float)) or not math.isfinite(max_km) \
            or not MIN_KM <= max_km <= MAX_KM:
        raise ValueError(f"max_km must be a number from {MIN_KM} to {MAX_KM}")
    return float(max_km)


def _check_limit(limit) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return limit


# --- who may ask -------------------------------------------------------------------------------------

def need_for_helpers(staff, need_id) -> Need:
    """The need, if staff may find helpers for it (its child in staff's scope); else NeedNotFound, the
    same as for a missing need (the refusal is audited)."""
    need = db.session.get(Need, need_id) if isinstance(need_id, int) and not isinstance(need_id, bool) else None
    if need is None or access.view_of(staff, "need") != "full" or not access.child_in_scope(staff, need.child):
        audit.log(staff, "deny", "need", need.id if need else None, reason="find helpers")
        raise NeedNotFound(need_id)
    return need


def child_for_helpers(staff, child_ref) -> Child:
    """The child, if staff may find helpers for it (in scope); else ChildNotFound (audited), the same as
    for a missing child. Only staff: a volunteer's visit grant does not open this."""
    child = db.session.scalar(select(Child).where(Child.ref == child_ref)) if isinstance(child_ref, str) else None
    if child is None or access.view_of(staff, "child") != "full" or not access.child_in_scope(staff, child):
        audit.log(staff, "deny", "child", child.id if child else None, reason="find helpers")
        raise ChildNotFound(child_ref)
    return child


# --- the public interface ----------------------------------------------------------------------------

def rank_helpers(staff, need_id, *, max_km=DEFAULT_KM, limit=20) -> Ranking:
    """Volunteers and organisations for one need, best first (see the module doc for the score)."""
    max_km, limit = check_km(max_km), _check_limit(limit)
    need = need_for_helpers(staff, need_id)
    _audit_view(staff, need.child)
    return _rank(staff, need.child, [need], max_km, limit)


def rank_for_child(staff, child_ref, *, max_km=DEFAULT_KM, limit=20) -> Ranking:
    """Volunteers and organisations for all of a child's open needs (their skills together)."""
    max_km, limit = check_km(max_km), _check_limit(limit)
    child = child_for_helpers(staff, child_ref)
    _audit_view(staff, child)
    needs = db.session.scalars(select(Need).where(Need.child_id == child.id, Need.status == "open")
                               .order_by(Need.id)).all()
    return _rank(staff, child, needs, max_km, limit)


def _audit_view(staff, child) -> None:
    # The ranking reads the child's exact home point: recorded in the child's access log.
    audit.log(staff, "view", "child", child.id, reason="find helpers")


# --- what the needs ask for ----------------------------------------------------------------------------

@dataclass
class _Ask:
    skills: set
    credentials: set
    window_open: bool
    need_ids: list


def _ask(needs, today: date) -> _Ask:
    ids = [n.id for n in needs]
    skills = set(db.session.scalars(select(NeedSkill.skill).where(NeedSkill.need_id.in_(ids)))) if ids else set()
    creds = (skills & CREDENTIAL_SKILLS) | {n.service_type for n in needs if n.service_type in CREDENTIAL_SKILLS}
    window_open = any(n.window_end is None or n.window_end >= today for n in needs)
    return _Ask(skills, creds, window_open, ids)


def _month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# --- facts about volunteers, in a few queries for all of them ------------------------------------------

def _skills_of(user_ids) -> dict[int, tuple[set, set]]:
    """user_id -> (skills that count for matching, verified credential skills)."""
    out = {u: (set(), set()) for u in user_ids}
    if not user_ids:
        return out
    for uid, skill, status in db.session.execute(select(
            VolunteerSkill.user_id, VolunteerSkill.skill, VolunteerSkill.credential_status)
            .where(VolunteerSkill.user_id.in_(user_ids))):
        if skill in CREDENTIAL_SKILLS:
            if status == "verified":
                out[uid][0].add(skill)
                out[uid][1].add(skill)
        else:
            out[uid][0].add(skill)
    return out


def _slots_of(user_ids) -> dict[int, int]:
    out = dict.fromkeys(user_ids, 0)
    if user_ids:
        for (uid,) in db.session.execute(select(AvailabilitySlot.user_id)
                                         .where(AvailabilitySlot.user_id.in_(user_ids))):
            out[uid] += 1
    return out


def _planned_of(user_ids, month_start) -> dict[int, int]:
    """Visits already planned this month: distinct needs with the user's accepted offer decided this
    month, or whose need is still assigned / in progress."""
    out: dict[int, set] = {u: set() for u in user_ids}
    if user_ids:
        rows = db.session.execute(select(Offer.volunteer_id, Offer.need_id).join(Need, Need.id == Offer.need_id)
                                  .where(Offer.volunteer_id.in_(user_ids), Offer.status.in_(("accepted", "planned")),
                                         or_(Offer.decided_at >= month_start, Need.status.in_(BUSY_STATUSES))))
        for uid, need_id in rows:
            out[uid].add(need_id)
    return {u: len(s) for u, s in out.items()}


def _visited(child_id, user_ids) -> set:
    """Users who visited this child before (an accepted offer on its needs, or a visit grant)."""
    if not user_ids:
        return set()
    offers = db.session.scalars(select(Offer.volunteer_id).join(Need, Need.id == Offer.need_id).where(
        Need.child_id == child_id, Offer.status.in_(("accepted", "planned")),
        Offer.volunteer_id.in_(user_ids)))
    grants = db.session.scalars(select(AccessGrant.user_id).where(
        AccessGrant.child_id == child_id, AccessGrant.user_id.in_(user_ids),
        AccessGrant.reason.startswith(VISIT_REASON), AccessGrant.starts_at <= utcnow()))
    return set(offers) | set(grants)


# --- scoring --------------------------------------------------------------------------------------------

def _components(km, max_km, have_skills, have_creds, slots, ask, load_fraction, visited) -> dict:
    f = {
        "distance": max(0.0, 1.0 - km / max_km),
        "skills": len(ask.skills & have_skills) / len(ask.skills) if ask.skills else 1.0,
        "credentials": len(ask.credentials & have_creds) / len(ask.credentials) if ask.credentials else 1.0,
        "availability": 1.0 if slots and ask.window_open else 0.0,
        "load": max(0.0, min(1.0, load_fraction)),
        "continuity": 1.0 if visited else 0.0,
    }
    return {k: round(WEIGHTS[k] * v, 1) for k, v in f.items()}


def _skills_phrase(ask, have) -> str:
    if not ask.skills:
        return _("no skill required")
    n = len(ask.skills & have)
    if n == len(ask.skills):
        return _("all skills match")
    return _("skills %(n)s/%(total)s match", n=n, total=len(ask.skills))


def _cred_phrase(ask, have_creds) -> str | None:
    if not ask.credentials:
        return None
    if ask.credentials <= have_creds:
        return _("credential verified")
    return _("credential not verified")


def _volunteer_why(dist, ask, have, creds, slots, planned, cap, visited) -> str:
    parts = [dist.text, _skills_phrase(ask, have)]
    cred = _cred_phrase(ask, creds)
    if cred:
        parts.append(cred)
    parts.append(_("free slots given") if slots else _("no free slots given"))
    if not ask.window_open:
        parts.append(_("the need's time window has ended"))
    parts.append(_("%(n)s/%(max)s visits planned this month", n=planned, max=cap))
    if visited:
        parts.append(_("visited this child before"))
    return " · ".join(parts)


def _org_why(dist, approx, ask, have, creds, members, busy, visited) -> str:
    parts = [dist.text]  # "from the nearest member's home", or "by its district" (approx)
    parts.append(_skills_phrase(ask, have) if members or not ask.skills else _("no member profiles"))
    cred = _cred_phrase(ask, creds)
    if cred:
        parts.append(cred)
    parts.append(_("%(n)s needs in hand", n=busy))
    if visited:
        parts.append(_("served this child before"))
    return " · ".join(parts)


def _rank(staff, child, needs, max_km: float, limit: int) -> Ranking:
    to = distance.target(staff, child)
    lat, lon, exact = to[0], to[1], to[2] == "home"
    if lat is None:
        return Ranking(child=child, needs=needs, max_km=max_km, exact=False)
    now = utcnow()
    ask = _ask(needs, now.date())
    # Helpers' points and why-arguments stay here, never on a Candidate.
    private: dict = {}
    volunteers, excluded = _volunteers(child, lat, lon, max_km, ask, _month_start(now), private)
    orgs = _organisations(child, lat, lon, max_km, ask, private)
    ranked = sorted(volunteers + orgs, key=lambda c: (-c.score, c._km_exact, c.kind != "volunteer", c.id))
    ranked = ranked[:limit]
    for c in ranked:
        point, args = private[(c.kind, c.id)]
        origin = "home" if c.kind == "volunteer" else "district" if c.approx else "member"
        c.distance = distance.between(staff, origin, point, child, to=to)
        c.km = c.distance.km
        c.why = _volunteer_why(c.distance, *args) if c.kind == "volunteer" else _org_why(c.distance, *args)
    return Ranking(ranked, child=child, needs=needs, max_km=max_km, exact=exact, excluded_full=excluded)


def _volunteers(child, lat, lon, max_km, ask, month_start, private) -> tuple[list[Candidate], int]:
    from ..accounts.models import User

    near = engine().volunteers_near(lat, lon, max_km, limit=MAX_K)
    if not near:
        return [], 0
    ids = [uid for uid, _km in near]
    rows = db.session.execute(select(User.id, User.name, VolunteerProfile.max_visits_per_month,
                                     VolunteerProfile.lat, VolunteerProfile.lon)
                              .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
                              .where(User.id.in_(ids))).all()
    info = {r.id: r for r in rows}
    skills, slots = _skills_of(ids), _slots_of(ids)
    planned, visited = _planned_of(ids, month_start), _visited(child.id, ids)
    out, excluded = [], 0
    for uid, km in near:
        r = info.get(uid)
        if r is None:
            continue
        cap = r.max_visits_per_month or 0
        if planned[uid] >= cap:
            excluded += 1  # no visit left this month: left out (see the module doc)
            continue
        have, creds = skills[uid]
        comp = _components(km, max_km, have, creds, slots[uid], ask, 1.0 - planned[uid] / cap, uid in visited)
        out.append(Candidate(kind="volunteer", id=uid, name=r.name, km=round(km, 1),
                             score=round(sum(comp.values()), 1), components=comp, why="", _km_exact=km))
        private[("volunteer", uid)] = ((r.lat, r.lon),
                                       (ask, have, creds, slots[uid], planned[uid], cap, uid in visited))
    return out, excluded


def _organisations(child, lat, lon, max_km, ask, private) -> list[Candidate]:
    from ..accounts.models import User

    orgs = db.session.scalars(select(Organisation).order_by(Organisation.id)).all()
    if not orgs:
        return []
    members = db.session.execute(select(User.id, User.organisation_id, VolunteerProfile.lat, VolunteerProfile.lon)
                                 .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
                                 .where(User.organisation_id.is_not(None), User.active.is_(True),
                                        VolunteerProfile.lat.is_not(None),
                                        VolunteerProfile.lon.is_not(None))).all()
    by_org: dict[int, list] = {}
    for m in members:
        by_org.setdefault(m.organisation_id, []).append(m)
    member_ids = [m.id for m in members]
    skills, slots = _skills_of(member_ids), _slots_of(member_ids)
    visited_members = _visited(child.id, member_ids)
    teams = set(db.session.scalars(select(Need.team_org_id).where(Need.child_id == child.id,
                                                                  Need.team_org_id.is_not(None))))
    busy = dict(db.session.execute(
        select(Need.team_org_id, func.count(Need.id)).where(Need.status.in_(BUSY_STATUSES),
                                                            Need.team_org_id.is_not(None))
        .group_by(Need.team_org_id)).all())
    out = []
    for org in orgs:
        ms = by_org.get(org.id, [])
        approx = not ms
        if ms:
            dist = haversine_km(lat, lon, [m.lat for m in ms], [m.lon for m in ms])
            i = int(np.argmin(dist))
            km, point = float(dist[i]), (ms[i].lat, ms[i].lon)
        else:
            point = geo.district_point(org.district_code) if org.district_code else None
            if point is None:
                continue
            km = float(haversine_km(lat, lon, [point[0]], [point[1]])[0])
        if km > max_km:
            continue
        have, creds, n_slots = set(), set(), 0
        for m in ms:
            have |= skills[m.id][0]
            creds |= skills[m.id][1]
            n_slots += slots[m.id]
        visited = org.id in teams or any(m.id in visited_members for m in ms)
        comp = _components(km, max_km, have, creds, n_slots, ask, 1.0, visited)
        out.append(Candidate(kind="organisation", id=org.id, name=org.name, km=round(km, 1),
                             score=round(sum(comp.values()), 1), components=comp, why="",
                             org_kind=str(KINDS.get(org.kind, org.kind)), approx=approx, _km_exact=km))
        private[("organisation", org.id)] = (point, (approx, ask, have, creds, len(ms), busy.get(org.id, 0),
                                                     visited))
    return out
