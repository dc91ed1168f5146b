"""The hard constraint on visits: assign_visit (volunteers and teams) and the auto-assign solver."""
import pytest
from sqlalchemy import func, select

from tests.visits.conftest import add_skills, window
from tests.visits.test_autoassign import volunteer_at
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.visits import answers, autoassign, services
from volunteer.visits.models import Visit

from .conftest import expiring_in, verified, volunteer_here


@pytest.fixture
def home(app, make_user, make_child, coord):
    """A child of 沙子口 with a home-visit need (two adults) and a tutoring need, two volunteers with skills."""
    child = make_child(by=coord)
    need = create_need(coord, child.ref, {"dimension": "social", "service_type": "home_visit_survey",
                                          "rhythm": "monthly", "skills": ["home_visit"]})
    tutoring = create_need(coord, child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                              "skills": ["tutoring"]})
    vols = [volunteer_here(make_user, name=n) for n in ("王芳", "李强")]
    for v in vols:
        add_skills(v, "home_visit", "tutoring")
    return {"need": need, "tutoring": tutoring, "vols": vols}


def _visits() -> int:
    return db.session.scalar(select(func.count(Visit.id)))


def test_a_home_visit_is_refused_without_a_verified_check_and_names_who_lacks_it(rule, home, coord, private_instance):
    a, b = home["vols"]
    verified(a, coord)
    with pytest.raises(InvalidInput) as exc:
        services.assign_visit(coord, home["need"].id, *window(30), [a.id, b.id])
    message = str(exc.value.errors["volunteers"])
    assert "李强" in message and "王芳" not in message and "No-criminal-record certificate" in message
    assert _visits() == 0


def test_the_home_visit_is_planned_once_both_checks_are_verified(rule, home, coord, private_instance):
    a, b = home["vols"]
    verified(a, coord)
    verified(b, coord)
    visit = services.assign_visit(coord, home["need"].id, *window(30), [a.id, b.id])
    assert visit.status == "offered" and _visits() == 1


def test_a_check_expiring_before_the_visit_day_does_not_count(rule, home, coord):
    v = home["vols"][0]
    expiring_in(v, 3)
    with pytest.raises(InvalidInput):
        services.assign_visit(coord, home["tutoring"].id, *window(24 * 5), [v.id])
    assert services.assign_visit(coord, home["tutoring"].id, *window(24), [v.id]).status == "offered"


def test_a_team_visit_needs_every_active_member_checked(rule, home, coord, make_user, make_org, private_instance):
    org = make_org()
    admin = make_user(role="org_admin", organisation_id=org.id)
    member = make_user(role="org_member", organisation_id=org.id, name="赵敏")
    expiring_in(admin, 300)
    with pytest.raises(InvalidInput) as exc:
        services.assign_visit(coord, home["need"].id, *window(30), org_id=org.id)
    assert "赵敏" in str(exc.value.errors["org_id"])
    expiring_in(member, 300)
    assert services.assign_visit(coord, home["need"].id, *window(30), org_id=org.id).org_id == org.id


def test_a_team_offer_is_not_accepted_once_a_member_without_a_check_has_joined(rule, home, coord, make_user,
                                                                                make_org):
    org = make_org()
    admin = make_user(role="org_admin", organisation_id=org.id)
    expiring_in(admin, 300)
    visit = services.assign_visit(coord, home["need"].id, *window(30), org_id=org.id)
    newcomer = make_user(role="org_member", organisation_id=org.id, name="赵敏")
    with pytest.raises(InvalidInput) as exc:
        answers.respond(admin, visit.id, True)
    assert "赵敏" in str(exc.value.errors["status"])
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "offered"
    expiring_in(newcomer, 300)
    assert answers.respond(admin, visit.id, True).status == "accepted"


def test_an_offer_made_before_the_rule_was_turned_on_is_accepted_only_with_a_check(app, home, coord):
    v = home["vols"][0]
    visit = services.assign_visit(coord, home["tutoring"].id, *window(30), [v.id])
    app.config["SAFEGUARDING_REQUIRED_FOR"] = "visit camp"
    with pytest.raises(InvalidInput) as exc:
        answers.respond(v, visit.id, True)
    assert "My checks" in str(exc.value.errors["status"])
    assert answers.respond(v, visit.id, False).status == "declined"  # declining needs no check


def test_an_offer_is_accepted_with_a_check_valid_on_the_visit_day(rule, home, coord):
    v = home["vols"][0]
    expiring_in(v, 300)
    visit = services.assign_visit(coord, home["tutoring"].id, *window(30), [v.id])
    assert answers.respond(v, visit.id, True).status == "accepted"


def test_with_the_rule_off_visits_are_planned_as_before(app, home, coord):
    app.config["SAFEGUARDING_REQUIRED_FOR"] = "camp"
    a, b = home["vols"]
    assert services.assign_visit(coord, home["need"].id, *window(30), [a.id, b.id]).status == "offered"


# --- the auto-assign solver ---------------------------------------------------------------------------

def test_the_solver_pairs_only_checked_volunteers_and_takes_the_nearest_once_verified(
        rule, app, make_user, make_child, coord, private_instance):
    child = make_child(by=coord)
    need = create_need(coord, child.ref, {"dimension": "social", "service_type": "home_visit_survey",
                                          "rhythm": "monthly", "skills": ["home_visit"]})
    near, mid, far = (volunteer_at(make_user, km) for km in (1, 2, 3))
    for v in (near, mid, far):
        v.profile.district_code, v.profile.town_code = "370212", "370212002"
    db.session.commit()
    verified(mid, coord)
    verified(far, coord)
    proposal = autoassign.propose(coord.id, [need.id], 15)
    assert [sorted(i["volunteers"]) for i in proposal["items"]] == [sorted([mid.id, far.id])]
    assert proposal["unchecked"] == 1 and near.id not in proposal["items"][0]["alternatives"]

    verified(near, coord)
    proposal = autoassign.propose(coord.id, [need.id], 15)
    assert near.id in proposal["items"][0]["volunteers"] and proposal["unchecked"] == 0


def test_the_solver_leaves_out_a_check_that_ends_inside_the_weeks_planned(rule, make_user, make_child, coord):
    child = make_child(by=coord)
    need = create_need(coord, child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                          "skills": ["tutoring"]})
    soon, later = volunteer_at(make_user, 1), volunteer_at(make_user, 2)
    expiring_in(soon, 10)
    expiring_in(later, autoassign.HORIZON_DAYS + 5)
    proposal = autoassign.propose(coord.id, [need.id], 15)
    assert [i["volunteers"] for i in proposal["items"]] == [[later.id]]
