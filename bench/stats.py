"""Statistics on the Qingdao demo data with its 2017-2019 service history (issue 17): `python bench/stats.py`.

Builds the full demo data set (volunteer.demo.services.build(), history included) in a fresh temp instance
(a SQLite file and an embedded Redis), or opens a database built before (--db PATH; --keep leaves the temp
instance and says where), then times, for the whole city from 2017-01-01 to 2019-11-24, as the demo city
coordinator (170 0000 0002):

  stats_city_3y_ms       volunteer.stats.services.figures(), median of --runs after one warm-up; target <= 300
  stats_city_3y_cpu_ms   the same calls' median CPU time (SQLite runs in the process): steadier on a busy machine
  stats_page_ms          GET /stats?start=2017-01-01&end=2019-11-24 through the Flask test client, logged in,
                         median of --runs after one warm-up
  stats_json_ms          GET /stats/figures.json for that period (what the page's charts fetch), the same way
  ledger_services_3y_s   volunteer.stats.ledgers.services_workbook() (the 服务记录台账 .xlsx), median of 3
                         (bench/ledgers.py's measure when present); target <= 5

and prints demo_build_s (when it builds: the build alone; `time flask demo build` adds the app's start) and
stats_services_3y (the services figures() counts: 14970 with the seed's history), so a wrong data set shows.
Key=value lines on stdout, progress on stderr; it reports, and fails only when set-up fails (a page that
does not answer 200 prints stats_page_error=... instead of stats_page_ms).
"""
import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIRST, LAST = date(2017, 1, 1), date(2019, 11, 24)
CITY_COORDINATOR = "+8617000000002"
TARGETS = {"stats_city_3y_ms": 300, "ledger_services_3y_s": 5}


def out(key, value):
    print(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}", flush=True)


def note(text):
    print(text, file=sys.stderr, flush=True)


def median_of(runs: int, fn, clock=time.perf_counter) -> float:
    """Seconds (of clock): the median of runs calls of fn (after one warm-up call)."""
    fn()
    times = []
    for _ in range(runs):
        t = clock()
        fn()
        times.append(clock() - t)
    return statistics.median(times)


def time_ledger(staff) -> None:
    """ledger_services_3y_s: bench/ledgers.py's measure when it is there, else services_workbook() timed here."""
    from volunteer.stats import ledgers

    try:
        from bench.ledgers import ledger_services_3y_s
    except ImportError:
        ledger_services_3y_s = None
    if ledger_services_3y_s is not None:
        out("ledger_services_3y_s", ledger_services_3y_s(staff))
    elif hasattr(ledgers, "services_workbook"):
        out("ledger_services_3y_s", median_of(3, lambda: ledgers.services_workbook(staff, FIRST, LAST)))
    else:
        note("ledger_services_3y_s skipped: volunteer.stats.ledgers has no services_workbook yet")


def make_app(tmp: str, db_path: str):
    from volunteer import create_app, embedded_redis

    return create_app({"INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
                       "REDIS_URL": embedded_redis.ensure(tmp), "SECRET_KEY": "bench-stats",
                       "WTF_CSRF_ENABLED": False})


def build(app) -> None:
    from flask_migrate import upgrade

    from volunteer.demo import services as demo
    from volunteer.extensions import db

    with app.app_context():
        upgrade()
        t = time.perf_counter()
        result = demo.build(small=False)
        db.session.commit()
        out("demo_build_s", time.perf_counter() - t)
        note(f"history: {result['history']}")


def measure(app, runs: int) -> None:
    from sqlalchemy import select

    from volunteer.accounts.models import User
    from volunteer.extensions import db
    from volunteer.stats import services

    with app.app_context():
        staff = db.session.scalar(select(User).where(User.phone == CITY_COORDINATOR))
        if staff is None:
            raise SystemExit("stats_error=no demo city coordinator: build the full demo data first")
        figures = services.figures(staff, FIRST, LAST)
        out("stats_services_3y", figures.by_form_total["services"])
        out("stats_city_3y_ms", 1000 * median_of(runs, lambda: services.figures(staff, FIRST, LAST)))
        cpu = median_of(runs, lambda: services.figures(staff, FIRST, LAST), time.process_time)
        out("stats_city_3y_cpu_ms", 1000 * cpu)

        client = app.test_client()
        login = client.post("/login", data={"phone": "170 0000 0002", "password": "huhang-demo-2019"})
        url = f"/stats?start={FIRST.isoformat()}&end={LAST.isoformat()}"
        page = client.get(url)
        if login.status_code != 302 or page.status_code != 200:
            out("stats_page_error", f"login_{login.status_code}_page_{page.status_code}")
        else:
            out("stats_page_ms", 1000 * median_of(runs, lambda: client.get(url)))
            json_url = url.replace("/stats?", "/stats/figures.json?")
            if client.get(json_url).status_code == 200:  # what the page's charts fetch next
                out("stats_json_ms", 1000 * median_of(runs, lambda: client.get(json_url)))

        with app.test_request_context():
            time_ledger(staff)
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="a SQLite file holding the full demo data already (not built again)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs of figures() and of the page")
    parser.add_argument("--keep", action="store_true", help="keep the temp instance (its path goes to stderr)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="huhang-bench-stats-")
    from volunteer import embedded_redis

    try:
        app = make_app(tmp, args.db or str(Path(tmp) / "huhang.db"))
        if not args.db:
            build(app)
        measure(app, args.runs)
    finally:
        embedded_redis.stop(tmp)
        if args.keep:
            note(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for key, target in TARGETS.items():
        note(f"target: {key} <= {target}")


if __name__ == "__main__":
    main()
