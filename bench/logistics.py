"""Benchmark of gift-pack logistics (issue 7): `python bench/logistics.py`.

allocate_qingdao_s: the Qingdao demo data set (10,668 children, built with volunteer.demo into a temp SQLite
file) allocated city-wide over the demo's 5 pack kinds and 10 hubs (volunteer.logistics.allocation.allocate:
eligibility, vectorised child x hub distances, batched writes of allocations + stock + ledger). Target <= 10 s.
route30_s: ordering 30 stops around a hub (volunteer.logistics.routing.solve: nearest neighbour + 2-opt local
search), median over BENCH_ROUTE_RUNS random instances. Target <= 1 s.
route30_ratio_to_nearest_neighbour: mean tour length of the solver over the nearest-neighbour tour's (< 1 is
better). Prints key=value lines; progress on stderr.
"""
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROUTE_RUNS = int(os.environ.get("BENCH_ROUTE_RUNS", 10))


def out(key, value):
    print(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}", flush=True)


def allocation(tmp):
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from volunteer import create_app
    from volunteer.demo.services import build
    from volunteer.extensions import db
    from volunteer.logistics.allocation import allocate
    from volunteer.logistics.models import Allocation, Campaign, Hub, PackKind
    from volunteer.logistics.stock import imbalances

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "INSTANCE_PATH": tmp})
    with app.app_context():
        upgrade()
        t = time.perf_counter()
        result = build(small=False)
        print(f"demo built in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        campaign = db.session.scalar(select(Campaign))
        kinds = db.session.scalar(select(func.count(PackKind.id)))
        hubs = db.session.scalar(select(func.count(Hub.id)))
        t = time.perf_counter()
        summary = allocate(campaign.id)
        elapsed = time.perf_counter() - t
        out("allocate_qingdao_s", elapsed)
        out("allocate_children", result["children_total"])
        out("allocate_kinds", kinds)
        out("allocate_hubs", hubs)
        out("allocate_items", summary["items"])
        out("allocate_packs", summary["allocated"])
        out("allocate_shortfall", summary["shortfall"])
        t = time.perf_counter()
        again = allocate(campaign.id)
        out("allocate_rerun_s", time.perf_counter() - t)
        out("allocate_rerun_packs", again["allocated"])
        assert db.session.scalar(select(func.count(Allocation.id))) == summary["allocated"]
        assert imbalances() == []
        db.engine.dispose()


def routes():
    import numpy as np

    from volunteer.logistics import routing

    times, ratios = [], []
    rng = np.random.default_rng(30)
    for _ in range(ROUTE_RUNS):
        lats = np.concatenate([[36.2], 36.2 + rng.uniform(-0.25, 0.25, 30)])
        lons = np.concatenate([[120.4], 120.4 + rng.uniform(-0.3, 0.3, 30)])
        t = time.perf_counter()
        order, km = routing.solve(lats, lons)
        times.append(time.perf_counter() - t)
        d = routing.distance_matrix(lats, lons)
        assert sorted(order) == list(range(1, 31))
        ratios.append(km / routing.tour_length(d, routing.nearest_neighbour(d)))
    out("route30_s", statistics.median(times))
    out("route30_max_s", max(times))
    out("route30_ratio_to_nearest_neighbour", statistics.mean(ratios))


def main():
    routes()
    tmp = tempfile.mkdtemp(prefix="huhang-bench-logistics-")
    try:
        allocation(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
