"""Who may sign up: each required skill (verified where it needs a credential) and the minimum age on the
activity's day (from the profile's birth date: unknown means ask for it first)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from volunteer.activities import eligibility, services
from volunteer.activities.models import Activity, ActivitySignup
from volunteer.extensions import db
from volunteer.visits.services import LOCAL
from volunteer.volunteers.models import VolunteerProfile, VolunteerSkill


def _skills(user, **status):
    """Give user skills: code=credential_status ("none" for skills without a credential)."""
    for code, st in status.items():
        db.session.add(VolunteerSkill(user_id=user.id, skill=code, credential_status=st))
    db.session.commit()


def _born(user, born: date | None):
    db.session.get(VolunteerProfile, user.id).birth_date = born
    db.session.commit()


def _years_before(day: date, years: int, days: int = 0) -> date:
    return day.replace(year=day.year - years) + timedelta(days=days)


def _no_rows(activity_id):
    db.session.expire_all()
    return not db.session.scalars(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id)).all()


def test_a_volunteer_with_every_required_skill_gets_a_place(published, make_user):
    a = published(skills=["event_help", "photography"])
    v = make_user(role="volunteer")
    _skills(v, event_help="none", photography="none", tutoring="none")
    assert services.sign_up(v, a.id).status == "confirmed"


def test_a_missing_skill_is_refused_naming_it_and_takes_no_place(published, make_user):
    a = published(skills=["event_help", "photography"], places=1)
    v = make_user(role="volunteer")
    _skills(v, event_help="none")
    with pytest.raises(services.ActivityError) as e:
        services.sign_up(v, a.id)
    assert isinstance(e.value, eligibility.MissingSkills)
    assert "Photography" in str(e.value.message) and "Event help" not in str(e.value.message)
    assert _no_rows(a.id) and db.session.get(Activity, a.id).places_taken == 0


@pytest.mark.parametrize("status", ["none", "pending", "rejected"])
def test_a_credential_skill_counts_only_once_verified(published, make_user, status):
    a = published(skills=["counselling"])
    v = make_user(role="volunteer")
    _skills(v, counselling=status)
    with pytest.raises(eligibility.MissingSkills) as e:
        services.sign_up(v, a.id)
    assert "verified" in str(e.value.message)
    db.session.execute(VolunteerSkill.__table__.update().values(credential_status="verified"))
    db.session.commit()
    assert services.sign_up(v, a.id).status == "confirmed"


def test_without_a_birth_date_a_minimum_age_asks_for_it_in_the_profile(published, make_user):
    a = published(min_age=16)
    v = make_user(role="volunteer")
    with pytest.raises(eligibility.BirthDateNeeded) as e:
        services.sign_up(v, a.id)
    assert "date of birth" in str(e.value.message) and "16" in str(e.value.message)
    assert _no_rows(a.id)


def test_age_is_taken_on_the_activitys_day_in_qingdao(published, make_user):
    a = published(min_age=16)
    day = a.starts_at.astimezone(LOCAL).date()
    young, just, old = (make_user(role="volunteer") for _ in range(3))
    _born(young, _years_before(day, 16, days=1))  # 16 the day after the activity
    _born(just, _years_before(day, 16))            # 16 on the day
    _born(old, _years_before(day, 40))
    with pytest.raises(eligibility.TooYoung) as e:
        services.sign_up(young, a.id)
    assert "16" in str(e.value.message)
    assert services.sign_up(just, a.id).status == "confirmed"
    assert services.sign_up(old, a.id).status == "confirmed"


def test_an_activity_without_rules_needs_no_skill_and_no_birth_date(published, make_user):
    a = published(skills=[], min_age=None)
    assert services.sign_up(make_user(role="volunteer"), a.id).status == "confirmed"


def test_rules_are_checked_again_when_signing_up_after_a_cancel(published, make_user):
    a = published(skills=["event_help"])
    v = make_user(role="volunteer")
    _skills(v, event_help="none")
    services.sign_up(v, a.id)
    services.cancel_signup(v, a.id)
    db.session.execute(VolunteerSkill.__table__.delete())
    db.session.commit()
    with pytest.raises(eligibility.MissingSkills):
        services.sign_up(v, a.id)


def test_an_existing_sign_up_is_returned_whatever_the_rules_say_now(published, make_user):
    a = published(skills=["event_help"])
    v = make_user(role="volunteer")
    _skills(v, event_help="none")
    first = services.sign_up(v, a.id)
    db.session.execute(VolunteerSkill.__table__.delete())
    db.session.commit()
    assert services.sign_up(v, a.id).id == first.id  # a double tap never turns into a refusal


def test_problem_answers_for_the_page_before_any_tap(published, make_user):
    a = published(skills=["photography"], min_age=18)
    v = make_user(role="volunteer")
    assert isinstance(eligibility.problem(v.id, a), eligibility.MissingSkills)
    _skills(v, photography="none")
    assert isinstance(eligibility.problem(v.id, a), eligibility.BirthDateNeeded)
    _born(v, date(1990, 1, 1))
    assert eligibility.problem(v.id, a) is None
