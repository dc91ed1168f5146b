"""Assign visits to helpers with the least total travel, under hard constraints (pure: numpy/scipy only).

    result = solve(Tasks.build(...), Helpers.build(...), Settings(max_km=15), continuity={(child, helper)})

Hard constraints, for every adult on a visit: within reach (km <= min(settings.max_km, the helper's own
max_km)), every required skill held (credential skills count only once verified: the caller passes only
those), a free weekly slot inside the task's window (21-bit masks, bit = weekday * 3 + period), and
monthly capacity left (a helper takes at most capacity visits). Safeguarding (settings.two_adults, on by
default): a task marked pair is made by two adults, an organisation team (counts as two) or two distinct
volunteers who share a free slot inside the task's window; both hold the skills.
Soft cost: a helper who visited the task's child before costs continuity_km less.

Method: each step matches tasks to capacity slots (a helper of capacity c is c columns) on the k
nearest feasible helpers per task (KD-tree on 3-D unit vectors), with scipy's sparse assignment solver
(min_weight_full_bipartite_matching); every row also has its own "unassigned" column of prohibitive
cost, so the solver first assigns as many tasks as possible, then minimises distance. Tasks left out
that can reach a helper with capacity to spare get every feasible helper in range and the step is
solved again; if some are still left out and the problem is small enough (settings.dense_cells),
scipy.optimize.linear_sum_assignment solves it densely. Pair tasks go first: leads (on half of each
volunteer's capacity left, so second adults are not starved), then second adults on the capacity left;
a task whose lead finds no partner frees the lead, bans it for that task and tries again (at most
ROUNDS). Then single tasks, and pair tasks still open to teams only, on what is left.
"""
from dataclasses import dataclass, field

import numpy as np

from .solver_core import ANY, TEAMS, VOLUNTEERS, Problem, Rows

PERIODS = ("am", "pm", "eve")
N_SLOTS = 21
ALL_SLOTS = (1 << N_SLOTS) - 1
ROUNDS = 3  # lead choices per pair task
WHY = ("no_place", "no_window", "nobody_in_range", "no_skill", "no_time", "no_partner", "no_capacity")


def slot_bit(weekday: int, period: str) -> int:
    """The mask bit of one weekly slot (weekday 0 = Monday; period am / pm / eve)."""
    return 1 << (weekday * 3 + PERIODS.index(period))


def _arr(values, n, default, dtype):
    return np.full(n, default, dtype=dtype) if values is None else np.asarray(values, dtype=dtype).reshape(n)


@dataclass
class Tasks:
    """Visits to make: ids, points, required skills mask, allowed slots mask, pair flag, child id."""

    ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    skills: np.ndarray
    slots: np.ndarray
    pair: np.ndarray
    child: np.ndarray

    @classmethod
    def build(cls, ids, lat, lon, skills=None, slots=None, pair=None, child=None) -> "Tasks":
        n = len(ids)
        return cls(np.asarray(ids, np.int64).reshape(n), _arr(lat, n, np.nan, float), _arr(lon, n, np.nan, float),
                   _arr(skills, n, 0, np.int64), _arr(slots, n, ALL_SLOTS, np.int64), _arr(pair, n, False, bool),
                   _arr(child, n, -1, np.int64))

    def __len__(self):
        return len(self.ids)


@dataclass
class Helpers:
    """Volunteers and organisation teams: ids, points, skills, free slots, capacity left, team, reach."""

    ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    skills: np.ndarray
    slots: np.ndarray
    capacity: np.ndarray
    team: np.ndarray
    max_km: np.ndarray

    @classmethod
    def build(cls, ids, lat, lon, skills=None, slots=None, capacity=None, team=None, max_km=None) -> "Helpers":
        n = len(ids)
        return cls(np.asarray(ids, np.int64).reshape(n), _arr(lat, n, np.nan, float), _arr(lon, n, np.nan, float),
                   _arr(skills, n, 0, np.int64), _arr(slots, n, ALL_SLOTS, np.int64), _arr(capacity, n, 1, np.int64),
                   _arr(team, n, False, bool), _arr(max_km, n, np.inf, float))

    def __len__(self):
        return len(self.ids)


@dataclass(frozen=True)
class Settings:
    max_km: float = 15.0
    k: int = 40  # nearest feasible helpers per task (40: ~1.001x the optimum on saturated capacity)
    two_adults: bool = True
    continuity_km: float = 3.0
    dense_cells: int = 8_000_000  # largest rows x columns solved densely by linear_sum_assignment


@dataclass
class Assignment:
    """One task and its helpers (one volunteer or team, or two volunteers), with the facts for a reason."""

    task: int
    helpers: tuple
    km: tuple
    slots: int  # the free slots every adult shares inside the task's window
    skills: int
    continuity: bool
    team: bool = False


@dataclass
class Unassigned:
    """A task left out, why (a WHY code), and how many helpers were in range."""

    task: int
    why: str
    max_km: float
    in_range: int = 0


@dataclass
class Result:
    assignments: list = field(default_factory=list)
    unassigned: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def total_km(self) -> float:
        return float(sum(sum(a.km) for a in self.assignments))




