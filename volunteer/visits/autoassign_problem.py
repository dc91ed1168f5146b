"""The solver's problem from the database: needs as tasks, volunteers and teams as helpers, continuity.

See autoassign.py for the rules (period, capacity, slots, teams).
"""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from flask import current_app
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..matching.points import SKILL_BITS, card_point
from ..needs.models import NeedSkill
from ..orgs.models import Organisation
from ..safeguarding import services as safeguarding
from ..volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill
from ..volunteers.skills import CREDENTIAL_SKILLS
from . import solver
from .models import ACTIVE_STATUSES, Visit, VisitAssignee
from .services import needs_two_adults

TZ = ZoneInfo("Asia/Shanghai")
TEAM_CAPACITY = 20
UNKNOWN_SKILL = 1 << 30  # a skill outside the vocabulary: nobody has it


def skill_mask(codes) -> int:
    return sum(SKILL_BITS.get(c, UNKNOWN_SKILL) for c in set(codes))


def slots_for(need, first, last) -> int:
    """The weekly slots of the weekdays the need's window holds inside [first, last]; 0 if none."""
    a = max(first, need.window_start or first)
    b = min(last, need.window_end or last)
    if b < a:
        return 0
    days = {(a + timedelta(days=i)).weekday() for i in range(min(7, (b - a).days + 1))}
    return sum(7 << (3 * d) for d in days)


def tasks(needs, first, last) -> solver.Tasks:
    skills: dict = {}
    for need_id, skill in db.session.execute(select(NeedSkill.need_id, NeedSkill.skill)
                                             .where(NeedSkill.need_id.in_([n.id for n in needs]))):
        skills.setdefault(need_id, []).append(skill)
    lat, lon = [], []
    for n in needs:
        c = n.child
        if c.lat is not None and c.lon is not None:
            la, lo = c.lat, c.lon
        else:
            la, lo = card_point(None, None, c.town_code, c.district_code)
        lat.append(np.nan if la is None else la), lon.append(np.nan if lo is None else lo)
    return solver.Tasks.build([n.id for n in needs], lat, lon, [skill_mask(skills.get(n.id, ())) for n in needs],
                              [slots_for(n, first, last) for n in needs], [needs_two_adults(n) for n in needs],
                              [n.child_id for n in needs])


def _live_counts(first, last) -> tuple[dict, dict]:
    """Live visits starting in the period: per volunteer, per organisation."""
    lo = datetime.combine(first, time(0), TZ)
    hi = datetime.combine(last + timedelta(days=1), time(0), TZ)
    per_user: dict = {}
    for (uid,) in db.session.execute(select(VisitAssignee.user_id).join(Visit, Visit.id == VisitAssignee.visit_id)
                                     .where(VisitAssignee.status.in_(("offered", "accepted")),
                                            Visit.status.in_(ACTIVE_STATUSES), Visit.starts_at >= lo,
                                            Visit.starts_at < hi)):
        per_user[uid] = per_user.get(uid, 0) + 1
    per_org: dict = {}
    for (oid,) in db.session.execute(select(Visit.org_id).where(Visit.org_id.is_not(None),
                                                                Visit.status.in_(ACTIVE_STATUSES),
                                                                Visit.starts_at >= lo, Visit.starts_at < hi)):
        per_org[oid] = per_org.get(oid, 0) + 1
    return per_user, per_org


