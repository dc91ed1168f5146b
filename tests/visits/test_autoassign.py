"""Auto-assignment from the database: the job's proposal, its reasons, confirmation into offers."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.tasks.services import get_queue
from volunteer.visits import autoassign, proposals
from volunteer.visits.models import Visit, VisitAssignee
from volunteer.volunteers.models import AvailabilitySlot, VolunteerSkill

from .conftest import HOME


def volunteer_at(make_user, km_east, skills=("home_visit", "tutoring"), capacity=4, radius=15):
    """A volunteer living km_east of the child's home, free every morning and afternoon."""
    user = make_user(role="volunteer")
    p = user.profile
    p.lat, p.lon, p.completed = HOME[0], HOME[1] + km_east / 89.9, True
    p.radius_km, p.max_visits_per_month, p.location_source = radius, capacity, "pin"
    for s in skills:
        db.session.add(VolunteerSkill(user_id=user.id, skill=s, credential_status="verified"))
    for d in range(7):
        for period in ("am", "pm"):
            db.session.add(AvailabilitySlot(user_id=user.id, weekday=d, period=period))
    db.session.commit()
    return user


@pytest.fixture
def town(app, make_user, make_child):
    """A coordinator of 崂山区, a child in 沙子口 with a tutoring need and a home-visit need, volunteers."""
    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    child = make_child(by=coord)
    tutoring = create_need(coord, child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                              "skills": ["tutoring"]})
    home = create_need(coord, child.ref, {"dimension": "social", "service_type": "home_visit_survey",
                                          "rhythm": "monthly", "skills": ["home_visit"]})
    vols = [volunteer_at(make_user, km) for km in (1, 2, 3)]
    far = volunteer_at(make_user, 40)
    return {"coord": coord, "child": child, "tutoring": tutoring, "home": home, "vols": vols, "far": far}


def run(town, run_worker, **kw):
    rec = autoassign.start(town["coord"], [town["tutoring"].id, town["home"].id], **kw)
    assert run_worker() >= 1
    return proposals.load(town["coord"], rec.rq_id)[:4], rec


def confirm(coordinator, rq_id, run_worker, **kw) -> dict:
    """Start the confirmation and run its job; the counts it kept."""
    rec = proposals.start_confirm(coordinator, rq_id, **kw)
    assert rec.kind == "autoassign.confirm"
    run_worker()
    db.session.expire_all()  # the worker changed rows this session holds
    loaded = proposals.load(coordinator, rq_id)
    assert loaded.sending.rq_id == rec.rq_id and loaded.sending.status == "finished"
    return loaded.result


def test_the_job_proposes_a_pair_for_the_home_visit_and_one_volunteer_for_tutoring(town, run_worker):
    (rec, proposal, confirmed, errors), _ = run(town, run_worker)
    assert rec.status == "finished" and rec.progress == 100
    items = {i["need"]: i for i in proposal["items"]}
    v = [u.id for u in town["vols"]]
    assert len(items[town["home"].id]["volunteers"]) == 2
    assert len(items[town["tutoring"].id]["volunteers"]) == 1
    used = items[town["home"].id]["volunteers"] + items[town["tutoring"].id]["volunteers"]
    assert set(used) <= set(v) and town["far"].id not in used
    # the nearest (capacity 4) goes twice, at different times, with the second nearest: 1 + 1 + 2 km
    assert sorted(k for i in items.values() for k in i["km"]) == pytest.approx([1, 1, 2], abs=0.15)
    assert items[town["home"].id]["starts_at"] != items[town["tutoring"].id]["starts_at"]
    assert datetime.fromisoformat(items[town["home"].id]["starts_at"]) > datetime.now().astimezone()
    assert proposal["unassigned"] == [] and confirmed == {} and errors == {}
    # nothing is offered before the coordinator confirms
    assert db.session.scalar(select(func.count(Visit.id))) == 0


def test_the_job_run_twice_keeps_one_proposal_and_confirm_twice_one_visit_per_pair(town, run_worker):
    (_rec, proposal, _c, _e), rec = run(town, run_worker)
    queue = get_queue("default")
    queue.enqueue("jobs.autoassign.propose", town["coord"].id, 15, town["tutoring"].id, town["home"].id,
                  job_id=rec.rq_id)
    run_worker()
    assert proposals.load(town["coord"], rec.rq_id).proposal == proposal
    first = confirm(town["coord"], rec.rq_id, run_worker)
    second = confirm(town["coord"], rec.rq_id, run_worker)
    assert first["sent"] == 2 and first["errors"] == 0
    assert second["sent"] == 0 and second["already"] == 2
    visits = db.session.scalars(select(Visit).order_by(Visit.need_id)).all()
    assert [v.need_id for v in visits] == sorted([town["tutoring"].id, town["home"].id])
    assert all(v.source == "auto" and v.status == "offered" for v in visits)
    assert db.session.scalar(select(func.count(VisitAssignee.id))) == 3
    assert proposals.load(town["coord"], rec.rq_id).confirmed == {str(v.need_id): v.id for v in visits}


