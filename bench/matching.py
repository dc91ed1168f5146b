"""Benchmark of the spatial engine (issue 4, part 1): `python bench/matching.py`.

N open needs uniform in a 100 x 100 km box around Qingdao (36.07 N, 120.38 E): 1k, 10k, 100k on SQLite
(a temp file), and when DATABASE_URL points at PostgreSQL also 1M there (in a scratch database
`huhang_bench` created beside it and dropped afterwards; PostGIS is enabled there when available).
The scratch schema is built with the app's migrations; need_point rows are then loaded directly with
the foreign keys off (SQLite: PRAGMA foreign_keys=OFF; PostgreSQL: the scratch copy's FK constraints
are dropped), so no need/child rows are made. The R*Tree follows by its triggers, geog is generated.

Queries from random points in the same box, through volunteer.matching.spatial.engine():
"20 nearest within 10 km" and "all within 5 km, paged (first page of 20 + total)"; baseline: the naive
geopy `geodesic` loop over the same points (distance to every need, keep <= 10 km, sort, take 20).
Prints one key=value line per figure (N written 1k/10k/100k/1m).

Part 2 (bench/nearme_load.py: the near-me request under load on gunicorn) runs after part 1;
`--part spatial` (or `--skip-load`) runs part 1 only, `--part load` part 2 only. See bench/README.md.
"""
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CENTRE = (36.07, 120.38)
HALF_KM = 50.0
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
PG_SIZES = {**SIZES, "1m": 1_000_000}
NEAREST_RUNS = int(os.environ.get("BENCH_NEAREST_RUNS", 2000))
WITHIN_RUNS = int(os.environ.get("BENCH_WITHIN_RUNS", 300))
GEOPY_RUNS = {"1k": 10, "10k": 3, "100k": 2}
GEOPY_SAMPLE = 100_000  # 1m: geopy's loop is timed over 100k of the points and scaled (~65 s otherwise)


def out(key, value):
    if isinstance(value, float):
        value = f"{value:.0f}" if value >= 1000 else f"{value:.4g}"
    print(f"{key}={value}", flush=True)


def box():
    import math

    dlat = HALF_KM / 111.195
    dlon = HALF_KM / (111.195 * math.cos(math.radians(CENTRE[0])))
    return CENTRE[0] - dlat, CENTRE[0] + dlat, CENTRE[1] - dlon, CENTRE[1] + dlon


def make_points(n, seed):
    import numpy as np

    lat1, lat2, lon1, lon2 = box()
    rng = np.random.default_rng(seed)
    return rng.uniform(lat1, lat2, n), rng.uniform(lon1, lon2, n)


def rows(lats, lons):
    types = ("tutoring", "companionship", "home_visit_survey", "case_service")
    for i, (la, lo) in enumerate(zip(lats.tolist(), lons.tolist()), start=1):
        yield (i, i, la, lo, la, lo, types[i % 4], (1 << (i % 9)) if i % 3 else 0, "normal", "370212",
               "370212002")


COLUMNS = ("need_id, child_id, lat, lon, exact_lat, exact_lon, service_type, skills_mask, urgency, "
           "district_code, town_code")


def queries(n, seed):
    lat1, lat2, lon1, lon2 = box()
    rng = random.Random(seed)
    return [(rng.uniform(lat1, lat2), rng.uniform(lon1, lon2)) for _ in range(n)]


def timed(fn, points):
    times = []
    for lat, lon in points:
        t = time.perf_counter()
        fn(lat, lon)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def geopy_loop(lats, lons, q):
    from geopy.distance import geodesic

    found = []
    for i, (la, lo) in enumerate(zip(lats, lons)):
        d = geodesic(q, (la, lo)).km
        if d <= 10.0:
            found.append((d, i))
    found.sort()
    return found[:20]


def measure(label, app, lats, lons, seed, geopy_scale=1, kinds=None):
    from volunteer.extensions import db
    from volunteer.matching import spatial

    with app.app_context():
        eng = spatial.engine()
        out(f"backend_{label}", eng.name)
        qs = queries(NEAREST_RUNS, seed)
        for q in qs[:50]:  # warm up
            eng.nearest_needs(*q, k=20, max_km=10.0)
        p50, p99 = timed(lambda la, lo: eng.nearest_needs(la, lo, k=20, max_km=10.0), qs)
        out(f"nearest20_p50_ms_{label}", p50)
        out(f"nearest20_p99_ms_{label}", p99)
        wq = queries(WITHIN_RUNS, seed + 1)
        w50, w99 = timed(lambda la, lo: eng.needs_within(la, lo, 5.0, page=1, per_page=20), wq)
        out(f"within5_p50_ms_{label}", w50)
        out(f"within5_p99_ms_{label}", w99)
        for kind in kinds or ():
            other = spatial.engine(kind)
            b50, _ = timed(lambda la, lo: other.nearest_needs(la, lo, k=20, max_km=10.0), qs[:500])
            out(f"{kind.replace('-', '_')}_nearest20_p50_ms_{label}", b50)
        db.session.rollback()
    la, lo = lats.tolist(), lons.tolist()
    n_geo = {"1k": 10, "10k": 3}.get(label, 2) if geopy_scale == 1 else 1
    if geopy_scale != 1:
        la, lo = la[:GEOPY_SAMPLE], lo[:GEOPY_SAMPLE]
    t = time.perf_counter()
    for gq in queries(n_geo, seed + 2):
        geopy_loop(la, lo, gq)
    geo_ms = (time.perf_counter() - t) * 1000 / n_geo * geopy_scale
    out(f"geopy_loop_ms_{label}", geo_ms)
    if geopy_scale != 1:
        out(f"geopy_loop_ms_{label}_scaled_from", f"{GEOPY_SAMPLE // 1000}k")
    out(f"speedup_vs_geopy_{label}", geo_ms / p50)


