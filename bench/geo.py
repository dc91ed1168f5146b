"""Benchmark of point -> district lookup: `python bench/geo.py` (target: under 50 us a call).

2,000 random points over Qingdao's box (seeded), after one warm-up call; prints district_lookup_us (the
mean per call) and district_lookup_target_ok. In-process, on the embedded defaults in a temp instance.
"""
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_US = 50.0


def main() -> None:
    from volunteer import create_app
    from volunteer.geo import services

    tmp = tempfile.mkdtemp(prefix="huhang-geo-")
    app = create_app({"INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/geo.db",
                      "SECRET_KEY": "bench"})
    rng = random.Random(1)
    points = [(rng.uniform(35.6, 37.1), rng.uniform(119.5, 121.0)) for _ in range(2000)]
    with app.app_context():
        services.district_code_at(*points[0])
        start = time.perf_counter()
        for lat, lon in points:
            services.district_code_at(lat, lon)
        per_call_us = (time.perf_counter() - start) / len(points) * 1e6
    print(f"district_lookup_us={per_call_us:.1f}")
    print(f"district_lookup_target_ok={int(per_call_us <= TARGET_US)}")


if __name__ == "__main__":
    main()
