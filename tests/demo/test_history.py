"""The demo's 2017-2019 service history: the seed's figures through figures(), spread over the city and the
months, on records that make sense today. The generator runs on the small demo's children and volunteers
(the full build, ~10 s, is measured by bench/stats.py instead)."""
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from volunteer.accounts.models import User
from volunteer.children.models import Child, Consent
from volunteer.demo.children import AGE_FIT
from volunteer.demo.history import END, SEED, START, add_history
from volunteer.demo.people import STAFF, demo_phone
from volunteer.demo.places import DISTRICT_WEIGHTS, random_stream
from volunteer.demo.services import build
from volunteer.extensions import db
from volunteer.matching.models import NeedPoint
from volunteer.needs import catalogue
from volunteer.needs.models import Need, NeedSkill
from volunteer.stats import services as stats
from volunteer.visits import lists
from volunteer.visits.models import ACTIVE_STATUSES, Visit, VisitAssignee, VisitReport
from volunteer.visits.present import LOCAL
from volunteer.volunteers.models import VolunteerSkill
from volunteer.volunteers.skills import CREDENTIAL_SKILLS

FORMS = {"home_visit_survey": 1850, "case_service": 8100, "group_service": 2150, "community_activity": 2870,
         "other": 0}
CONTENTS = {"rehabilitation": 810, "tutoring": 540, "counselling": 650, "quality": 2160, "camp_other": 8960}
# The seed: "1,800+ home-visit surveys, 8,000+ case services, 2,000+ group services, 2,800+ community activities".
SEED_FORMS = {"home_visit_survey": 1800, "case_service": 8000, "group_service": 2000, "community_activity": 2800}


def _user(number):
    return db.session.scalar(select(User).where(User.phone == demo_phone(number)))


def _with_history(plan=SEED) -> dict:
    """The small demo, then a history of plan (by default the seed's, whole) on its 200 children and 60
    volunteers."""
    built = build(small=True)
    volunteer = next(login for login in built["logins"] if login["key"] == "volunteer")
    staff = {key: _user(n).id for key, _role, _level, _code, n in STAFF}
    skip = [db.session.scalar(select(User.id).where(User.phone == volunteer["e164"]))]
    before = {"review": lists.staff_count(_user(2), "review"), "open_needs": _open_needs()}
    made = add_history(random_stream(2019, "history"), staff, skip, plan=plan)
    db.session.commit()
    return {"made": made, "before": before, "demo_volunteer": skip[0]}


@pytest.fixture
def history(app):
    return _with_history()