def solve(tasks: Tasks, helpers: Helpers, settings: Settings | None = None, continuity=()) -> Result:
    """Assign tasks to helpers (see the module doc). continuity: (child id, helper id) pairs of earlier
    visits. Every returned assignment meets every hard constraint; the rest come back with a WHY."""
    s = settings or Settings()
    p = Problem(tasks, helpers, s, continuity)
    pair = tasks.pair & s.two_adults
    eligible = np.isfinite(tasks.lat) & np.isfinite(tasks.lon) & (tasks.slots != 0)
    done: dict[int, Assignment] = {}
    # Pair tasks first (the harder ones to staff): leads, then second adults; a lead left without a
    # partner is freed and banned from that task, and the task tries again (at most ROUNDS).
    todo = np.flatnonzero(eligible & pair)
    for rnd in range(ROUNDS):
        if not len(todo):
            break
        p.stats["rounds"] = rnd + 1
        # Leads get at most half of each volunteer's capacity left, so second adults are not starved.
        held = np.where(helpers.team, 0, p.cap // 2)
        p.cap -= held
        lead, _km = p.match(Rows(todo, tasks.slots[todo]))
        p.cap += held
        pending = []
        for t, h in zip(todo.tolist(), lead.tolist()):
            if h < 0:
                continue
            p.cap[h] -= 1
            if helpers.team[h]:
                done[t] = _assignment(p, t, (h,))
            else:
                pending.append((t, h))
        todo = np.array(_partners(p, pending, done) if pending else [], np.int64)
    # Then single tasks, and pair tasks still open to teams only, on the capacity left.
    todo = np.array([t for t in np.flatnonzero(eligible).tolist() if t not in done], np.int64)
    if len(todo):
        mode = np.where(pair[todo], TEAMS, ANY)
        got, _km = p.match(Rows(todo, tasks.slots[todo], mode=mode))
        for t, h in zip(todo.tolist(), got.tolist()):
            if h >= 0:
                p.cap[h] -= 1
                done[t] = _assignment(p, t, (h,))
    unassigned = [_why(p, t, bool(pair[t])) for t in range(len(tasks)) if t not in done]
    assignments = [done[t] for t in sorted(done)]
    return Result(assignments, unassigned, {**p.stats, "assigned": len(assignments), "unassigned": len(unassigned)})


def _partners(p: Problem, pending, done) -> list:
    """Second adults for volunteer-led pair tasks, on the capacity left; a lead without one is freed
    and banned from that task. Returns the tasks that failed."""
    t = np.array([x[0] for x in pending], np.int64)
    lead = np.array([x[1] for x in pending], np.int64)
    rows = Rows(t, p.t.slots[t] & p.h.slots[lead], exclude=lead, mode=np.full(len(t), VOLUNTEERS))
    partner, _km = p.match(rows)
    failed, freed = [], []
    for task, a, b in zip(t.tolist(), lead.tolist(), partner.tolist()):
        if b >= 0:
            p.cap[b] -= 1
            done[task] = _assignment(p, task, (a, b))
        else:
            p.cap[a] += 1
            failed.append(task)
            freed.append(a)
    p.ban(failed, freed)
    return failed


def _assignment(p: Problem, t: int, hs: tuple) -> Assignment:
    h = np.array(hs, np.int64)
    km = p.km(np.full(len(h), t), h)
    slots = int(p.t.slots[t])
    for x in hs:
        slots &= int(p.h.slots[x])
    child = int(p.t.child[t])
    return Assignment(task=int(p.t.ids[t]), helpers=tuple(int(p.h.ids[x]) for x in hs),
                      km=tuple(round(float(k), 3) for k in km), slots=slots, skills=int(p.t.skills[t]),
                      continuity=any((child, x) in p.continuity for x in hs), team=bool(p.h.team[hs[0]]))


def _why(p: Problem, t: int, pair: bool) -> Unassigned:
    """The first hard constraint that left task t out, checked against the helpers in range."""
    tid, km_max = int(p.t.ids[t]), float(p.s.max_km)
    if not (np.isfinite(p.t.lat[t]) and np.isfinite(p.t.lon[t])):
        return Unassigned(tid, "no_place", km_max)
    if p.t.slots[t] == 0:
        return Unassigned(tid, "no_window", km_max)
    h, km = p.ball(t)
    ok = km <= p.reach[h]
    steps = (("nobody_in_range", ok),)
    ok = ok & ((p.t.skills[t] & ~p.h.skills[h]) == 0)
    steps += (("no_skill", ok),)
    ok = ok & ((p.t.slots[t] & p.h.slots[h]) != 0)
    steps += (("no_time", ok),)
    in_range = int(np.count_nonzero(steps[0][1]))
    for code, mask in steps:
        if not mask.any():
            return Unassigned(tid, code, km_max, in_range)
    n = int(np.count_nonzero(ok))
    if pair and not (p.h.team[h[ok]].any() or _two_share(p.h.slots[h[ok & ~p.h.team[h]]] & p.t.slots[t])):
        return Unassigned(tid, "no_partner", km_max, n)
    return Unassigned(tid, "no_capacity", km_max, n)


def _two_share(masks) -> bool:
    """Whether two of the volunteers share a free slot."""
    if len(masks) < 2:
        return False
    bits = (np.asarray(masks, np.int64)[:, None] >> np.arange(N_SLOTS)) & 1
    return bool((bits.sum(axis=0) >= 2).any())
