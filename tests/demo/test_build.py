"""Tests for the synthetic demo data set; they build only the small variant."""
from datetime import date

import phonenumbers
import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from volunteer.accounts.models import User
from volunteer.children.models import Child
from volunteer.demo import services as demo
from volunteer.demo.services import DemoDataPresent, build, child_counts
from volunteer.extensions import db
from volunteer.geo import services as geo
from volunteer.geo.models import Division
from volunteer.orgs.models import Organisation
from volunteer.volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill
from volunteer.volunteers.skills import CREDENTIAL_SKILLS, SKILLS

SMALL = {"orphan": 15, "difficult": 176, "left_behind": 9}
FULL = {"orphan": 814, "difficult": 9391, "left_behind": 463}
ROLES = {"admin", "coordinator", "org_admin", "org_member", "volunteer"}


@pytest.fixture
def built(app):
    return build(small=True)


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _category_counts():
    return dict(db.session.execute(select(Child.category, func.count()).group_by(Child.category)).all())


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def test_full_variant_uses_qingdao_figures():
    assert child_counts(small=False) == FULL
    assert sum(FULL.values()) == 10668
    assert demo.VOLUNTEERS[False] == 3000 and demo.ORGANISATIONS[False] == 20


def test_small_counts_are_in_proportion(built):
    assert built["children"] == SMALL
    assert _category_counts() == SMALL
    for category, full in FULL.items():
        assert abs(SMALL[category] - full * 200 / 10668) < 1
    assert _count(Child) == 200
    assert _count(User, User.role == "volunteer") == 60 == built["volunteers"]
    assert _count(VolunteerProfile) == 60
    assert _count(Organisation) == 3 == built["organisations"]
    assert _count(User, User.role == "admin") == 1
    coordinators = db.session.execute(select(User.scope_level, User.scope_code).where(User.role == "coordinator")).all()
    assert sorted(coordinators, key=str) == sorted([("city", None), ("district", "370212"), ("town", "370212002")],
                                                   key=str)


def test_left_behind_children_live_only_in_rural_towns_of_pingdu_and_laixi(built):
    rows = db.session.execute(
        select(Child.district_code, Division.parent_code, Division.rural, Division.level)
        .join(Division, Division.code == Child.town_code).where(Child.category == "left_behind")).all()
    assert len(rows) == SMALL["left_behind"]
    for district, parent, rural, level in rows:
        assert district in ("370283", "370285")
        assert parent == district and level == "town" and rural is True


def test_children_towns_points_and_ages_are_consistent(built):
    today = date.today()
    children = db.session.scalars(select(Child)).all()
    assert {c.district_code for c in children} >= {"370202", "370211", "370283"}  # spread over districts
    for child in children:
        town = geo.get(child.town_code)
        assert town is not None and town.level == "town" and town.parent_code == child.district_code
        assert child.lat is not None and child.lon is not None
        assert geo.district_code_at(child.lat, child.lon) == child.district_code, child.name
        assert geo.district_at(child.lat, child.lon).code == child.district_code
        assert 0 <= _age(child.birth_date, today) <= 17
        assert child.gender in ("f", "m")
        assert 2 <= len(child.name) <= 3


def test_volunteer_profiles_skills_and_slots(built):
    profiles = db.session.scalars(select(VolunteerProfile)).all()
    assert len(profiles) == 60
    statuses = set()
    for p in profiles:
        assert p.user.role == "volunteer" and p.completed
        assert 3 <= p.radius_km <= 15 and 2 <= p.max_visits_per_month <= 8
        assert p.location_source in ("pin", "division")
        assert geo.get(p.town_code).parent_code == p.district_code
        assert geo.district_code_at(p.lat, p.lon) == p.district_code
        assert 1 <= len(p.skills) <= 3 and 2 <= len(p.slots) <= 6
        for s in p.skills:
            assert s.skill in SKILLS
            if s.skill in CREDENTIAL_SKILLS:
                assert s.credential and s.credential_status in ("verified", "pending")
                assert (s.verified_by_id is not None) == (s.credential_status == "verified")
                statuses.add(s.credential_status)
            else:
                assert s.credential is None and s.credential_status == "none"
    assert statuses == {"verified", "pending"}
    assert _count(VolunteerSkill) == sum(len(p.skills) for p in profiles)
    assert _count(AvailabilitySlot) == sum(len(p.slots) for p in profiles)


def test_each_organisation_has_one_admin_and_two_to_four_members(built):
    for org in db.session.scalars(select(Organisation)):
        roles = db.session.scalars(select(User.role).where(User.organisation_id == org.id)).all()
        assert roles.count("org_admin") == 1
        assert 2 <= roles.count("org_member") <= 4
        assert org.kind in ("agency", "club", "caring_unit", "government")


def test_phones_are_unique_valid_mainland_mobiles(built):
    phones = db.session.scalars(select(User.phone)).all()
    assert len(phones) == len(set(phones)) == 4 + 60 + built["organisation_accounts"]
    for phone in phones:
        number = phonenumbers.parse(phone, None)
        assert number.country_code == 86 and phonenumbers.is_valid_number(number), phone
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone


def test_every_role_has_a_working_login(built):
    logins = built["logins"]
    assert {login["role"] for login in logins} == ROLES
    for login in logins:
        user = db.session.scalar(select(User).where(User.phone == login["e164"]))
        assert user is not None and user.role == login["role"] and user.name == login["name"]
        national = phonenumbers.format_number(phonenumbers.parse(login["e164"]), phonenumbers.PhoneNumberFormat.NATIONAL)
        assert login["phone"] == national
    hashes = set(db.session.scalars(select(User.password_hash)))
    assert len(hashes) == 1  # hashed once, shared
    assert check_password_hash(hashes.pop(), built["password"])


