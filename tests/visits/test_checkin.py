"""Check-in near the child's home (or a coordinator's override), check-out and service hours."""
from datetime import timedelta

import pytest

from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.models import Need
from volunteer.needs.rules import NotAllowed
from volunteer.types import utcnow
from volunteer.visits import answers, checkin, services
from volunteer.visits.models import Visit

from .conftest import HOME, window

KM_NORTH = 1 / 111.2  # about one kilometre of latitude


@pytest.fixture
def accepted(team):
    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(0.2), [v0.id])
    answers.respond(v0, visit.id, True)
    return visit


def test_check_in_at_the_home_then_out_counts_service_minutes(team, accepted):
    v0 = team["vols"][0]
    checkin.check_in(v0, accepted.id, HOME[0] + 0.0005, HOME[1], accuracy=20)
    assert accepted.status == "checked_in" and accepted.check_in_method == "gps"
    assert accepted.check_in_distance_m < 100
    assert db.session.get(Need, team["tutoring"].id).status == "in_progress"
    row = accepted.assignees[0]
    row.checked_in_at = utcnow() - timedelta(minutes=95)
    db.session.commit()
    checkin.check_out(v0, accepted.id)
    assert accepted.status == "done" and row.service_minutes == 95
    assert checkin.service_minutes(v0.id) == 95
    assert db.session.get(Need, team["tutoring"].id).status == "done"  # a one-off need is done


def test_a_recurring_need_is_open_again_after_its_visit(team):
    v0, v1 = team["vols"][:2]
    visit = services.assign_visit(team["coord"], team["home"].id, *window(0.2), [v0.id, v1.id])
    for v in (v0, v1):
        answers.respond(v, visit.id, True)
    for v in (v0, v1):
        checkin.check_in(v, visit.id, *HOME)
    checkin.check_out(v0, visit.id)
    assert visit.status == "checked_in"  # v1 is still there
    checkin.check_out(v1, visit.id)
    assert visit.status == "done"
    assert db.session.get(Need, team["home"].id).status == "open"


@pytest.mark.parametrize("lat,lon,accuracy,expected", [
    (None, None, None, "gave no location"),
    ("", "abc", None, "gave no location"),
    (HOME[0] + KM_NORTH, HOME[1], 15, "not at the child's home yet (more than 300 m away)"),
    (HOME[0], HOME[1], 5000, "too imprecise"),
])
def test_a_bad_check_in_is_refused_with_a_clear_message_and_nothing_saved(team, accepted, lat, lon, accuracy,
                                                                          expected):
    with pytest.raises(InvalidInput) as exc:
        checkin.check_in(team["vols"][0], accepted.id, lat, lon, accuracy)
    assert expected in str(exc.value.errors["location"])
    db.session.expire_all()
    visit = db.session.get(Visit, accepted.id)
    assert visit.status == "accepted" and visit.checked_in_at is None and visit.assignees[0].checked_in_at is None


def test_check_in_too_early_is_refused(team):
    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(5), [v0.id])
    answers.respond(v0, visit.id, True)
    with pytest.raises(InvalidInput) as exc:
        checkin.check_in(v0, visit.id, *HOME)
    assert "one hour before" in str(exc.value.errors["status"])


def test_coordinator_override_needs_a_reason_and_checks_helpers_in(team, accepted):
    with pytest.raises(InvalidInput):
        checkin.override_check_in(team["coord"], accepted.id, "  ")
    with pytest.raises(NotAllowed):
        checkin.override_check_in(team["vols"][0], accepted.id, "GPS broken on the phone")
    checkin.override_check_in(team["coord"], accepted.id, "GPS broken on the phone")
    assert accepted.status == "checked_in" and accepted.check_in_method == "override"
    assert accepted.override_reason == "GPS broken on the phone" and accepted.assignees[0].checked_in_at


def test_someone_not_on_the_visit_cannot_check_in(team, accepted):
    with pytest.raises(services.VisitNotFound):
        checkin.check_in(team["vols"][1], accepted.id, *HOME)
