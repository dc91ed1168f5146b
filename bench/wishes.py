"""Benchmark of micro-wish claiming: `python bench/wishes.py` (see bench/README.md, "Micro-wishes").

A scratch SQLite file (temp dir, built with the app's migrations, embedded Redis beside it), or with
`--database-url postgresql://.../scratch` an EMPTY scratch PostgreSQL database (its public schema is
dropped and rebuilt). CLAIMANTS threads, each with its own session and pooled connection, are released by
a threading.Barrier onto one published wish, ROUNDS times (a new wish each round), through
volunteer.wishes.claims.claim(). Then the live board of an event with BOARD_WISHES wishes is built
repeatedly (volunteer.wishes.board.board_state). Prints key=value lines.
"""
import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CLAIMANTS = int(os.environ.get("BENCH_CLAIMANTS", 50))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 100))
BOARD_WISHES = 200
BOARD_RUNS = 50


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
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": CLAIMANTS + 2, "max_overflow": 0}})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        from volunteer.geo.services import load_divisions

        load_divisions()
        db.session.commit()
    return app


def seed(app):
    from datetime import date

    from sqlalchemy import insert, select

    from volunteer.accounts.models import User
    from volunteer.children.models import Child, new_ref
    from volunteer.extensions import db
    from volunteer.needs.models import Wish
    from volunteer.types import utcnow
    from volunteer.wishes.models import WishEvent

    now = utcnow()
    with app.app_context():
        db.session.execute(insert(User), [{"phone": f"+8617099{i:06d}", "name": f"捐赠人{i}", "password_hash": "x",
                                           "role": "volunteer", "active": True, "created_at": now}
                                          for i in range(CLAIMANTS + 1)])
        db.session.execute(insert(Child), [{"ref": new_ref(), "name": "基准儿童", "gender": "f",
                                            "birth_date": date(2016, 5, 1), "category": "difficult",
                                            "district_code": "370212", "town_code": "370212002", "created_at": now}])
        child_id = db.session.scalar(select(Child.id))
        event_id = db.session.execute(insert(WishEvent).returning(WishEvent.id), [{
            "name": "基准活动", "held_on": date(2027, 6, 1), "place": "沙子口", "status": "published",
            "created_at": now}]).scalar()
        rows = [{"ref": new_ref(), "child_id": child_id, "item": f"心愿{i}", "category": "study", "price_yuan": 50,
                 "status": "published", "created_at": now, "updated_at": now,
                 "event_id": event_id if i >= ROUNDS else None} for i in range(ROUNDS + BOARD_WISHES)]
        db.session.execute(insert(Wish), rows)
        db.session.commit()
        users = list(db.session.scalars(select(User.id).order_by(User.id)))[:CLAIMANTS]
        refs = [r["ref"] for r in rows[:ROUNDS]]
    return users, refs, event_id


def race(app, users, refs):
    from volunteer.accounts.models import User
    from volunteer.extensions import db
    from volunteer.wishes import claims

    barrier = threading.Barrier(CLAIMANTS + 1)
    latencies, winners, released = [], [0] * len(refs), [0.0] * len(refs)
    lock = threading.Lock()

    def claimant(k):
        with app.app_context():
            me = db.session.get(User, users[k])
            for r, ref in enumerate(refs):
                barrier.wait()
                t = time.perf_counter()
                try:
                    claims.claim(me, ref)
                    won = True
                except claims.ClaimRefused:
                    won = False
                took = time.perf_counter() - t
                with lock:
                    latencies.append(took * 1000)
                    winners[r] += won
                    released[r] = max(released[r], took)
            db.session.remove()

    threads = [threading.Thread(target=claimant, args=(k,)) for k in range(CLAIMANTS)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    for _ in refs:
        barrier.wait()
    for t in threads:
        t.join()
    total = time.perf_counter() - start
    out("claimants", CLAIMANTS)
    out("rounds", len(refs))
    out("rounds_with_exactly_one_winner", sum(1 for w in winners if w == 1))
    out("claim_p50_ms", statistics.median(latencies))
    out("claim_p99_ms", pct(latencies, 0.99))
    out("round_settled_p50_ms", statistics.median(released) * 1000)
    out("round_settled_p99_ms", pct(released, 0.99) * 1000)
    out("claims_answered_per_s", len(latencies) / total)


def board(app, event_id):
    from volunteer.extensions import db
    from volunteer.wishes.board import board_state
    from volunteer.wishes.models import WishEvent

    with app.app_context():
        event = db.session.get(WishEvent, event_id)
        board_state(event)
        times = []
        for _ in range(BOARD_RUNS):
            t = time.perf_counter()
            state = board_state(event)
            times.append((time.perf_counter() - t) * 1000)
        out(f"board_{len(state['cards'])}_wishes_p50_ms", statistics.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an EMPTY scratch PostgreSQL database (its schema is dropped)")
    args = parser.parse_args()
    from volunteer import embedded_redis

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'wishes.db'}"
        if url.startswith(("postgres://", "postgresql://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = embedded_redis.ensure(tmp)
        try:
            app = build(url, tmp)
            out("backend", "postgresql" if url.startswith("postgresql") else "sqlite")
            users, refs, event_id = seed(app)
            race(app, users, refs)
            board(app, event_id)
            with app.app_context():
                from volunteer.extensions import db

                db.engine.dispose()
        finally:
            embedded_redis.stop(tmp)


if __name__ == "__main__":
    main()
