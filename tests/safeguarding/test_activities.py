"""Activity sign-up: a camp (SAFEGUARDING_REQUIRED_FOR) needs a check valid on its day; other types do not."""
import pytest

from tests.activities.conftest import activity_data
from volunteer.activities import services
from volunteer.activities.errors import ActivityError
from volunteer.activities.models import Activity
from volunteer.extensions import db

from .conftest import expiring_in, volunteer_here


def _published(coord, **over):
    return services.publish(coord, services.create(coord, activity_data(**over)).id)


def test_a_camp_refuses_a_volunteer_without_a_valid_check_and_takes_no_place(rule, make_user, coord):
    camp = _published(coord, service_type="camp")
    v = volunteer_here(make_user)
    with pytest.raises(ActivityError) as exc:
        services.sign_up(v, camp.id)
    assert "No-criminal-record certificate" in str(exc.value.message)
    expiring_in(v, 3)  # expires before the camp (a week away)
    with pytest.raises(ActivityError):
        services.sign_up(v, camp.id)
    assert db.session.get(Activity, camp.id).places_taken == 0


def test_a_camp_takes_a_volunteer_whose_check_is_valid_on_its_day(rule, make_user, coord):
    camp = _published(coord, service_type="camp")
    v = volunteer_here(make_user)
    expiring_in(v, 200)
    assert services.sign_up(v, camp.id).status == "confirmed"


def test_other_activities_need_no_check(rule, make_user, coord):
    fair = _published(coord)  # a group service
    assert services.sign_up(volunteer_here(make_user), fair.id).status == "confirmed"
