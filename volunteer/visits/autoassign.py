"""Auto-assignment: the solver's problem from the database, a proposal kept with its job, confirmation.

    needs_for(coordinator, town_code=None, service_types=(), need_ids=None, rhythm=None) -> [Need]
    start(coordinator, need_ids, max_km=15) -> JobRecord          # the job jobs.autoassign.propose
    propose(coordinator_id, need_ids, max_km, report=None) -> dict  # run by the job: a JSON-safe proposal
    (proposals.py: keeping the proposal, loading it, confirming it into offers)

The period planned is the next HORIZON_DAYS days from tomorrow (Asia/Shanghai). A volunteer's capacity
is max_visits_per_month minus their live visits starting in that period; an organisation team (one with
an active admin) takes up to AUTOASSIGN_TEAM_CAPACITY visits in it. A need's weekly slots are the
weekdays its window holds inside the period. Continuity: helpers of the child's done visits. A child
has one visit at a time and, with VISIT_CHILD_ONE_PER_DAY, one a day: the times planned keep its needs
apart (and from its visits already planned), or leave a need unassigned with why. The
proposal holds ids and numbers only (never a child's name or place) and is kept in the
autoassign_proposal table for proposals.PROPOSAL_TTL; nothing is offered before the coordinator confirms.
"""
from datetime import date, datetime, timedelta

import numpy as np
from flask_babel import lazy_gettext as _l
from scipy.spatial import cKDTree
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from .. import access
from ..accounts.models import User
from ..children.models import Child
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.models import Need
from ..needs.rules import NotAllowed, is_staff
from ..types import utcnow
from . import autoassign_problem as problem
from . import solver
from .models import ACTIVE_STATUSES, Visit, VisitAssignee
from .services import CHILD_STATUSES
from .settings import setting
from .solver_core import chord_to_km, unit_vectors

TZ = problem.TZ
HORIZON_DAYS = 28
MAX_NEEDS = 20_000
MIN_KM, MAX_KM, DEFAULT_KM = 1, 50, 15
# Local visit times of the weekly periods (availability grid: am / pm / eve): (hour, minute, minutes).
PERIOD_TIMES = {"am": (9, 0, 120), "pm": (14, 30, 120), "eve": (18, 30, 90)}
ALTERNATIVES = 4


def _horizon(now=None) -> tuple:
    today = (now or utcnow()).astimezone(TZ).date()
    return today + timedelta(days=1), today + timedelta(days=HORIZON_DAYS)


def check_staff(user) -> None:
    """NotAllowed unless user is staff."""
    if not is_staff(user):
        raise NotAllowed(_l("Only a coordinator can run auto-assignment."))


def needs_for(coordinator, town_code=None, service_types=(), need_ids=None, rhythm=None) -> list:
    """Open needs without a live visit, of children in the coordinator's scope: all of a town (or the
    whole scope) of the given service types and rhythm, or exactly need_ids. Sorted by id."""
    check_staff(coordinator)
    q = (select(Need).join(Child, Child.id == Need.child_id).options(contains_eager(Need.child))
         .where(Need.status == "open"))
    if need_ids is not None:
        q = q.where(Need.id.in_([int(i) for i in need_ids][:MAX_NEEDS]))
    if town_code:
        q = q.where(Child.town_code == town_code)
    if service_types:
        q = q.where(Need.service_type.in_(list(service_types)))
    if rhythm:
        q = q.where(Need.rhythm == rhythm)
    live = select(Visit.need_id).where(Visit.status.in_(ACTIVE_STATUSES))
    q = q.where(Need.id.not_in(live)).order_by(Need.id).limit(MAX_NEEDS)
    return [n for n in db.session.scalars(q) if access.child_in_scope(coordinator, n.child)]


def check_km(value) -> int:
    try:
        km = int(value)
    except (TypeError, ValueError):
        km = -1
    if not MIN_KM <= km <= MAX_KM:
        raise InvalidInput({"max_km": _l("Enter a distance from %(min)s to %(max)s km.", min=MIN_KM, max=MAX_KM)})
    return km


def start(coordinator, need_ids, max_km=DEFAULT_KM):
    """Start the auto-assignment job for needs in the coordinator's scope; returns its JobRecord."""
    from ..tasks import services as tasks

    check_staff(coordinator)
    km = check_km(max_km)
    ids = [n.id for n in needs_for(coordinator, need_ids=need_ids)]
    if not ids:
        raise InvalidInput({"needs": _l("Choose at least one open need without a planned visit.")})
    return tasks.enqueue("jobs.autoassign.propose", coordinator.id, km, *ids, kind="autoassign",
                         owner_id=coordinator.id)


