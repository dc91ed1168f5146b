"""Benchmark of the visits sweep's no-contact alerts: `python bench/sweep.py`.

The Qingdao demo data set (10,668 children, built with volunteer.demo into a temp SQLite file) plus one
coordinator per district and per town/street (151), then volunteer.visits.contact.alert 400 days on, when
every child is silent: each coordinator gets the alerts (or one digest) for the silences in their scope.
Prints key=value lines: nocontact_silent, nocontact_coordinators, nocontact_alert_s (first run: every
message new), nocontact_alert_sent, nocontact_again_s (second run: nothing new). No target is set; the
sweep runs every VISIT_SWEEP_SECONDS, so it must stay far below that.
"""
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def out(key, value):
    print(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}", flush=True)


def run(tmp):
    from flask_migrate import upgrade

    from volunteer import create_app
    from volunteer.accounts.models import User
    from volunteer.demo.services import build
    from volunteer.extensions import db
    from volunteer.geo import services as geo
    from volunteer.types import utcnow
    from volunteer.visits import contact

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "INSTANCE_PATH": tmp})
    with app.app_context():
        upgrade()
        t = time.perf_counter()
        build(small=False)
        print(f"demo built in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        n = 0
        for district in geo.districts():
            for level, code in [("district", district.code)] + [("town", t.code) for t in geo.towns(district.code)]:
                db.session.add(User(phone=f"+8613800{n:05d}", name=f"督导员{n}", password_hash="-", role="coordinator",
                                    scope_level=level, scope_code=code))
                n += 1
        db.session.commit()
        db.session.expunge_all()
        later = utcnow() + timedelta(days=400)
        out("nocontact_silent", len(contact._silences(later)))
        out("nocontact_coordinators", n)
        t = time.perf_counter()
        sent = contact.alert(later)
        out("nocontact_alert_s", time.perf_counter() - t)
        out("nocontact_alert_sent", sent)
        t = time.perf_counter()
        again = contact.alert(later)
        out("nocontact_again_s", time.perf_counter() - t)
        assert again == 0
        db.engine.dispose()


def main():
    tmp = tempfile.mkdtemp(prefix="huhang-bench-sweep-")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