def helpers(first, last, excluded: dict | None = None) -> solver.Helpers:
    """Volunteers (id = user id) and organisation teams (id = -organisation id). With the safeguarding rule
    on, only those whose checks (a team: every active member's) stay valid through `last`; excluded, if
    given, gets {"unchecked": volunteers left out, "unchecked_teams": teams left out}."""
    rows = db.session.execute(select(User.id, User.organisation_id, User.role, VolunteerProfile.lat,
                                     VolunteerProfile.lon, VolunteerProfile.radius_km,
                                     VolunteerProfile.max_visits_per_month, VolunteerProfile.completed)
                              .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
                              .where(User.active.is_(True))).all()
    skills: dict = {}
    for uid, skill, status in db.session.execute(select(VolunteerSkill.user_id, VolunteerSkill.skill,
                                                        VolunteerSkill.credential_status)):
        if skill not in CREDENTIAL_SKILLS or status == "verified":
            skills[uid] = skills.get(uid, 0) | SKILL_BITS.get(skill, 0)
    slots: dict = {}
    for uid, weekday, period in db.session.execute(select(AvailabilitySlot.user_id, AvailabilitySlot.weekday,
                                                          AvailabilitySlot.period)):
        if period in solver.PERIODS and 0 <= weekday < 7:
            slots[uid] = slots.get(uid, 0) | solver.slot_bit(weekday, period)
    per_user, per_org = _live_counts(first, last)
    ids, lat, lon, sk, sl, cap, team, reach = ([] for _ in range(8))
    members: dict = {}
    unchecked = safeguarding.missing_for([r.id for r in rows if r.role == "volunteer"], safeguarding.settings.VISIT,
                                         on=last)
    for r in rows:
        if r.organisation_id:
            members.setdefault(r.organisation_id, []).append(r)
        if r.role != "volunteer" or not r.completed or r.lat is None or r.lon is None or r.id in unchecked:
            continue
        ids.append(r.id), lat.append(r.lat), lon.append(r.lon), sk.append(skills.get(r.id, 0))
        # No more visits than free slot times in the period (a weekly slot occurs once a week).
        times = bin(slots.get(r.id, 0)).count("1") * (((last - first).days + 7) // 7)
        left = min((r.max_visits_per_month or 0) - per_user.get(r.id, 0), times)
        sl.append(slots.get(r.id, 0)), cap.append(max(0, left))
        team.append(False), reach.append(float(r.radius_km or 0))
    admins = set(db.session.scalars(select(User.organisation_id).where(User.role == "org_admin",
                                                                       User.active.is_(True))))
    from ..geo import services as geo

    teams_unchecked = safeguarding.teams_missing(admins, on=last)
    for org in db.session.scalars(select(Organisation).where(Organisation.id.in_(admins)).order_by(Organisation.id)):
        if org.id in teams_unchecked:
            continue
        ms = [m for m in members.get(org.id, []) if m.lat is not None and m.lon is not None]
        point = (float(np.mean([m.lat for m in ms])), float(np.mean([m.lon for m in ms]))) if ms else \
            (geo.district_point(org.district_code) if org.district_code else None)
        if point is None:
            continue
        team_skills, team_slots = 0, 0
        for m in members.get(org.id, []):
            team_skills |= skills.get(m.id, 0)
            team_slots |= slots.get(m.id, 0)
        ids.append(-org.id), lat.append(point[0]), lon.append(point[1]), sk.append(team_skills)
        sl.append(team_slots or solver.ALL_SLOTS), team.append(True), reach.append(np.inf)
        cap.append(max(0, int(current_app.config.get("AUTOASSIGN_TEAM_CAPACITY", TEAM_CAPACITY))
                       - per_org.get(org.id, 0)))
    if excluded is not None:
        excluded.update(unchecked=sum(1 for r in rows if r.id in unchecked and r.completed and r.lat is not None),
                        unchecked_teams=len(teams_unchecked))
    return solver.Helpers.build(ids, lat, lon, sk, sl, cap, team, reach)


def continuity(child_ids) -> set:
    """(child id, helper id) of done visits: volunteers who went, and teams (as -organisation id)."""
    if not child_ids:
        return set()
    out = set()
    for child_id, uid in db.session.execute(
            select(Visit.child_id, VisitAssignee.user_id).join(VisitAssignee, VisitAssignee.visit_id == Visit.id)
            .where(Visit.status == "done", Visit.child_id.in_(child_ids), VisitAssignee.status == "accepted")):
        out.add((child_id, uid))
    for child_id, org_id in db.session.execute(select(Visit.child_id, Visit.org_id).where(
            Visit.status == "done", Visit.child_id.in_(child_ids), Visit.org_id.is_not(None))):
        out.add((child_id, -org_id))
    return out
