"""Benchmark of the auto-assignment solver (issue 5): `python bench/assign.py`.

1. 2,000 single-volunteer needs (tutoring) and 1,000 volunteers with capacity 2, uniform in a 100 x 100
   km box around Qingdao, no skill or availability limits: the solver (volunteer.visits.solver.solve)
   against the optimum (dense scipy linear_sum_assignment over every need x volunteer slot) and against
   nearest-first greedy (all need-volunteer pairs by distance, taken while both are free).
2. 1,000 home visits under the two-adult rule to the same volunteers.
3. Qingdao scale: 10,668 monthly visits (one per child in hardship, placed like the demo data: districts
   by population, points in the district polygons) to 3,000 volunteers and 20 organisation teams with
   the demo's mix of skills (credentials verified for 60 %), weekly slots, monthly capacity 2-8 and reach
   3-15 km, a 15 km maximum, the two-adult rule for home visits and continuity for a tenth of them.
Prints one key=value line per figure. Data are generated in-process (seeded); no database.
4. With --demo: the whole auto-assignment service (volunteer.visits.autoassign.propose: reading the
   problem from the database, solving, scheduling dates) for every open need of the Qingdao demo data,
   as the city coordinator, on a temp SQLite file with an embedded Redis (removed afterwards).
"""
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scipy.optimize import linear_sum_assignment  # noqa: E402

from volunteer.visits.solver import ALL_SLOTS, Helpers, Settings, Tasks, solve  # noqa: E402
from volunteer.visits.solver_core import chord_to_km, unit_vectors  # noqa: E402

CENTRE = (36.07, 120.38)
HALF_KM = 50.0
SEED = 2019


def out(key, value):
    if isinstance(value, float):
        value = f"{value:.4g}"
    print(f"{key}={value}", flush=True)


def box_points(rng, n):
    dlat = HALF_KM / 111.195
    dlon = HALF_KM / (111.195 * np.cos(np.radians(CENTRE[0])))
    return (rng.uniform(CENTRE[0] - dlat, CENTRE[0] + dlat, n), rng.uniform(CENTRE[1] - dlon, CENTRE[1] + dlon, n))


def greedy_total(d, cap):
    """Nearest-first greedy: every (need, volunteer) pair by distance, taken while both are free."""
    order = np.argsort(d, axis=None, kind="stable")
    left = cap.copy()
    taken = np.zeros(d.shape[0], bool)
    total, n = 0.0, 0
    rows, cols = np.unravel_index(order, d.shape)
    for r, c in zip(rows.tolist(), cols.tolist()):
        if not taken[r] and left[c]:
            taken[r] = True
            left[c] -= 1
            total += d[r, c]
            n += 1
            if n == d.shape[0]:
                break
    return total


def part_2000(rng):
    tl, to = box_points(rng, 2000)
    hl, ho = box_points(rng, 1000)
    helpers = Helpers.build(np.arange(1000), hl, ho, capacity=np.full(1000, 2))
    tasks = Tasks.build(np.arange(2000), tl, to)
    wide = Settings(max_km=200.0)  # no distance limit either: comparable with the unconstrained optimum
    t0 = time.perf_counter()
    res = solve(tasks, helpers, wide)
    out("assign_2000_s", time.perf_counter() - t0)
    out("assign_2000_assigned", len(res.assignments))
    d = chord_to_km(np.linalg.norm(unit_vectors(tl, to)[:, None, :] - unit_vectors(hl, ho)[None, :, :], axis=2))
    t0 = time.perf_counter()
    dense = np.repeat(d, 2, axis=1)
    r, c = linear_sum_assignment(dense)
    optimum = float(dense[r, c].sum())
    out("optimal_2000_s", time.perf_counter() - t0)
    pos = {h: i for i, h in enumerate(helpers.ids.tolist())}
    total = sum(float(d[a.task, pos[a.helpers[0]]]) for a in res.assignments)
    out("optimal_2000_km", optimum)
    out("assign_2000_km", total)
    out("assign_2000_ratio_to_optimal", f"{total / optimum:.5f}")
    out("greedy_2000_ratio_to_optimal", f"{greedy_total(d, np.full(1000, 2)) / optimum:.4f}")
    return helpers


def part_pairs(rng, helpers):
    tl, to = box_points(rng, 1000)
    tasks = Tasks.build(np.arange(1000), tl, to, pair=np.ones(1000, bool))
    t0 = time.perf_counter()
    res = solve(tasks, helpers, Settings(max_km=200.0))
    out("assign_pairs_1000_s", time.perf_counter() - t0)
    out("assign_pairs_1000_assigned", len(res.assignments))
    out("assign_pairs_1000_km_per_visit", res.total_km / max(1, len(res.assignments)))


