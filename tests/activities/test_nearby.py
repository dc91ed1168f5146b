"""Published, upcoming activities near a point or a volunteer's home, nearest first."""
from datetime import timedelta

from tests.activities.conftest import activity_data
from volunteer.activities import services
from volunteer.activities.nearby import nearby
from volunteer.extensions import db
from volunteer.types import utcnow

HOME = (36.107, 120.468)


def test_only_published_upcoming_activities_within_the_radius_come_nearest_first(published, people):
    near = published(lat=36.110, lon=120.468)             # ~0.3 km
    nearer = published(lat=36.108, lon=120.468)           # ~0.1 km
    published(lat=36.300, lon=120.468)                    # ~21 km: outside 10 km
    services.create(people["coordinator"], activity_data(lat=36.107, lon=120.469))  # a draft
    started = published(lat=36.107, lon=120.468)
    started.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    found = nearby(HOME, 10.0)
    assert [i for i, _km in found] == [nearer.id, near.id]
    assert 0.05 < found[0][1] < 0.15 and 0.2 < found[1][1] < 0.4


def test_filters_by_service_type_and_start_date(published):
    camp = published(service_type="camp", lat=36.11, lon=120.47)
    later = published(starts_at=utcnow() + timedelta(days=30), ends_at=utcnow() + timedelta(days=30, hours=2),
                      lat=36.11, lon=120.47)
    assert [i for i, _ in nearby(HOME, 5.0, service_types=["camp"])] == [camp.id]
    assert [i for i, _ in nearby(HOME, 5.0, starts_from=utcnow() + timedelta(days=20))] == [later.id]
    assert [i for i, _ in nearby(HOME, 5.0, starts_before=utcnow() + timedelta(days=20))] == [camp.id]


def test_a_volunteer_without_a_home_point_gets_nothing_and_one_with_it_gets_the_nearest(published, make_user):
    a = published()
    v = make_user(role="volunteer")
    assert nearby(v, 10.0) == []
    v.profile.lat, v.profile.lon = HOME
    db.session.commit()
    db.session.expire_all()
    assert [i for i, _ in nearby(v, 10.0)] == [a.id]