def test_the_coordinator_drops_one_pair_and_changes_another(town, run_worker):
    (_rec, proposal, _c, _e), rec = run(town, run_worker)
    item = next(i for i in proposal["items"] if i["need"] == town["tutoring"].id)
    assert item["alternatives"], "other volunteers in reach are offered as choices"
    other = item["alternatives"][0]
    result = confirm(town["coord"], rec.rq_id, run_worker, drop=[town["home"].id],
                     changes={town["tutoring"].id: [other]})
    assert result["sent"] == 1
    visit = db.session.scalar(select(Visit))
    assert visit.need_id == town["tutoring"].id and [a.user_id for a in visit.assignees] == [other]


def test_a_need_nobody_in_reach_can_do_comes_back_with_why(town, run_worker, make_user):
    need = create_need(town["coord"], town["child"].ref, {"dimension": "body", "service_type": "rehabilitation",
                                                          "skills": ["rehabilitation"]})
    rec = autoassign.start(town["coord"], [need.id])
    run_worker()
    proposal = proposals.load(town["coord"], rec.rq_id).proposal
    assert proposal["items"] == []
    assert proposal["unassigned"] == [{"need": need.id, "why": "no_skill", "in_range": 3}]


def test_needs_outside_the_scope_and_other_coordinators_proposals_are_refused(town, run_worker, make_user):
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    with pytest.raises(InvalidInput):
        autoassign.start(outsider, [town["tutoring"].id])
    (_r, _p, _c, _e), rec = run(town, run_worker)
    with pytest.raises(proposals.ProposalNotFound):
        proposals.load(outsider, rec.rq_id)
    with pytest.raises(InvalidInput):
        autoassign.start(town["coord"], [town["tutoring"].id], max_km=500)


def test_an_organisation_team_alone_makes_a_home_visit_and_is_offered_as_a_team(app, make_user, make_child,
                                                                                 make_org, run_worker):
    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    child = make_child(by=coord)
    home = create_need(coord, child.ref, {"dimension": "social", "service_type": "home_visit_survey",
                                          "rhythm": "monthly", "skills": ["home_visit"]})
    volunteer_at(make_user, 1)  # one volunteer alone may not go
    team, no_admin = make_org(), make_org()
    make_user(role="org_admin", organisation_id=team.id)
    for org in (team, no_admin):
        member = volunteer_at(make_user, 2)
        member.role, member.organisation_id = "org_member", org.id
    db.session.commit()
    rec = autoassign.start(coord, [home.id])
    run_worker()
    proposal = proposals.load(coord, rec.rq_id).proposal
    assert [(i["need"], i["org"], i["volunteers"]) for i in proposal["items"]] == [(home.id, team.id, [])]
    assert confirm(coord, rec.rq_id, run_worker)["sent"] == 1
    visit = db.session.scalar(select(Visit))
    assert visit.org_id == team.id and visit.source == "auto"


def test_the_proposal_outlives_its_job_in_redis_and_expires_after_three_days(town, run_worker, redis_conn):
    from datetime import timedelta

    from volunteer.types import utcnow
    from volunteer.visits.models import AutoassignProposal

    (_rec, proposal, _c, _e), rec = run(town, run_worker)
    for key in redis_conn.keys(f"rq:job:{rec.rq_id}*"):
        redis_conn.delete(key)  # Redis restarted without its data, or the job's result expired
    assert proposals.load(town["coord"], rec.rq_id).proposal == proposal
    row = db.session.scalar(select(AutoassignProposal).where(AutoassignProposal.rq_id == rec.rq_id))
    assert timedelta(days=2, hours=23) < row.expires_at - utcnow() <= timedelta(days=3)
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert proposals.load(town["coord"], rec.rq_id).proposal is None
    with pytest.raises(InvalidInput):
        proposals.start_confirm(town["coord"], rec.rq_id)
    assert proposals.delete_expired() == 1
    assert db.session.scalar(select(func.count(Visit.id))) == 0


def test_a_confirmation_waiting_for_a_worker_is_not_started_twice(town, run_worker):
    (_rec, _p, _c, _e), rec = run(town, run_worker)
    proposals.start_confirm(town["coord"], rec.rq_id)
    with pytest.raises(InvalidInput) as exc:
        proposals.start_confirm(town["coord"], rec.rq_id, drop=[town["home"].id])
    assert "being sent" in str(next(iter(exc.value.errors.values())))
    run_worker()
    assert db.session.scalar(select(func.count(Visit.id))) == 2  # the first choice (both) was sent