def sqlite_runs(tmp):
    from flask_migrate import upgrade

    from volunteer import create_app

    template = Path(tmp) / "template.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}", "INSTANCE_PATH": tmp})
    with app.app_context():
        upgrade()
        from volunteer.extensions import db

        db.engine.dispose()
    for n, (label, size) in enumerate(SIZES.items()):
        path = Path(tmp) / f"needs_{label}.db"
        shutil.copy(template, path)
        lats, lons = make_points(size, 100 + n)
        t = time.perf_counter()
        con = sqlite3.connect(path)
        con.execute("PRAGMA foreign_keys=OFF")
        con.executemany(f"INSERT INTO need_point ({COLUMNS}) VALUES ({', '.join('?' * 11)})", rows(lats, lons))
        con.commit()
        con.execute("ANALYZE")
        con.close()
        out(f"load_s_{label}", time.perf_counter() - t)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "INSTANCE_PATH": tmp})
        measure(label, app, lats, lons, 1000 + n, kinds=["boxscan"])
        with app.app_context():
            from volunteer.extensions import db

            db.engine.dispose()


def pg_runs(url, tmp):
    import psycopg
    from flask_migrate import upgrade

    from volunteer import create_app

    base = url.replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://")
    scratch = base.rsplit("/", 1)[0] + "/huhang_bench"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS huhang_bench")
        admin.execute("CREATE DATABASE huhang_bench")
    try:
        sa_url = "postgresql+psycopg://" + scratch[len("postgresql://"):]
        app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url, "INSTANCE_PATH": tmp})
        with app.app_context():
            upgrade()
            from volunteer.extensions import db

            db.engine.dispose()
        with psycopg.connect(scratch, autocommit=True) as con:
            for fk in ("fk_need_point_need_id_need", "fk_need_point_child_id_child"):
                con.execute(f"ALTER TABLE need_point DROP CONSTRAINT {fk}")
        for n, (label, size) in enumerate(PG_SIZES.items()):
            lats, lons = make_points(size, 200 + n)
            t = time.perf_counter()
            with psycopg.connect(scratch, autocommit=True) as con:
                con.execute("TRUNCATE need_point")
                with con.cursor().copy(f"COPY need_point ({COLUMNS}) FROM STDIN") as copy:
                    for r in rows(lats, lons):
                        copy.write_row(r)
                con.execute("VACUUM ANALYZE need_point")
            out(f"pg_load_s_{label}", time.perf_counter() - t)
            app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url, "INSTANCE_PATH": tmp})
            scale = size // GEOPY_SAMPLE if size > GEOPY_SAMPLE else 1
            measure(label if size >= 1_000_000 else f"pg_{label}", app, lats, lons, 2000 + n, geopy_scale=scale,
                    kinds=["boxscan"] if size <= 100_000 else [])
            with app.app_context():
                from volunteer.extensions import db

                db.engine.dispose()
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS huhang_bench")


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description="Spatial engine benchmark (part 1) and near-me load (part 2).")
    parser.add_argument("--part", choices=("all", "spatial", "load"), default="all",
                        help="spatial: part 1 only; load: part 2 only (bench/nearme_load.py); all: both")
    parser.add_argument("--skip-load", action="store_true", help="the same as --part spatial")
    args, load_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    part = "spatial" if args.skip_load else args.part
    if part in ("all", "spatial"):
        tmp = tempfile.mkdtemp(prefix="huhang-bench-")
        url = os.environ.get("DATABASE_URL", "")
        os.environ.pop("DATABASE_URL", None)  # the app's config must not pick it up behind our back
        try:
            sqlite_runs(tmp)
            if url.startswith(("postgresql", "postgres:")):
                pg_runs(url, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if part in ("all", "load"):
        from bench import nearme_load  # part 2; other options (--seconds, --driver, ...) pass through

        return nearme_load.main(load_args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
