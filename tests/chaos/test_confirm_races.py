"""Confirming auto-assign proposals under faults: two runs at once, a horse killed mid-run, racing
plans for one need. Each need gets at most one live visit; nothing is counted wrong on the rerun."""
import os
import signal
import threading
from datetime import timedelta

import psutil
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.chaos.conftest import wait_for
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.models import Need
from volunteer.needs.services import create_need
from volunteer.tasks import services as tasks
from volunteer.tasks.models import JobRecord
from volunteer.types import utcnow
from volunteer.visits import proposals, services
from volunteer.visits.models import AutoassignProposal, Visit
from volunteer.volunteers.models import VolunteerSkill


@pytest.fixture
def planned(app, make_user, make_child):
    """make(n): a coordinator of 崂山区, n children with a tutoring need each, n volunteers, and a saved
    proposal pairing them (one visit each, tomorrow); returns (coordinator, proposal row)."""
    def make(n):
        coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
        start = (utcnow() + timedelta(days=1)).replace(microsecond=0)
        items = []
        for i in range(n):
            child = make_child(by=coord)
            need = create_need(coord, child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                                  "skills": ["tutoring"]})
            vol = make_user(role="volunteer")
            db.session.add(VolunteerSkill(user_id=vol.id, skill="tutoring", credential_status="verified"))
            items.append({"need": need.id, "volunteers": [vol.id], "org": None,
                          "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()})
        db.session.commit()
        row = proposals.save(f"chaos-{n}", coord.id, {"items": items, "unassigned": []})
        return coord, row
    return make


def _live_per_need():
    db.session.expire_all()
    return dict(db.session.execute(select(Visit.need_id, func.count()).where(
        Visit.status.in_(("proposed", "offered", "accepted", "checked_in"))).group_by(Visit.need_id)).all())


def _confirm_job(coord, row):
    return tasks.enqueue("jobs.autoassign.confirm", row.id, kind="autoassign.confirm", owner_id=coord.id)


def test_the_database_refuses_a_second_live_visit_for_a_need(app, planned):
    planned(1)
    need = db.session.get(Need, proposals.load_saved("chaos-1")["items"][0]["need"])
    start = utcnow() + timedelta(days=1)

    def visit(status="offered"):
        return Visit(need_id=need.id, child_id=need.child_id, starts_at=start, ends_at=start + timedelta(hours=1),
                     status=status)

    db.session.add(visit())
    db.session.commit()
    db.session.add(visit())
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(visit("cancelled"))
    db.session.commit()  # a cancelled visit is not live: no conflict


def _race(app, coord, plans):
    """Run assign_visit(coord, need, start, end, volunteers) for each plan at once, each in a thread of its
    own (its own connection); return the outcomes ("made" or "refused")."""
    barrier, outcomes = threading.Barrier(len(plans)), []

    def plan(need, start, volunteers):
        with app.app_context():
            user = db.session.get(type(coord), coord.id)
            barrier.wait()
            try:
                services.assign_visit(user, need, start, start + timedelta(hours=1), volunteers)
                outcomes.append("made")
            except InvalidInput:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=plan, args=p) for p in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(outcomes)


def test_racing_plans_for_one_need_make_one_visit(app, planned):
    coord, row = planned(1)
    item = proposals.load_saved("chaos-1")["items"][0]
    start = utcnow() + timedelta(days=2)
    outcomes = _race(app, coord, [(item["need"], start, item["volunteers"])] * 4)
    assert outcomes == ["made", "refused", "refused", "refused"]
    assert _live_per_need() == {item["need"]: 1}


def test_racing_plans_never_put_one_volunteer_in_two_visits_at_once(app, planned):
    coord, row = planned(4)
    items = proposals.load_saved("chaos-4")["items"]
    start, volunteer = utcnow() + timedelta(days=2), items[0]["volunteers"]
    outcomes = _race(app, coord, [(item["need"], start, volunteer) for item in items])
    assert outcomes == ["made", "refused", "refused", "refused"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_two_confirm_runs_of_one_proposal_at_once_make_each_visit_once(app, planned, start_worker):
    coord, row = planned(40)
    first, second = _confirm_job(coord, row), _confirm_job(coord, row)
    start_worker(), start_worker()

    def both_finished():
        db.session.expire_all()
        return {db.session.get(JobRecord, r.id).status for r in (first, second)} == {"finished"}

    wait_for(both_finished, 180)  # the run that found the proposal held waits for it (RQ Retry)

    assert set(_live_per_need().values()) == {1} and len(_live_per_need()) == 40
    db.session.expire_all()
    kept = db.session.get(AutoassignProposal, row.id)
    assert len(proposals.made(row.id)) == 40 and proposals.json.loads(kept.errors) == {}


def _horse_of(worker_pid, conn):
    scheduler_pids = {int(conn.hget(k, "pid") or 0) for k in conn.scan_iter("rq:scheduler:*")}
    children = [p for p in psutil.Process(worker_pid).children() if p.pid not in scheduler_pids]
    return children[0].pid if len(children) == 1 else None


def test_a_horse_killed_mid_confirm_is_retried_and_the_rerun_counts_every_made_visit(app, planned, start_worker):
    coord, row = planned(60)
    rec = _confirm_job(coord, row)
    worker = start_worker()

    def made_some():
        db.session.expire_all()
        return 5 <= len(proposals.made(row.id)) < 50

    wait_for(made_some, 120, step=0.05)
    horse = _horse_of(worker.pid, app.extensions["redis"])
    assert horse is not None
    os.kill(horse, signal.SIGKILL)

    def finished():
        db.session.expire_all()
        return db.session.get(JobRecord, rec.id).status == "finished"

    wait_for(finished, 120)  # RQ retries it after 10 s
    live = _live_per_need()
    kept = db.session.get(AutoassignProposal, row.id)
    confirmed = proposals.made(row.id)
    assert len(live) == 60 and set(live.values()) == {1}
    assert {int(k) for k in confirmed} == set(live) and proposals.json.loads(kept.errors) == {}
    result = proposals.json.loads(kept.result)
    assert result["errors"] == 0 and result["sent"] + result["already"] == 60