def test_second_build_without_reset_is_refused(built):
    with pytest.raises(DemoDataPresent, match="use --reset"):
        build(small=True)
    assert _count(Child) == 200 and _count(User, User.role == "volunteer") == 60


def test_build_with_reset_replaces_the_data(built):
    again = build(small=True, reset=True, seed=5)
    assert again["children"] == SMALL and _category_counts() == SMALL
    assert _count(User, User.role == "volunteer") == 60
    assert _count(Organisation) == 3
    assert _count(User) == 4 + 60 + again["organisation_accounts"]
    assert _count(VolunteerProfile) == 60


def test_reset_keeps_accounts_outside_the_demo_block(app):
    from volunteer.accounts.services import create_staff

    create_staff("+8613800138000", "Real Admin", "a-long-password", role="admin")
    build(small=True)
    build(small=True, reset=True)
    assert db.session.scalar(select(User).where(User.phone == "+8613800138000")) is not None
    assert _count(User, User.role == "admin") == 2


def test_same_seed_gives_same_data_and_other_seed_differs(app):
    def first_names():
        return db.session.scalars(select(Child.name).order_by(Child.id).limit(20)).all()

    build(small=True, seed=11)
    names_11 = first_names()
    places_11 = db.session.execute(select(Child.town_code, Child.lat).order_by(Child.id).limit(20)).all()
    build(small=True, seed=11, reset=True)
    assert first_names() == names_11
    assert db.session.execute(select(Child.town_code, Child.lat).order_by(Child.id).limit(20)).all() == places_11
    build(small=True, seed=12, reset=True)
    assert first_names() != names_11


def test_cli_builds_and_refuses_a_second_time(app):
    from volunteer.demo.cli import register

    if "demo" not in app.cli.commands:
        register(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "build", "--small", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "huhang-demo-2019" in result.output and "170 0000 0001" in result.output
    assert "left_behind 9" in result.output
    again = runner.invoke(args=["demo", "build", "--small"])
    assert again.exit_code != 0 and "use --reset" in again.output


def test_every_demo_child_has_a_guardian_and_a_consent_record_and_some_have_needs(built):
    from volunteer.children.models import Consent
    from volunteer.needs.models import Need, NeedSkill

    children = db.session.scalars(select(Child)).all()
    assert all(c.consent is not None and c.consent.child_id == c.id for c in children)
    assert all(c.guardian_name and c.guardian_relation for c in children)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(c.guardian_phone)) for c in children)
    assert _count(Consent) == len(children)
    assert len({c.ref for c in children}) == len(children)
    needs = _count(Need, Need.status == "open")
    assert built["needs"] == needs and len(children) * 0.5 < needs < len(children) * 1.5
    assert _count(NeedSkill) >= needs


def test_open_demo_needs_are_ready_for_matching(built):
    from volunteer.matching.models import NeedPoint
    from volunteer.needs.models import Need

    assert _count(NeedPoint) == _count(Need, Need.status == "open") > 0


def test_demo_visits_show_the_volunteer_an_offer_a_visit_ahead_and_one_done(built):
    from volunteer.children.models import AccessGrant
    from volunteer.matching.models import NeedPoint
    from volunteer.needs.models import Need
    from volunteer.visits import lists
    from volunteer.visits.models import HOME_SERVICE_TYPES, Visit

    phone = {login["key"]: login["e164"] for login in built["logins"]}
    volunteer = db.session.scalar(select(User).where(User.phone == phone["volunteer"]))
    mine = lists.helper_visits(volunteer)
    assert [v.status for v in mine] == ["done", "offered", "accepted"]  # by start time
    done, offered, accepted = mine
    assert done.report is not None and done.report.reviewed_at is None and done.assignees[0].service_minutes > 0
    assert offered.offer_expires_at is not None and offered.assignees[0].status == "offered"
    assert db.session.scalar(select(AccessGrant.id).where(AccessGrant.user_id == volunteer.id,
                                                          AccessGrant.reason == f"visit:{accepted.id}"))
    for v in (offered, accepted):
        assert v.need.status == "assigned"
        assert db.session.get(NeedPoint, v.need_id) is None  # no longer on anyone's near-me list
    coordinator = db.session.scalar(select(User).where(User.phone == phone["coordinator_district"]))
    assert done.id in [v.id for v in lists.to_review(coordinator)]
    assert lists.staff_visits(coordinator, "done")[1] == built["visits"] - 2
    for v in db.session.scalars(select(Visit)):  # as assign_visit would allow: skills, two adults at home
        for a in v.assignees:
            assert set(v.need.skill_codes) <= {s.skill for s in a.user.profile.skills}
        assert len(v.assignees) == (2 if v.need.service_type in HOME_SERVICE_TYPES else 1)
    assert built["needs"] == _count(Need, Need.status == "open")


def test_every_demo_need_fits_the_childs_age(built):
    from volunteer.demo.children import AGE_FIT
    from volunteer.needs.models import Need

    today = date.today()
    rows = db.session.execute(select(Need.service_type, Child.birth_date).join(Child, Child.id == Need.child_id)).all()
    assert len(rows) > 100
    ages = {}
    for service, born in rows:
        age = _age(born, today)
        low, high = AGE_FIT[service]
        assert low <= age <= high, (service, age)
        ages.setdefault(service, set()).add(age)
    # School-age services never reach infants; infants still get what suits them.
    assert min(ages["tutoring"]) >= 6 and min(ages["safety_education"]) >= 3
    assert min(ages["home_visit_survey"]) <= 2