def qingdao_data(seed=SEED):
    """Tasks and helpers at Qingdao scale, placed and mixed like the demo data."""
    from volunteer.demo.children import NEED_KINDS, NEED_WEIGHTS
    from volunteer.demo.places import DISTRICT_WEIGHTS
    from volunteer.geo.services import random_point_in_district
    from volunteer.matching.points import SKILL_BITS
    from volunteer.visits.models import HOME_SERVICE_TYPES

    rnd = random.Random(seed)
    codes, weights = list(DISTRICT_WEIGHTS), list(DISTRICT_WEIGHTS.values())

    def place():
        return random_point_in_district(rnd.choices(codes, weights)[0], rnd)

    n_tasks, n_vol, n_team = 10_668, 3000, 20
    tp = [place() for _ in range(n_tasks)]
    kinds = rnd.choices(NEED_KINDS, NEED_WEIGHTS, k=n_tasks)
    t_skills = [sum(SKILL_BITS[s] for s in k[2]) for k in kinds]
    t_pair = [k[0] in HOME_SERVICE_TYPES for k in kinds]
    # A month's window holds every weekday; a tenth of the needs want weekends or evenings only.
    weekend = sum(1 << (d * 3 + p) for d in (5, 6) for p in range(3))
    evenings = sum(1 << (d * 3 + 2) for d in range(7))
    t_slots = [rnd.choice((weekend, evenings)) if rnd.random() < 0.1 else ALL_SLOTS for _ in range(n_tasks)]
    tasks = Tasks.build(np.arange(n_tasks), [p[0] for p in tp], [p[1] for p in tp], t_skills, t_slots, t_pair,
                        np.arange(n_tasks))
    hp = [place() for _ in range(n_vol + n_team)]
    skills, slots, cap, reach = [], [], [], []
    names = list(SKILL_BITS)
    for i in range(n_vol + n_team):
        team = i >= n_vol
        chosen = rnd.sample(names, rnd.randint(3, 6) if team else rnd.randint(1, 3))
        chosen = [s for s in chosen if s not in ("counselling", "rehabilitation") or rnd.random() < 0.6]
        skills.append(sum(SKILL_BITS[s] for s in chosen))
        slots.append(ALL_SLOTS if team else sum(1 << b for b in rnd.sample(range(21), rnd.randint(2, 6))))
        cap.append(20 if team else rnd.randint(2, 8))
        reach.append(15.0 if team else float(rnd.randint(3, 15)))
    helpers = Helpers.build(np.arange(n_vol + n_team), [p[0] for p in hp], [p[1] for p in hp], skills, slots,
                            cap, np.arange(n_vol + n_team) >= n_vol, reach)
    # A tenth of the children were visited before by one of the 5 volunteers living nearest to them.
    from scipy.spatial import cKDTree

    tree = cKDTree(unit_vectors(helpers.lat[:n_vol], helpers.lon[:n_vol]))
    sample = rnd.sample(range(n_tasks), n_tasks // 10)
    _d, near = tree.query(unit_vectors(tasks.lat[sample], tasks.lon[sample]), k=5)
    continuity = {(c, int(near[i][rnd.randrange(5)])) for i, c in enumerate(sample)}
    return tasks, helpers, continuity


def part_qingdao():
    t0 = time.perf_counter()
    tasks, helpers, continuity = qingdao_data()
    out("qingdao_data_s", time.perf_counter() - t0)
    t0 = time.perf_counter()
    res = solve(tasks, helpers, Settings(max_km=15.0), continuity)
    out("assign_qingdao_s", time.perf_counter() - t0)
    out("qingdao_tasks", len(tasks))
    out("qingdao_pair_tasks", int(tasks.pair.sum()))
    out("qingdao_assigned", len(res.assignments))
    out("qingdao_assigned_pairs", sum(len(a.helpers) == 2 for a in res.assignments))
    out("qingdao_assigned_teams", sum(a.team for a in res.assignments))
    out("qingdao_continuity_kept", sum(a.continuity for a in res.assignments))
    out("qingdao_km_per_visit", res.total_km / max(1, len(res.assignments)))
    for code in sorted({u.why for u in res.unassigned}):
        out(f"qingdao_unassigned_{code}", sum(u.why == code for u in res.unassigned))
    out("qingdao_rounds", res.stats["rounds"])


def part_demo():
    import shutil
    import tempfile

    from sqlalchemy import select

    from volunteer import create_app, embedded_redis
    from volunteer.extensions import db

    d = tempfile.mkdtemp(prefix="huhang-bench-assign-")
    try:
        url = embedded_redis.ensure(d)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{d}/demo.db", "REDIS_URL": url,
                          "INSTANCE_PATH": d, "TESTING": True, "SERVER_NAME": None})
        with app.app_context():
            from flask_migrate import upgrade

            from volunteer.accounts.models import User
            from volunteer.demo.services import build
            from volunteer.visits import autoassign

            upgrade()
            t0 = time.perf_counter()
            build()
            out("demo_build_s", time.perf_counter() - t0)
            coord = db.session.scalar(select(User).where(User.role == "coordinator", User.scope_level == "city"))
            t0 = time.perf_counter()
            needs = autoassign.needs_for(coord)
            proposal = autoassign.propose(coord.id, [n.id for n in needs], autoassign.DEFAULT_KM)
            out("demo_propose_s", time.perf_counter() - t0)
            out("demo_needs", len(needs))
            out("demo_proposed", len(proposal["items"]))
            out("demo_unassigned", len(proposal["unassigned"]))
            db.session.remove()
            db.engine.dispose()
    finally:
        embedded_redis.stop(d)
        shutil.rmtree(d, ignore_errors=True)


def main():
    rng = np.random.default_rng(SEED)
    helpers = part_2000(rng)
    part_pairs(rng, helpers)
    part_qingdao()
    if "--demo" in sys.argv[1:]:
        part_demo()


if __name__ == "__main__":
    main()