# --- propose (run by the job) ----------------------------------------------------------------------

def propose(coordinator_id: int, need_ids, max_km: int, report=None) -> dict:
    """Compute a proposal for the needs (re-checked: in scope, open, no live visit); JSON-safe."""
    report = report or (lambda done, total, message="": None)
    coordinator = db.session.get(User, coordinator_id)
    if coordinator is None or not coordinator.active:
        raise NotAllowed(_l("Only a coordinator can run auto-assignment."))
    check_staff(coordinator)
    km = check_km(max_km)
    first, last = _horizon()
    needs = needs_for(coordinator, need_ids=need_ids)
    report(1, 4, str(_l("Reading needs and volunteers")))
    tasks = problem.tasks(needs, first, last)
    excluded: dict = {}
    helpers = problem.helpers(first, last, excluded)
    history = problem.continuity(sorted({n.child_id for n in needs}))
    report(2, 4, str(_l("Computing the assignment")))
    settings = solver.Settings(max_km=float(km), two_adults=bool(setting("VISIT_TWO_ADULTS")))
    result = solver.solve(tasks, helpers, settings, history)
    report(3, 4, str(_l("Planning dates and times")))
    windows = {n.id: (max(first, n.window_start or first), min(last, n.window_end or last)) for n in needs}
    items, late = _schedule(result.assignments, windows, {n.id: n.child_id for n in needs}, first, last,
                            bool(setting("VISIT_CHILD_ONE_PER_DAY")))
    _alternatives(items, tasks, helpers, settings)
    unassigned = [{"need": u.task, "why": u.why, "in_range": u.in_range} for u in result.unassigned]
    unassigned += [{"need": a.task, "why": why, "in_range": len(a.helpers)} for a, why in late]
    unassigned.sort(key=lambda u: u["need"])
    report(4, 4, str(_l("Proposal ready")))
    return {"max_km": km, "two_adults": settings.two_adults, "first": first.isoformat(), "last": last.isoformat(),
            "created_at": utcnow().isoformat(), "items": items, "unassigned": unassigned,
            "stats": {k: int(v) for k, v in result.stats.items()}, **excluded}


def _local(day: date, period: str) -> tuple[datetime, datetime]:
    h, m, minutes = PERIOD_TIMES[period]
    start = datetime(day.year, day.month, day.day, h, m, tzinfo=TZ)
    return start, start + timedelta(minutes=minutes)


def _busy(helper_ids, child_ids, first, last) -> tuple[set, set]:
    """(key, day, period) already taken by live visits, key a helper id (teams as -organisation id) or
    ("child", id); and (child id, day) of the days each child already has a visit."""
    lo, hi = _local(first, "am")[0] - timedelta(days=1), _local(last, "eve")[1] + timedelta(days=1)
    vols = [h for h in helper_ids if h > 0]
    orgs = [-h for h in helper_ids if h < 0]
    rows = []
    if vols:
        rows += db.session.execute(select(VisitAssignee.user_id, Visit.starts_at, Visit.ends_at)
                                   .join(Visit, Visit.id == VisitAssignee.visit_id)
                                   .where(VisitAssignee.user_id.in_(vols), VisitAssignee.status.in_(("offered", "accepted")),
                                          Visit.status.in_(ACTIVE_STATUSES), Visit.starts_at < hi,
                                          Visit.ends_at > lo)).all()
    if orgs:
        rows += [(-oid, s, e) for oid, s, e in db.session.execute(
            select(Visit.org_id, Visit.starts_at, Visit.ends_at).where(
                Visit.org_id.in_(orgs), Visit.status.in_(ACTIVE_STATUSES), Visit.starts_at < hi, Visit.ends_at > lo))]
    if child_ids:
        rows += [(("child", cid), s, e) for cid, s, e in db.session.execute(
            select(Visit.child_id, Visit.starts_at, Visit.ends_at).where(
                Visit.child_id.in_(list(child_ids)), Visit.status.in_(CHILD_STATUSES), Visit.starts_at < hi,
                Visit.ends_at > lo))]
    busy, days = set(), set()
    for key, s, e in rows:
        if isinstance(key, tuple):
            day = s.astimezone(TZ).date()
            while day <= (e - timedelta(microseconds=1)).astimezone(TZ).date():
                days.add((key[1], day))
                day += timedelta(days=1)
        day = s.astimezone(TZ).date() - timedelta(days=1)
        while day <= e.astimezone(TZ).date():
            for period in solver.PERIODS:
                a, b = _local(day, period)
                if s < b and e > a:
                    busy.add((key, day, period))
            day += timedelta(days=1)
    return busy, days