@pytest.fixture
def tenth(app):
    """A tenth of the seed's history (every kind of service), for the checks that read every row."""
    return _with_history([kind._replace(services=kind.services // 10) for kind in SEED])


def _open_needs():
    return db.session.scalar(select(func.count(Need.id)).where(Need.status == "open"))


LOCAL_END = stats.counting.local_midnight(date(2020, 1, 1))


def test_the_plan_counts_the_seeds_forms_and_contents():
    forms, contents = Counter(), Counter()
    for kind in SEED:
        forms[catalogue.form_of(kind.service_type, kind.form)] += kind.services
        contents[catalogue.content_of(kind.service_type, kind.content)] += kind.services
    assert {k: forms[k] for k in FORMS} == FORMS
    assert {k: contents[k] for k in CONTENTS} == CONTENTS and contents[None] == FORMS["home_visit_survey"]


def test_figures_for_2017_to_2019_city_wide_show_the_seeds_table_spread_over_districts_and_months(history):
    f = stats.figures(_user(2), date(2017, 1, 1), date(2019, 11, 24))
    forms = {r["key"]: r for r in f.by_form}
    contents = {r["key"]: r for r in f.by_content}
    assert {k: forms[k]["services"] for k in FORMS} == FORMS
    for key, seed in SEED_FORMS.items():  # "1,800+": at least the figure quoted, not a tenth more
        assert seed <= forms[key]["services"] < seed * 1.1
    assert {k: contents[k]["services"] for k in CONTENTS} == CONTENTS
    assert f.by_content_total["services"] == 13120 and contents["none"]["services"] == 1850
    assert f.by_form_total["services"] == 14970 == history["made"]["services"]
    # One child a visit, except groups (6-15 children) and community activities (15-40).
    for key in ("home_visit_survey", "case_service"):
        assert forms[key]["person_times"] == forms[key]["services"]
    assert 6 * 2150 <= forms["group_service"]["person_times"] <= 15 * 2150
    assert 15 * 2870 <= forms["community_activity"]["person_times"] <= 40 * 2870
    assert all(forms[k]["hours"] > 0 for k in SEED_FORMS)
    # Spread over every district and the months.
    assert {r["area"] for r in f.by_area if r["services"]} == set(DISTRICT_WEIGHTS)
    months = [r["month"] for r in f.by_month if r["services"]]
    assert len(months) >= 30 and months[0] == "2017-01" and months[-1] == "2019-11"
    # Nothing outside the period: the history is 1 January 2017 to 24 November 2019, local time.
    total = stats.figures(_user(2), date(2016, 1, 1), date(2018, 12, 31)).by_form_total["services"]
    later = stats.figures(_user(2), date(2019, 1, 1), date(2021, 12, 31)).by_form_total["services"]
    assert total + later == 14970


def test_history_visits_are_done_reported_reviewed_and_fit_the_child_and_helpers(tenth):
    old = Visit.starts_at < LOCAL_END
    rows = db.session.execute(
        select(Visit.status, Visit.starts_at, Visit.checked_in_at, Visit.service_minutes, Visit.created_at,
               Need.status.label("need_status"), Need.created_at.label("need_created"), Need.service_type,
               (Need.child_id == Visit.child_id).label("same_child"), Child.created_at.label("child_created"),
               Child.birth_date, Consent.given_on, VisitReport.reviewed_at, VisitReport.reviewed_by_id)
        .join(Need, Need.id == Visit.need_id).join(Child, Child.id == Visit.child_id)
        .join(Consent, Consent.id == Child.consent_id).join(VisitReport, VisitReport.visit_id == Visit.id)
        .where(old)).all()
    assert len(rows) == tenth["made"]["services"] == sum(kind.services // 10 for kind in SEED)
    for r in rows:
        day = r.starts_at.astimezone(LOCAL).date()
        assert r.status == "done" and r.checked_in_at == r.starts_at and r.service_minutes > 0
        assert START <= day <= END and r.need_status == "done" and r.same_child
        assert r.child_created <= r.need_created <= r.created_at <= r.starts_at and r.given_on <= day
        youngest = AGE_FIT[r.service_type][0]
        assert r.birth_date <= date(day.year - youngest, day.month, min(day.day, 28)), r.service_type
        assert r.reviewed_at is not None and r.reviewed_by_id is not None
    helpers = db.session.execute(
        select(Visit.id, Visit.starts_at, VisitAssignee.user_id, VisitAssignee.status, VisitAssignee.checked_in_at,
               VisitAssignee.checked_out_at, VisitAssignee.service_minutes, NeedSkill.skill,
               VolunteerSkill.credential_status, VolunteerSkill.verified_at, User.created_at.label("joined"))
        .join(VisitAssignee, VisitAssignee.visit_id == Visit.id).join(NeedSkill, NeedSkill.need_id == Visit.need_id)
        .join(User, User.id == VisitAssignee.user_id)
        .outerjoin(VolunteerSkill, (VolunteerSkill.user_id == User.id) & (VolunteerSkill.skill == NeedSkill.skill))
        .where(old)).all()
    assert len({h.id for h in helpers}) == len(rows)  # every visit had helpers
    for h in helpers:
        assert h.user_id != tenth["demo_volunteer"] and h.status == "accepted"
        assert h.checked_in_at == h.starts_at < h.checked_out_at and h.service_minutes > 0
        assert h.credential_status is not None and h.joined < h.starts_at  # the need's skill, an account then
        if h.skill in CREDENTIAL_SKILLS:
            assert h.credential_status == "verified" and h.verified_at < h.starts_at


def test_the_history_leaves_todays_demo_as_it_was(tenth):
    history = tenth
    assert _open_needs() == history["before"]["open_needs"]
    assert db.session.scalar(select(func.count(NeedPoint.need_id))) == history["before"]["open_needs"]
    assert lists.staff_count(_user(2), "review") == history["before"]["review"]
    live = select(func.count(Visit.id)).where(Visit.status.in_(ACTIVE_STATUSES))
    assert db.session.scalar(live.where(Visit.starts_at < LOCAL_END)) == 0
    demo_volunteer = db.session.get(User, history["demo_volunteer"])
    assert [v.status for v in lists.helper_visits(demo_volunteer)] == ["done", "offered", "accepted"]
    # The children served then were registered before it, so their last contact is in 2019.
    served = select(Visit.child_id).where(Visit.starts_at < LOCAL_END)
    first = db.session.scalar(select(func.min(Child.created_at)).where(Child.id.in_(served)))
    assert first.astimezone(LOCAL).date() < START.replace(month=3)
    assert history["made"]["children"] == db.session.scalar(select(func.count(func.distinct(Visit.child_id)))
                                                            .where(Visit.starts_at < LOCAL_END))
    helpers = select(func.count(func.distinct(VisitAssignee.user_id))).join(Visit).where(Visit.starts_at < LOCAL_END)
    assert history["made"]["volunteers"] == db.session.scalar(helpers)


def test_the_small_demo_has_no_history(app):
    built = build(small=True)
    assert built["history"]["services"] == 0
    assert db.session.scalar(select(func.count(Visit.id)).where(Visit.starts_at < LOCAL_END)) == 0


def test_cli_if_empty_leaves_present_demo_data_alone(app):
    from volunteer.demo.cli import register

    if "demo" not in app.cli.commands:
        register(app)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "build", "--small", "--seed", "3"])
    assert first.exit_code == 0 and "service history 2017-01 to 2019-11: 0 services" in first.output
    children = db.session.scalar(select(func.count(Child.id)))
    again = runner.invoke(args=["demo", "build", "--small", "--if-empty"])
    assert again.exit_code == 0 and "already present" in again.output
    assert db.session.scalar(select(func.count(Child.id))) == children
