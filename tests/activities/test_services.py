"""Organising an activity and signing up for it: places, waitlist, promotion, deadline, messages."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.activities.conftest import activity_data
from volunteer.activities import services
from volunteer.activities.models import Activity, ActivitySignup
from volunteer.audit.models import AuditEntry
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.types import utcnow


def _signups(activity_id):
    db.session.expire_all()
    return db.session.execute(select(ActivitySignup.volunteer_id, ActivitySignup.status, ActivitySignup.position)
                              .where(ActivitySignup.activity_id == activity_id)
                              .order_by(ActivitySignup.id)).all()


def test_a_coordinator_in_scope_creates_a_draft_and_publishes_it_audited(people):
    a = services.create(people["coordinator"], activity_data(skills=["event_help"], min_age=16))
    assert a.status == "draft" and a.places == 10 and a.skill_codes == ["event_help"] and a.min_age == 16
    assert services.publish(people["coordinator"], a.id).status == "published"
    reasons = db.session.scalars(select(AuditEntry.reason).where(AuditEntry.collection == "activity",
                                                                 AuditEntry.object_id == a.id)).all()
    assert reasons == ["create", "published"]


def test_an_org_admin_organises_for_their_organisation(people):
    a = services.create(people["org_admin"], activity_data(district_code="370203", town_code=None))
    assert a.org_id == people["org_admin"].organisation_id
    assert services.publish(people["org_admin"], a.id).status == "published"


def test_a_coordinator_outside_the_area_and_a_volunteer_are_refused(people):
    with pytest.raises(services.ActivityError) as e:
        services.create(people["outsider"], activity_data())
    assert "coordinator in the area" in str(e.value.message)
    with pytest.raises(services.ActivityError):
        services.create(people["volunteer"], activity_data())
    a = services.create(people["coordinator"], activity_data())
    with pytest.raises(services.ActivityNotFound):
        services.publish(people["outsider"], a.id)


def test_bad_fields_are_refused_one_message_each(people):
    start = utcnow() + timedelta(days=2)
    with pytest.raises(InvalidInput) as e:
        services.create(people["coordinator"], activity_data(
            title="", service_type="nap", ends_at=start - timedelta(hours=1), starts_at=start,
            signup_deadline=start + timedelta(hours=1), places=0, skills=["flying"], lat="x"))
    assert set(e.value.errors) == {"title", "service_type", "ends_at", "signup_deadline", "places", "skills", "lat"}


def test_a_draft_cannot_be_closed_nor_a_cancelled_one_published(people):
    a = services.create(people["coordinator"], activity_data())
    with pytest.raises(services.ActivityError):
        services.close(people["coordinator"], a.id)
    services.cancel(people["coordinator"], a.id)
    with pytest.raises(services.ActivityError):
        services.publish(people["coordinator"], a.id)


def test_places_are_confirmed_then_the_waitlist_fills_in_order(published, make_user):
    a = published(places=2)
    vols = [make_user(role="volunteer") for _ in range(4)]
    rows = [services.sign_up(v, a.id) for v in vols]
    assert [(r.status, r.position) for r in rows] == [("confirmed", None), ("confirmed", None),
                                                      ("waitlisted", 1), ("waitlisted", 2)]
    assert db.session.get(Activity, a.id).places_taken == 2


def test_a_second_sign_up_returns_the_same_row(published, make_user):
    a = published(places=1)
    v = make_user(role="volunteer")
    first = services.sign_up(v, a.id)
    again = services.sign_up(v, a.id)
    assert again.id == first.id and again.status == "confirmed"
    assert len(_signups(a.id)) == 1 and db.session.get(Activity, a.id).places_taken == 1


def test_cancelling_a_place_promotes_the_first_waitlisted_and_tells_them(published, make_user):
    a = published(places=1)
    vols = [make_user(role="volunteer", locale="en") for _ in range(3)]
    for v in vols:
        services.sign_up(v, a.id)
    services.cancel_signup(vols[0], a.id)
    assert _signups(a.id) == [(vols[0].id, "cancelled", None), (vols[1].id, "confirmed", None),
                              (vols[2].id, "waitlisted", 2)]
    assert db.session.get(Activity, a.id).places_taken == 1
    n = db.session.scalar(select(Notification).where(Notification.user_id == vols[1].id))
    assert n.target_kind == "activity" and n.target_id == a.id and "六一游园会" in n.title
    services.cancel_signup(vols[1], a.id)
    assert _signups(a.id)[2] == (vols[2].id, "confirmed", None)


def test_cancelling_with_nobody_waiting_frees_the_place_for_the_next_sign_up(published, make_user):
    a = published(places=1)
    v, w = make_user(role="volunteer"), make_user(role="volunteer")
    services.sign_up(v, a.id)
    services.cancel_signup(v, a.id)
    assert db.session.get(Activity, a.id).places_taken == 0
    assert services.sign_up(w, a.id).status == "confirmed"
    assert services.sign_up(v, a.id).status == "waitlisted"  # signing up again reuses the cancelled row
    assert len(_signups(a.id)) == 2


def test_past_the_deadline_sign_up_and_cancel_are_refused(published, make_user):
    a = published()
    v, w = make_user(role="volunteer"), make_user(role="volunteer")
    services.sign_up(v, a.id)
    db.session.execute(update(Activity).where(Activity.id == a.id)
                       .values(signup_deadline=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    with pytest.raises(services.ActivityError) as e:
        services.sign_up(w, a.id)
    assert e.value.message is services.SIGNUP_CLOSED
    with pytest.raises(services.ActivityError) as e:
        services.cancel_signup(v, a.id)
    assert e.value.message is services.TOO_LATE


def test_a_draft_or_closed_activity_takes_no_sign_ups(people, make_user):
    a = services.create(people["coordinator"], activity_data())
    with pytest.raises(services.ActivityError):
        services.sign_up(make_user(role="volunteer"), a.id)
    services.publish(people["coordinator"], a.id)
    services.close(people["coordinator"], a.id)
    with pytest.raises(services.ActivityError):
        services.sign_up(make_user(role="volunteer"), a.id)


def test_staff_cannot_sign_up(published, people):
    with pytest.raises(services.ActivityError) as e:
        services.sign_up(people["coordinator"], published().id)
    assert e.value.message is services.NOT_VOLUNTEER


def test_cancelling_the_activity_tells_everyone_signed_up_with_the_activity_as_target(published, people,
                                                                                       make_user):
    a = published(places=1)
    vols = [make_user(role="volunteer") for _ in range(3)]
    for v in vols:
        services.sign_up(v, a.id)
    services.cancel_signup(vols[2], a.id)
    services.cancel(people["coordinator"], a.id)
    told = db.session.execute(select(Notification.user_id, Notification.target_kind, Notification.target_id)
                              .where(Notification.key.like(f"activity:{a.id}:cancelled:%"))).all()
    assert sorted(told) == sorted([(vols[0].id, "activity", a.id), (vols[1].id, "activity", a.id)])
