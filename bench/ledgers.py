"""The services ledger (服务记录台账) of the whole city over 2017-01-01 .. 2019-11-24: seconds and memory.

    .venv/bin/python bench/ledgers.py            # the database of DATABASE_URL (the demo with its history)

Prints ledger_services_3y_s (median of BENCH_LEDGER_RUNS builds, default 3; target <= 5 s),
ledger_services_3y_cpu_s (the same builds' median CPU time: steadier on a busy machine),
ledger_services_3y_rows (services in the ledger) and ledger_services_3y_peak_mb (Python's peak allocation
during one build, traced). bench/stats.py calls ledger_services_3y_s() inside its own app context.
"""
import os
import statistics
import sys
import time
import tracemalloc
from datetime import date

FIRST, LAST = date(2017, 1, 1), date(2019, 11, 24)


def city_staff():
    """The admin (whole city) the ledger is built for."""
    from sqlalchemy import select

    from volunteer.accounts.models import User
    from volunteer.extensions import db

    return db.session.scalar(select(User).where(User.role == "admin").order_by(User.id).limit(1))


def ledger_services_3y_s(staff=None, runs: int = 3, cpu: bool = False) -> float:
    """Median seconds (wall clock, or CPU time with cpu=True) to build the whole city's services ledger over
    the three years (in an app and request context: the ledger's headers follow the request's language)."""
    from volunteer.stats.ledgers import services_workbook

    staff = staff or city_staff()
    clock = time.process_time if cpu else time.perf_counter
    times = []
    for _ in range(runs):
        t0 = clock()
        services_workbook(staff, FIRST, LAST)
        times.append(clock() - t0)
    return statistics.median(times)


def peak_mb(staff=None) -> float:
    """Python's peak allocation (MB) while building the ledger once."""
    from volunteer.stats.ledgers import services_workbook

    staff = staff or city_staff()
    tracemalloc.start()
    try:
        services_workbook(staff, FIRST, LAST)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main() -> int:
    sys.path.insert(0, os.getcwd())
    from volunteer import create_app
    from volunteer.stats.ledgers import service_rows

    app = create_app()
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        staff = city_staff()
        if staff is None:
            print("ledger_error=no admin in this database (build the demo first)", file=sys.stderr)
            return 1
        rows = len(service_rows(staff, FIRST, LAST))
        runs = int(os.environ.get("BENCH_LEDGER_RUNS", "3"))
        print(f"ledger_services_3y_s={ledger_services_3y_s(staff, runs):.2f}")
        print(f"ledger_services_3y_cpu_s={ledger_services_3y_s(staff, runs, cpu=True):.2f}")
        print(f"ledger_services_3y_rows={rows}")
        print(f"ledger_services_3y_peak_mb={peak_mb(staff):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