def _schedule(assignments, windows, children, first, last, one_per_day) -> tuple[list, list]:
    busy, days = _busy({h for a in assignments for h in a.helpers}, set(children.values()), first, last)
    return plan(assignments, windows, children, busy, days, one_per_day)


def plan(assignments, windows, children, busy=None, days=None, one_per_day=True) -> tuple[list, list]:
    """The earliest day and period in each need's window free for its helpers (weekly slot, no other visit)
    and its child (no other visit then; one_per_day: none that day), the visits with the fewest possible
    times first. Returns (items, [(assignment, why)]): why is "child_day" / "child_time" when the child's
    visits took some of the helpers' slots, else "no_time". busy: (helper id or ("child", id), day,
    period) taken; days: (child id, day) taken."""
    busy, days = set(busy or ()), set(days or ())
    items, late = [], []

    def options(a):
        a_first, a_last = windows[a.task]
        weekdays = [(a_first + timedelta(days=i)).weekday() for i in range(min(7, (a_last - a_first).days + 1))]
        weeks = ((a_last - a_first).days + 7) // 7
        return sum(bin(a.slots >> (3 * d) & 7).count("1") for d in weekdays) * weeks, a.task

    for a in sorted(assignments, key=options):
        a_first, a_last = windows[a.task]
        child = children[a.task]
        found, blocked = None, False
        day = a_first
        while day <= a_last and found is None:
            for p, period in enumerate(solver.PERIODS):
                if not a.slots >> (day.weekday() * 3 + p) & 1:
                    continue
                if (("child", child), day, period) in busy or (one_per_day and (child, day) in days):
                    blocked = True  # no other helper could go then either
                    continue
                if any((h, day, period) in busy for h in a.helpers):
                    continue
                found = (day, period)
                break
            day += timedelta(days=1)
        if found is None:
            late.append((a, ("child_day" if one_per_day else "child_time") if blocked else "no_time"))
            continue
        for h in (*a.helpers, ("child", child)):
            busy.add((h, *found))
        days.add((child, found[0]))
        start, end = _local(*found)
        team = a.team
        items.append({"need": a.task, "volunteers": [] if team else list(a.helpers),
                      "org": -a.helpers[0] if team else None, "km": [round(k, 1) for k in a.km],
                      "continuity": a.continuity, "slot": found[0].weekday() * 3 + solver.PERIODS.index(found[1]),
                      "starts_at": start.astimezone(utcnow().tzinfo).isoformat(),
                      "ends_at": end.astimezone(utcnow().tzinfo).isoformat(), "alternatives": []})
    items.sort(key=lambda i: i["need"])
    return items, late


def _alternatives(items, tasks, helpers, settings) -> None:
    """Up to ALTERNATIVES other volunteers per pair who could go instead (in reach, skills, free in the
    chosen slot; capacity not rechecked): the choices the coordinator may swap in. One batch query."""
    vol = np.flatnonzero(~helpers.team & np.isfinite(helpers.lat))
    chosen = [i for i in items if i["volunteers"]]
    if not len(vol) or not chosen:
        return
    pos = {int(t): i for i, t in enumerate(tasks.ids.tolist())}
    t = np.array([pos[i["need"]] for i in chosen], np.int64)
    k = min(len(vol), 40)
    tx = unit_vectors(tasks.lat[t], tasks.lon[t])
    _d, idx = cKDTree(unit_vectors(helpers.lat[vol], helpers.lon[vol])).query(tx, k=k)
    hs = vol[idx.reshape(len(t), k)]  # rows: items; columns: nearest volunteers
    km = chord_to_km(np.linalg.norm(unit_vectors(helpers.lat[hs].ravel(), helpers.lon[hs].ravel())
                                    .reshape(len(t), k, 3) - tx[:, None, :], axis=2))
    slot = np.array([i["slot"] for i in chosen], np.int64)[:, None]
    taken = np.full((len(t), 2), -1, np.int64)
    for row, item in enumerate(chosen):
        taken[row, :len(item["volunteers"][:2])] = item["volunteers"][:2]
    ids = helpers.ids[hs]
    ok = ((km <= np.minimum(helpers.max_km[hs], settings.max_km)) & ((tasks.skills[t][:, None] & ~helpers.skills[hs]) == 0)
          & ((helpers.slots[hs] >> slot) & 1 == 1) & (ids != taken[:, :1]) & (ids != taken[:, 1:]))
    for row, item in enumerate(chosen):
        item["alternatives"] = [int(x) for x in ids[row][ok[row]][:ALTERNATIVES]]


# --- the stored proposal, and confirmation ------------------------------------------------------------
