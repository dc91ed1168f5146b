"""Auto-assignment from the database: the job's proposal, its reasons, confirmation into offers."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st
from sqlalchemy import delete, func, select

from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.tasks.services import get_queue
from volunteer.visits import autoassign, proposals
from volunteer.visits.models import Visit, VisitAssignee
from volunteer.visits.solver import ALL_SLOTS, Assignment
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


# --- one visit at a time, and one a day, per child ---------------------------------------------------------

def _child_with_two_needs(make_user, make_child, capacity=1, window=None):
    """The issue's case: 亲情陪伴 (a home visit, two adults) and 学业辅导 of one child; helpers of capacity 1,
    so each need gets different ones and nothing about the helpers keeps the two visits apart."""
    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    child = make_child(by=coord)
    extra = {"window_start": window, "window_end": window} if window else {}
    company = create_need(coord, child.ref, {"dimension": "mind", "service_type": "companionship",
                                             "skills": ["home_visit"], **extra})
    tutoring = create_need(coord, child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                              "skills": ["tutoring"], **extra})
    vols = [volunteer_at(make_user, km, capacity=capacity) for km in (1, 2, 3)]
    return coord, child, company, tutoring, vols


def _local_times(proposal):
    tz = autoassign.TZ
    return {i["need"]: (datetime.fromisoformat(i["starts_at"]).astimezone(tz),
                        datetime.fromisoformat(i["ends_at"]).astimezone(tz), set(i["volunteers"]))
            for i in proposal["items"]}


def test_a_childs_two_needs_are_proposed_on_different_days(app, make_user, make_child):
    coord, _child, company, tutoring, _v = _child_with_two_needs(make_user, make_child)
    proposal = autoassign.propose(coord.id, [company.id, tutoring.id], 15)
    got = _local_times(proposal)
    assert set(got) == {company.id, tutoring.id} and proposal["unassigned"] == []
    assert not got[company.id][2] & got[tutoring.id][2]  # different helpers: only the child links them
    assert got[company.id][0].date() != got[tutoring.id][0].date()


def test_with_the_per_day_rule_off_a_childs_visits_may_share_a_day_but_never_a_time(app, make_user, make_child):
    coord, _child, company, tutoring, _v = _child_with_two_needs(make_user, make_child)
    app.config["VISIT_CHILD_ONE_PER_DAY"] = False
    try:
        proposal = autoassign.propose(coord.id, [company.id, tutoring.id], 15)
    finally:
        app.config.pop("VISIT_CHILD_ONE_PER_DAY")
    (s1, e1, _h1), (s2, e2, _h2) = _local_times(proposal).values()
    assert s1.date() == s2.date()  # the earliest free times, one after the other
    assert e1 <= s2 or e2 <= s1


@pytest.mark.parametrize("capacity", [1, 4])  # 4, mornings only: the nearest takes both, so is busy then too
def test_a_need_whose_only_day_the_child_is_already_visited_is_left_unassigned_with_why(app, make_user,
                                                                                         make_child, capacity):
    first, _last = autoassign._horizon()
    coord, _child, company, tutoring, _v = _child_with_two_needs(make_user, make_child, capacity, window=first)
    if capacity == 4:
        db.session.execute(delete(AvailabilitySlot).where(AvailabilitySlot.period == "pm"))
        db.session.commit()
    proposal = autoassign.propose(coord.id, [company.id, tutoring.id], 15)
    assert len(proposal["items"]) == 1
    (left,) = proposal["unassigned"]
    assert left["why"] == "child_day" and left["need"] in (company.id, tutoring.id)
    from volunteer.visits.autoassign_views import WHY

    assert "at most one visit a day" in str(WHY["child_day"])


def test_a_proposal_avoids_the_day_of_a_visit_the_child_already_has(app, make_user, make_child):
    from volunteer.visits.services import assign_visit

    coord, child, company, tutoring, vols = _child_with_two_needs(make_user, make_child, capacity=4)
    first, _last = autoassign._horizon()
    planned = autoassign._local(first, "am")
    assign_visit(coord, company.id, *planned, [vols[0].id, vols[1].id])
    proposal = autoassign.propose(coord.id, [tutoring.id], 15)
    (start, _end, _h), = _local_times(proposal).values()
    assert start.date() != first


@st.composite
def schedules(draw):
    """Proposed pairs (helpers 1-4, children 1-3, a few slot masks, windows in two weeks) and the day rule."""
    first = date(2026, 6, 1)
    n = draw(st.integers(1, 8))
    assignments, windows, children = [], {}, {}
    for t in range(n):
        helpers = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=2, unique=True)))
        slots = draw(st.sampled_from([ALL_SLOTS, 0b111, 0b001 << 6, 0b101 << 9]))
        assignments.append(Assignment(task=t, helpers=helpers, km=(1.0,) * len(helpers), slots=slots, skills=0,
                                      continuity=False))
        a = first + timedelta(days=draw(st.integers(0, 13)))
        windows[t] = (a, min(first + timedelta(days=13), a + timedelta(days=draw(st.integers(0, 6)))))
        children[t] = draw(st.integers(1, 3))
    return assignments, windows, children, draw(st.booleans())


@settings(max_examples=200, deadline=None)
@given(schedules())
def test_scheduled_visits_never_put_one_child_twice_in_a_day_or_at_one_time(case):
    assignments, windows, children, one_per_day = case
    items, late = autoassign.plan(assignments, windows, children, one_per_day=one_per_day)
    assert len(items) + len(late) == len(assignments)
    seen = {}
    for item in items:
        start, end = datetime.fromisoformat(item["starts_at"]), datetime.fromisoformat(item["ends_at"])
        for key in [("child", children[item["need"]])] + [("helper", h) for h in item["volunteers"]]:
            for s, e in seen.get(key, ()):
                assert end <= s or e <= start
                if one_per_day and key[0] == "child":
                    assert s.astimezone(autoassign.TZ).date() != start.astimezone(autoassign.TZ).date()
            seen.setdefault(key, []).append((start, end))
    assert all(why in ("no_time", "child_day", "child_time") for _a, why in late)


def test_confirming_a_visit_that_now_shares_a_day_with_the_childs_other_visit_reports_it_not_made(
        town, run_worker):
    town["coord"].locale = "en"
    db.session.commit()
    rec = autoassign.start(town["coord"], [town["tutoring"].id])
    run_worker()
    item, = proposals.load(town["coord"], rec.rq_id).proposal["items"]
    # Meanwhile the child's other need was planned by hand for the same day, three hours later.
    from volunteer.visits.services import assign_visit

    start = datetime.fromisoformat(item["ends_at"]) + timedelta(hours=3)
    assign_visit(town["coord"], town["home"].id, start, start + timedelta(hours=1),
                 [town["vols"][1].id, town["vols"][2].id])
    result = confirm(town["coord"], rec.rq_id, run_worker)
    assert result["sent"] == 0 and result["errors"] == 1
    loaded = proposals.load(town["coord"], rec.rq_id)
    assert "at most once a day" in loaded.errors[str(town["tutoring"].id)]
    assert str(town["tutoring"].id) not in loaded.confirmed
    assert [v.need_id for v in db.session.scalars(select(Visit))] == [town["home"].id]
