"""The demo's activities: in 沙子口街道 near the demo volunteer, two published ahead with sign-ups (the demo
volunteer in one, a waitlist in the other), one with sign-up closed, two done with attended volunteers, approved
hours and registered children; deterministic with the seed; replaced by a reset."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from volunteer.accounts.models import User
from volunteer.activities import hours
from volunteer.activities.models import Activity, ActivityChild, ActivitySignup
from volunteer.activities.nearby import nearby
from volunteer.children.models import Child
from volunteer.demo.activities import NEAR_KM
from volunteer.demo.services import build
from volunteer.extensions import db
from volunteer.stats import services as stats
from volunteer.types import utcnow


@pytest.fixture
def built(app):
    return build(small=True)


def _user(phone):
    return db.session.scalar(select(User).where(User.phone == phone))


def _activities():
    return db.session.scalars(select(Activity).order_by(Activity.starts_at)).all()


def test_the_demo_has_five_activities_in_shazikou_in_each_state(built):
    now = utcnow()
    rows = _activities()
    assert built["activities"] == len(rows) == 5
    assert all((a.district_code, a.town_code) == ("370212", "370212002") for a in rows)
    by = {s: [a for a in rows if a.status == s] for s in ("published", "closed", "done")}
    assert (len(by["published"]), len(by["closed"]), len(by["done"])) == (2, 1, 2)
    assert all(a.starts_at > now and a.signup_deadline > now for a in by["published"])
    assert by["closed"][0].starts_at > now and by["closed"][0].signup_deadline < now
    assert all(a.ends_at < now for a in by["done"])
    assert {a.service_type for a in rows} <= {"group_service", "community_activity", "safety_education", "camp"}


def test_places_taken_and_waitlists_are_as_the_services_leave_them(built):
    for a in _activities():
        signups = db.session.scalars(select(ActivitySignup).where(ActivitySignup.activity_id == a.id)).all()
        confirmed = [s for s in signups if s.status == "confirmed"]
        waiting = sorted(s.position for s in signups if s.status == "waitlisted")
        assert a.places_taken == len(confirmed) <= a.places, a.title
        assert waiting == list(range(1, len(waiting) + 1)) and a.waitlist_seq == len(waiting)
        if waiting:
            assert a.places_taken == a.places  # a waitlist only when full
    assert any(a.waitlist_seq for a in _activities() if a.status == "published")


def test_the_demo_volunteer_is_signed_up_to_one_published_activity_and_finds_both_near_home(built):
    me = _user("+8617000000005")
    published = [a for a in _activities() if a.status == "published"]
    mine = db.session.scalars(select(ActivitySignup.activity_id).where(
        ActivitySignup.volunteer_id == me.id, ActivitySignup.activity_id.in_([a.id for a in published]))).all()
    assert len(mine) == 1
    found = dict(nearby(me, radius_km=NEAR_KM + 0.1))
    assert {a.id for a in published} <= set(found)
    assert all(km <= NEAR_KM for km in found.values())


def test_done_activities_have_attendance_approved_hours_and_children(built):
    me = _user("+8617000000005")
    for a in [a for a in _activities() if a.status == "done"]:
        signups = db.session.scalars(select(ActivitySignup).where(ActivitySignup.activity_id == a.id)).all()
        came = [s for s in signups if s.signed_in_at is not None]
        assert 0 < len(came) < len(signups)  # one did not come
        for s in came:
            assert s.signed_out_at > s.signed_in_at and s.hours_status == "approved"
            assert 0 < s.approved_minutes == s.minutes <= (a.ends_at - a.starts_at).total_seconds() / 60
        assert me.id in {s.volunteer_id for s in came}
        kids = db.session.scalars(select(Child.district_code).join(ActivityChild, ActivityChild.child_id == Child.id)
                                  .where(ActivityChild.activity_id == a.id)).all()
        assert kids and set(kids) == {"370212"}
    summary = hours.summary(me.id)
    assert len([i for i in summary["items"] if i["kind"] == "activity"]) == 2 and summary["total_minutes"] > 0


def test_the_statistics_of_shazikou_count_the_done_activities(built):
    town = _user("+8617000000004")
    today = date.today()
    f = stats.figures(town, today - timedelta(days=90), today)
    done = [a for a in _activities() if a.status == "done"]
    registered = db.session.scalar(select(func.count(ActivityChild.id)).where(
        ActivityChild.activity_id.in_([a.id for a in done])))
    rows = {r["service_type"]: r["visits"] for r in f.services}
    assert rows["camp"] >= 1 and rows["community_activity"] >= 1
    assert f.services_total["person_times"] >= sum(a.children_expected for a in done) + registered


def test_the_same_seed_gives_the_same_activities_and_a_reset_replaces_them(app):
    def shape():
        return [(a.title, a.starts_at, a.lat, a.lon, a.places_taken, a.waitlist_seq) for a in _activities()], \
            sorted(db.session.execute(select(User.phone, ActivitySignup.status, ActivitySignup.position)
                                      .join(User, User.id == ActivitySignup.volunteer_id)).all(), key=str)

    build(small=True, seed=11)
    first = shape()
    build(small=True, seed=11, reset=True)
    assert shape() == first
    assert db.session.scalar(select(func.count(Activity.id))) == 5
    build(small=True, seed=12, reset=True)
    assert shape() != first and db.session.scalar(select(func.count(Activity.id))) == 5
