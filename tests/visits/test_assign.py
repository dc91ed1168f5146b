"""Assigning a visit: what is refused (with a clear message, nothing saved) and what an offer does."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.models import Need
from volunteer.needs.rules import NeedNotFound, NotAllowed
from volunteer.needs.services import create_need
from volunteer.notifications.models import Notification
from volunteer.types import utcnow
from volunteer.visits import answers, services
from volunteer.visits.models import Visit, VisitAssignee

from .conftest import add_skills, window

LOCAL = ZoneInfo("Asia/Shanghai")


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_assign_offers_the_visit_and_notifies_each_volunteer_once(team, run_worker):
    start, end = window()
    visit = services.assign_visit(team["coord"], team["tutoring"].id, start, end, [team["vols"][0].id])
    assert visit.status == "offered" and [a.status for a in visit.assignees] == ["offered"]
    assert db.session.get(Need, team["tutoring"].id).status == "assigned"
    run_worker()
    run_worker()
    notes = db.session.scalars(select(Notification).where(Notification.user_id == team["vols"][0].id,
                                                          Notification.kind == "visit")).all()
    assert [n.key for n in notes] == [f"visit:{visit.id}:offer"]


@pytest.mark.parametrize("case", ["past", "backwards", "no_volunteer", "overlap", "skill", "pair", "twice",
                                  "child_overlap", "child_same_day"])
def test_bad_assignments_are_refused_with_a_message_and_save_nothing(team, case, make_child):
    v0, v1, v2 = team["vols"]
    start, end = window()
    need, vols = team["tutoring"].id, [v0.id]
    if case == "past":
        start, end = window(-3)
    elif case == "backwards":
        start, end = end, start
    elif case == "no_volunteer":
        vols = []
    elif case == "overlap":  # v0 is busy with another child then
        other = create_need(team["coord"], make_child(by=team["coord"]).ref,
                            {"dimension": "intellect", "service_type": "tutoring", "skills": ["tutoring"]})
        services.assign_visit(team["coord"], other.id, start, end, [v0.id])
    elif case == "child_overlap":  # the child's other need, other helpers, an overlapping time
        services.assign_visit(team["coord"], team["home"].id, start + timedelta(hours=1), end + timedelta(hours=1),
                              [v1.id, v2.id])
    elif case == "child_same_day":  # ... the same Qingdao day, not overlapping
        start = datetime.combine(utcnow().astimezone(LOCAL).date() + timedelta(days=2), time(9), LOCAL)
        end = start + timedelta(hours=2)
        services.assign_visit(team["coord"], team["home"].id, start + timedelta(hours=10),
                              end + timedelta(hours=10), [v1.id, v2.id])
    elif case == "skill":
        vols = [team["vols"][0].id, _lacking(team)]
    elif case == "pair":
        need, vols = team["home"].id, [v2.id]
    elif case == "twice":
        services.assign_visit(team["coord"], need, start, end, [v1.id])
    before = (_count(Visit), _count(VisitAssignee))
    with pytest.raises(InvalidInput) as exc:
        services.assign_visit(team["coord"], need, start, end, vols)
    message = " ".join(str(m) for m in exc.value.errors.values())
    expected = {"past": "already passed", "backwards": "end after", "no_volunteer": "at least one",
                "overlap": "already has a visit at this time", "skill": "lacks a skill", "pair": "two adults",
                "twice": "already has a visit planned",
                "child_overlap": "This child already has another visit at this time",
                "child_same_day": "a child is visited at most once a day"}[case]
    assert expected in message
    assert (_count(Visit), _count(VisitAssignee)) == before


def test_with_the_per_day_rule_off_a_child_may_have_two_visits_a_day_but_not_at_once(team, app):
    v0, v1, v2 = team["vols"]
    start = datetime.combine(utcnow().astimezone(LOCAL).date() + timedelta(days=2), time(9), LOCAL)
    services.assign_visit(team["coord"], team["home"].id, start, start + timedelta(hours=2), [v1.id, v2.id])
    app.config["VISIT_CHILD_ONE_PER_DAY"] = False
    try:
        with pytest.raises(InvalidInput) as exc:
            services.assign_visit(team["coord"], team["tutoring"].id, start + timedelta(hours=1),
                                  start + timedelta(hours=3), [v0.id])
        assert f"{start:%Y-%m-%d} 09:00" in str(exc.value.errors["starts_at"])  # the other visit, Qingdao time
        later = services.assign_visit(team["coord"], team["tutoring"].id, start + timedelta(hours=5),
                                      start + timedelta(hours=6), [v0.id])
    finally:
        app.config.pop("VISIT_CHILD_ONE_PER_DAY")
    assert later.status == "offered"


def _lacking(team):
    from volunteer.accounts.models import User

    u = User(phone="+8613900009999", name="无技能", password_hash="x", role="volunteer")
    db.session.add(u)
    db.session.commit()
    from volunteer.volunteers.models import VolunteerProfile

    db.session.add(VolunteerProfile(user_id=u.id))
    db.session.commit()
    add_skills(u, "counselling", verified=False)
    return u.id


def test_a_pair_setting_off_lets_one_volunteer_make_a_home_visit(team, app):
    app.config["VISIT_TWO_ADULTS"] = False
    try:
        visit = services.assign_visit(team["coord"], team["home"].id, *window(), [team["vols"][2].id])
    finally:
        app.config.pop("VISIT_TWO_ADULTS")
    assert visit.status == "offered"


def test_out_of_scope_need_is_not_found_and_volunteers_may_not_assign(team, make_user):
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    with pytest.raises(NeedNotFound):
        services.assign_visit(outsider, team["tutoring"].id, *window(), [team["vols"][0].id])
    with pytest.raises(NotAllowed):
        services.assign_visit(team["vols"][1], team["tutoring"].id, *window(), [team["vols"][0].id])


def test_contact_shows_only_to_this_visits_helper_in_its_window_and_is_audited(team):
    from datetime import timedelta

    from volunteer.audit.models import AuditEntry
    from volunteer.children.models import AccessGrant
    from volunteer.types import utcnow

    v0, v1, _ = team["vols"]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(1), [v0.id])
    assert services.contact(v0, visit) is None  # offered, not accepted: no grant yet
    answers.respond(v0, visit.id, True)
    shown = services.contact(v0, visit, via="api")
    assert shown["address"].endswith(team["child"].address) and shown["phone"] == team["child"].guardian_phone
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.user_id == v0.id, AuditEntry.action == "view",
                                                         AuditEntry.object_id == team["child"].id)).all()
    assert [(a.reason, a.via) for a in audits] == [(f"visit:{visit.id}", "api")]
    # A running grant on the same child for another reason does not open this visit's contact.
    now = utcnow()
    db.session.add(AccessGrant(user_id=v1.id, child_id=team["child"].id,
                               starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1),
                               reason="visit:999999"))
    db.session.commit()
    assert services.contact(v1, visit) is None
    # Past the window the contact is gone again.
    db.session.execute(AccessGrant.__table__.update().where(AccessGrant.user_id == v0.id)
                       .values(ends_at=now - timedelta(minutes=1)))
    assert services.contact(v0, visit) is None


def test_accepting_grants_access_for_the_window_and_declining_reopens_the_need(team):
    from volunteer.children.models import AccessGrant

    v0, v1, v2 = team["vols"]
    visit = services.assign_visit(team["coord"], team["home"].id, *window(), [v0.id, v1.id])
    answers.respond(v0, visit.id, True)
    assert visit.status == "offered"
    answers.respond(v1, visit.id, True)
    assert visit.status == "accepted"
    grants = db.session.scalars(select(AccessGrant).where(AccessGrant.reason == f"visit:{visit.id}")).all()
    assert {g.user_id for g in grants} == {v0.id, v1.id}
    other = services.assign_visit(team["coord"], team["tutoring"].id, *window(48), [v2.id])
    answers.respond(v2, other.id, False)
    assert other.status == "declined" and db.session.get(Need, team["tutoring"].id).status == "open"
    with pytest.raises(InvalidInput):
        answers.respond(v2, other.id, True)


def test_unanswered_offers_expire_and_the_need_goes_back_to_the_pool(team, run_worker):
    from datetime import timedelta

    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(72), [team["vols"][0].id])
    later = visit.offer_expires_at + timedelta(seconds=1)
    assert answers.expire_offers(later) == 1
    assert answers.expire_offers(later) == 0
    assert visit.status == "expired" and visit.assignees[0].status == "expired"
    assert db.session.get(Need, team["tutoring"].id).status == "open"
    run_worker()
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == team["coord"].id, Notification.key == f"visit:{visit.id}:expired")) == 1


def test_an_organisation_team_visit_is_answered_by_its_admin(team, make_org, make_user):
    org = make_org()
    admin = make_user(role="org_admin", organisation_id=org.id)
    member = make_user(role="org_member", organisation_id=org.id)
    visit = services.assign_visit(team["coord"], team["home"].id, *window(), org_id=org.id)
    with pytest.raises(NotAllowed):
        answers.respond(member, visit.id, True)
    answers.respond(admin, visit.id, True)
    assert visit.status == "accepted"


def test_cancelling_revokes_access_and_reopens_the_need(team):
    from volunteer.children.models import AccessGrant

    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(), [v0.id])
    answers.respond(v0, visit.id, True)
    answers.cancel(team["coord"], visit.id)
    assert visit.status == "cancelled"
    assert db.session.scalar(select(func.count(AccessGrant.id)).where(AccessGrant.reason == f"visit:{visit.id}")) == 0
    assert db.session.get(Need, team["tutoring"].id).status == "open"
    other = services.assign_visit(team["coord"], team["tutoring"].id, *window(), [v0.id])
    with pytest.raises(NotAllowed):
        answers.cancel(v0, other.id)


def test_an_organisation_member_checks_in_for_the_team(team, make_org, make_user):
    from volunteer.visits import checkin

    from .conftest import HOME

    org = make_org()
    admin = make_user(role="org_admin", organisation_id=org.id)
    member = make_user(role="org_member", organisation_id=org.id)
    visit = services.assign_visit(team["coord"], team["home"].id, *window(0.2), org_id=org.id)
    answers.respond(admin, visit.id, True)
    from volunteer.children.models import AccessGrant

    granted = set(db.session.scalars(select(AccessGrant.user_id).where(AccessGrant.reason == f"visit:{visit.id}")))
    assert granted == {admin.id, member.id}
    checkin.check_in(member, visit.id, *HOME)
    assert visit.status == "checked_in" and {a.user_id for a in visit.assignees} == {admin.id, member.id}
