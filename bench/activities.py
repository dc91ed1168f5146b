"""Benchmark of activity sign-up and nearby search: `python bench/activities.py` (see bench/README.md).

A scratch SQLite file (temp dir, built with the app's migrations, embedded Redis beside it), or with
`--database-url postgresql://.../scratch` an EMPTY scratch PostgreSQL database (its public schema is
dropped and rebuilt). VOLUNTEERS threads, each with its own session and pooled connection, are released by
a threading.Barrier onto one published activity of PLACES places, ROUNDS times (a new activity each
round), through the API (POST /api/v1/activities/<id>/signup with each volunteer's token, a Flask test
client per thread: the view, token check and services.sign_up()). Then nearby() is timed around random points among
NEARBY_ACTIVITIES published activities in a 100 x 100 km box around Qingdao. Prints key=value lines.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", 50))
PLACES = int(os.environ.get("BENCH_PLACES", 10))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 100))
NEARBY_ACTIVITIES = int(os.environ.get("BENCH_NEARBY_ACTIVITIES", 10_000))
NEARBY_RUNS = 200


def out(key, value):
    if isinstance(value, float):
        value = f"{value:.4g}"
    print(f"{key}={value}", flush=True)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def build(url, tmp):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from volunteer import create_app
    from volunteer.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp, "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": VOLUNTEERS + 2, "max_overflow": 0}})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    return app


def _rows(n, now, status, rng=None):
    from datetime import timedelta

    start = now + timedelta(days=7)
    for i in range(n):
        lat, lon = (36.07, 120.38) if rng is None else (36.07 + rng.uniform(-0.45, 0.45),
                                                        120.38 + rng.uniform(-0.56, 0.56))
        yield {"title": f"活动{i}", "service_type": "group_service", "starts_at": start,
               "ends_at": start + timedelta(hours=3), "signup_deadline": start - timedelta(days=1),
               "venue": "基准地点", "lat": lat, "lon": lon, "district_code": "370212", "town_code": None,
               "places": PLACES, "places_taken": 0, "waitlist_seq": 0, "skills": "", "children_expected": 0,
               "status": status, "created_at": now, "updated_at": now}


def seed(app):
    from sqlalchemy import insert, select

    from volunteer.accounts.models import User
    from volunteer.activities.models import Activity
    from volunteer.extensions import db
    from volunteer.types import utcnow

    now = utcnow()
    with app.app_context():
        db.session.execute(insert(User), [{"phone": f"+8617088{i:06d}", "name": f"志愿者{i}", "password_hash": "x",
                                           "role": "volunteer", "active": True, "created_at": now}
                                          for i in range(VOLUNTEERS)])
        # The race's activities stay closed (nearby() skips them) until race() publishes them.
        ids = db.session.execute(insert(Activity).returning(Activity.id),
                                 list(_rows(ROUNDS, now, "closed"))).scalars().all()
        db.session.execute(insert(Activity), list(_rows(NEARBY_ACTIVITIES, now, "published", random.Random(18))))
        db.session.commit()
        users = list(db.session.scalars(select(User.id).order_by(User.id)))
    return users, ids


def race(app, users, activity_ids):
    from sqlalchemy import func, select, update

    from volunteer.accounts.models import User
    from volunteer.activities.models import Activity, ActivitySignup
    from volunteer.api.services import issue_token
    from volunteer.extensions import db

    barrier = threading.Barrier(VOLUNTEERS + 1)
    latencies, errors, refused = [], [], []
    lock = threading.Lock()
    with app.app_context():
        headers = [{"Authorization": f"Bearer {issue_token(db.session.get(User, u), 'bench')[1]}"} for u in users]

    def volunteer(k):
        client = app.test_client()
        for activity_id in activity_ids:
            barrier.wait()
            t = time.perf_counter()
            resp = client.post(f"/api/v1/activities/{activity_id}/signup", headers=headers[k])
            with lock:
                latencies.append((time.perf_counter() - t) * 1000)
                if resp.status_code >= 500:
                    errors.append(f"{resp.status_code} {resp.get_data(as_text=True)[:200]}")
                elif resp.status_code != 200:
                    refused.append(f"{resp.status_code} {resp.get_data(as_text=True)[:200]}")

    with app.app_context():
        db.session.execute(update(Activity).where(Activity.id.in_(activity_ids)).values(status="published"))
        db.session.commit()
    threads = [threading.Thread(target=volunteer, args=(k,)) for k in range(VOLUNTEERS)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    for _ in activity_ids:
        barrier.wait()
    for t in threads:
        t.join()
    total = time.perf_counter() - start
    with app.app_context():
        confirmed = dict(db.session.execute(
            select(ActivitySignup.activity_id, func.count()).where(ActivitySignup.status == "confirmed")
            .group_by(ActivitySignup.activity_id)).all())
        waitlists = {}
        for aid, pos in db.session.execute(select(ActivitySignup.activity_id, ActivitySignup.position)
                                           .where(ActivitySignup.status == "waitlisted")):
            waitlists.setdefault(aid, []).append(pos)
        db.session.execute(update(Activity).where(Activity.id.in_(activity_ids)).values(status="closed"))
        db.session.commit()
    full = list(range(1, VOLUNTEERS - PLACES + 1))
    out("volunteers", VOLUNTEERS)
    out("places", PLACES)
    out("signup_race_rounds", len(activity_ids))
    out("signup_race_overbooked", sum(1 for a in activity_ids if confirmed.get(a, 0) > PLACES))
    out("signup_race_underfilled", sum(1 for a in activity_ids if confirmed.get(a, 0) < PLACES))
    out("signup_race_waitlist_bad", sum(1 for a in activity_ids if sorted(waitlists.get(a, [])) != full))
    out("signup_race_5xx", len(errors))
    out("signup_race_refused", len(refused))  # any other answer than 200 (a place or a waitlist position)
    out("signup_p50_ms", statistics.median(latencies))
    out("signup_p99_ms", pct(latencies, 0.99))
    out("signups_answered_per_s", len(latencies) / total)
    for e in errors[:3] + refused[:3]:
        print("error:", e, file=sys.stderr)


def nearby_bench(app):
    from volunteer.activities.nearby import nearby
    from volunteer.extensions import db

    rng = random.Random(7)
    with app.app_context():
        points = [(36.07 + rng.uniform(-0.4, 0.4), 120.38 + rng.uniform(-0.5, 0.5)) for _ in range(NEARBY_RUNS)]
        nearby(points[0], 10.0)
        times, found = [], []
        for p in points:
            t = time.perf_counter()
            found.append(len(nearby(p, 10.0, 20)))
            times.append((time.perf_counter() - t) * 1000)
        db.session.rollback()
    out("nearby_activities", NEARBY_ACTIVITIES)
    out("nearby_found_p50", statistics.median(found))
    out("nearby_activities_p50_ms", statistics.median(times))
    out("nearby_activities_p99_ms", pct(times, 0.99))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an EMPTY scratch PostgreSQL database (its schema is dropped)")
    args = parser.parse_args()
    from volunteer import embedded_redis

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'activities.db'}"
        if url.startswith(("postgres://", "postgresql://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = embedded_redis.ensure(tmp)
        try:
            app = build(url, tmp)
            out("backend", "postgresql" if url.startswith("postgresql") else "sqlite")
            users, activity_ids = seed(app)
            race(app, users, activity_ids)
            nearby_bench(app)
            with app.app_context():
                from volunteer.extensions import db

                db.engine.dispose()
        finally:
            embedded_redis.stop(tmp)


if __name__ == "__main__":
    main()
