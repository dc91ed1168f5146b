"""Find helpers: the transparent score on hand-built cases, scope, the pages and bad input."""
import math
import re
from datetime import timedelta

import pytest

from volunteer.audit.models import AuditEntry
from volunteer.children.models import AccessGrant
from volunteer.children.services import ChildNotFound
from volunteer.extensions import db
from volunteer.matching import helpers
from volunteer.matching.models import Offer
from volunteer.needs.models import Need, NeedSkill
from volunteer.needs.rules import NeedNotFound
from volunteer.types import utcnow
from volunteer.volunteers.models import AvailabilitySlot, VolunteerSkill

HOME = (36.1102, 120.4622)  # the test child's home (沙子口街道, 崂山区)
KM_LAT = 1 / 111.195  # degrees of latitude per km


def north(km):
    """A point km due north of the child's home."""
    return HOME[0] + km * KM_LAT, HOME[1]


@pytest.fixture
def staff(make_user):
    return make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")


@pytest.fixture
def child(make_child, staff):
    return make_child(by=staff)


@pytest.fixture
def add_need(staff):
    def add(child, service_type="tutoring", skills=("tutoring",), status="open", **fields):
        need = Need(child_id=child.id, dimension="intellect", service_type=service_type, urgency="normal",
                    rhythm="weekly", status=status, created_by_id=staff.id, **fields)
        need.skills = [NeedSkill(skill=s) for s in skills]
        db.session.add(need)
        db.session.commit()
        return need

    return add


@pytest.fixture
def volunteer(make_user):
    """Factory: a volunteer with a completed profile at km north of the child, skills, slots, a cap."""
    def make(km, skills=("tutoring",), name=None, credential="verified", slots=(("0", "am"),), cap=4,
             organisation_id=None):
        role = "volunteer" if organisation_id is None else "org_member"
        user = make_user(role=role, name=name, organisation_id=organisation_id)
        from volunteer.volunteers.models import VolunteerProfile

        profile = db.session.get(VolunteerProfile, user.id)
        if profile is None:
            profile = VolunteerProfile(user_id=user.id)
            db.session.add(profile)
        profile.lat, profile.lon = north(km)
        profile.location_source, profile.completed = "pin", True
        profile.district_code, profile.town_code = "370212", "370212002"
        profile.max_visits_per_month = cap
        db.session.flush()
        for s in skills:
            cred = s in ("counselling", "rehabilitation")
            db.session.add(VolunteerSkill(user_id=user.id, skill=s, credential="证书" if cred else None,
                                          credential_status=credential if cred else "none"))
        for day, period in slots:
            db.session.add(AvailabilitySlot(user_id=user.id, weekday=int(day), period=period))
        db.session.commit()
        return user

    return make


def ids(ranking, kind="volunteer"):
    return [c.id for c in ranking if c.kind == kind]


def test_weights_sum_to_100_and_scores_stay_in_range(app, staff, child, add_need, volunteer):
    assert sum(helpers.WEIGHTS.values()) == 100
    need = add_need(child)
    for km in (0, 0.5, 3, 9, 14.9):
        volunteer(km)
    ranking = helpers.rank_helpers(staff, need.id)
    assert len(ranking) == 5
    for c in ranking:
        assert 0 <= c.score <= 100
        assert c.score == pytest.approx(sum(c.components.values()), abs=0.11)
        assert set(c.components) == set(helpers.WEIGHTS)
        for name, points in c.components.items():
            assert 0 <= points <= helpers.WEIGHTS[name]
    # At the child's door with everything but a past visit: all points but continuity's.
    assert ranking[0].score == 100 - helpers.WEIGHTS["continuity"]


def test_closer_and_matching_beats_farther_and_skills_beat_a_little_distance(app, staff, child, add_need, volunteer):
    need = add_need(child)
    far = volunteer(6, name="远处志愿者")
    near = volunteer(1, name="近处志愿者")
    unskilled = volunteer(0.5, skills=("photography",), name="无技能志愿者")
    out_of_range = volunteer(16)
    ranking = helpers.rank_helpers(staff, need.id)
    assert ids(ranking) == [near.id, far.id, unskilled.id]
    assert out_of_range.id not in ids(ranking)
    first = ranking[0]
    assert first.components["skills"] == 25 and first.km == pytest.approx(1.0, abs=0.05)
    assert ranking[2].components["skills"] == 0
    # A smaller radius keeps only who is inside it.
    assert ids(helpers.rank_helpers(staff, need.id, max_km=2)) == [near.id, unskilled.id]


def test_an_unverified_counsellor_ranks_below_a_verified_one(app, staff, child, add_need, volunteer):
    need = add_need(child, service_type="counselling", skills=("counselling",))
    pending = volunteer(1, skills=("counselling",), credential="pending", name="待核实")
    verified = volunteer(3, skills=("counselling",), credential="verified", name="已核实")
    ranking = helpers.rank_helpers(staff, need.id)
    assert ids(ranking) == [verified.id, pending.id]
    v, p = ranking
    assert v.components["credentials"] == 10 and v.components["skills"] == 25
    assert p.components["credentials"] == 0 and p.components["skills"] == 0
    assert "资质已核实" in v.why and "资质未核实" in p.why


def test_over_capacity_volunteers_are_left_out_and_load_lowers_the_score(app, staff, child, make_child, add_need,
                                                                          volunteer):
    need = add_need(child)
    other = add_need(make_child(by=staff, name="李小花"))
    other2 = add_need(make_child(by=staff, name="赵小草"))
    full = volunteer(1, cap=1, name="已排满")
    busy = volunteer(1, cap=4, name="已排一次")
    free = volunteer(1, cap=4, name="本月空闲")
    none_a_month = volunteer(0.5, cap=0, name="本月不走访")
    now = utcnow()
    db.session.add_all([Offer(need_id=other.id, volunteer_id=full.id, status="accepted", decided_at=now),
                        Offer(need_id=other2.id, volunteer_id=busy.id, status="accepted", decided_at=now),
                        # Declined, pending and last month's settled offers do not count.
                        Offer(need_id=other.id, volunteer_id=free.id, status="declined", decided_at=now),
                        Offer(need_id=other2.id, volunteer_id=free.id, status="pending")])
    db.session.commit()
    ranking = helpers.rank_helpers(staff, need.id)
    assert full.id not in ids(ranking) and none_a_month.id not in ids(ranking)
    assert ranking.excluded_full == 2
    assert ids(ranking) == [free.id, busy.id]
    assert ranking[0].components["load"] == 10 and ranking[1].components["load"] == 7.5
    assert "本月已排 1/4 次" in ranking[1].why and "本月已排 0/4 次" in ranking[0].why


def test_an_accepted_offer_from_last_month_counts_only_while_its_need_is_still_assigned(
        app, staff, child, make_child, add_need, volunteer):
    need = add_need(child)
    done = add_need(make_child(by=staff, name="钱小树"), status="done")
    volunteer_a = volunteer(1, cap=1)
    db.session.add(Offer(need_id=done.id, volunteer_id=volunteer_a.id, status="accepted",
                         decided_at=utcnow() - timedelta(days=45)))
    db.session.commit()
    assert ids(helpers.rank_helpers(staff, need.id)) == [volunteer_a.id]
    done.status = "assigned"
    db.session.commit()
    assert ids(helpers.rank_helpers(staff, need.id)) == []


def test_who_visited_the_child_before_gets_the_continuity_bonus(app, staff, child, make_child, add_need, volunteer):
    need = add_need(child)
    earlier = add_need(child, status="done")
    stranger = volunteer(2, name="陌生人")
    by_grant = volunteer(2, name="走访过")
    by_offer = volunteer(2, name="帮助过")
    # A grant for another child, or not a visit, is no continuity.
    other = make_child(by=staff, name="孙小河")
    now = utcnow()
    db.session.add_all([
        AccessGrant(user_id=by_grant.id, child_id=child.id, starts_at=now - timedelta(days=90),
                    ends_at=now - timedelta(days=80), reason=f"visit:{earlier.id}"),
        AccessGrant(user_id=stranger.id, child_id=other.id, starts_at=now - timedelta(days=9),
                    ends_at=now - timedelta(days=8), reason="visit:1"),
        AccessGrant(user_id=stranger.id, child_id=child.id, starts_at=now - timedelta(days=9),
                    ends_at=now - timedelta(days=8), reason="export"),
        Offer(need_id=earlier.id, volunteer_id=by_offer.id, status="accepted",
              decided_at=now - timedelta(days=60)),
    ])
    db.session.commit()
    ranking = helpers.rank_helpers(staff, need.id)
    assert ids(ranking)[-1] == stranger.id
    assert set(ids(ranking)[:2]) == {by_grant.id, by_offer.id}
    for c in ranking:
        assert c.components["continuity"] == (0 if c.id == stranger.id else 10)
        assert ("曾走访该儿童" in c.why) == (c.id != stranger.id)


def test_availability_needs_slots_and_an_open_window(app, staff, child, add_need, volunteer):
    need = add_need(child)
    with_slots = volunteer(1)
    without = volunteer(1, slots=())
    ranking = helpers.rank_helpers(staff, need.id)
    assert ids(ranking) == [with_slots.id, without.id]
    assert ranking[1].components["availability"] == 0
    need.window_end = utcnow().date() - timedelta(days=1)
    db.session.commit()
    assert all(c.components["availability"] == 0 for c in helpers.rank_helpers(staff, need.id))


def test_every_candidate_has_a_why_and_no_home_point_or_phone(app, staff, child, add_need, volunteer, make_org):
    need = add_need(child)
    people = [volunteer(km) for km in (0.3, 2.2, 4.9, 7.5)]
    make_org(name="崂山社工", district_code="370212")
    ranking = helpers.rank_helpers(staff, need.id)
    assert len(ranking) >= 4
    for c in ranking:
        assert c.why and c.why.strip()
        assert f"{c.km:.1f} 公里" in c.why
        assert not hasattr(c, "lat") and not hasattr(c, "phone")
    assert re.search(r"^距志愿者住址 2\.2 公里 · 技能全部匹配 · 有空闲时段 · 本月已排 0/4 次$",
                     next(c.why for c in ranking if c.id == people[1].id))


def test_organisations_are_ranked_by_nearest_member_or_their_district(app, staff, child, add_need, volunteer,
                                                                       make_org):
    need = add_need(child)
    placed = make_org(name="近邻社工", district_code="370203")  # district far away, but a member nearby
    volunteer(1.5, organisation_id=placed.id)
    by_district = make_org(name="崂山爱心单位", kind="caring_unit", district_code="370212")
    far_away = make_org(name="莱西社工", district_code="370285")
    ranking = helpers.rank_helpers(staff, need.id, max_km=30)
    orgs = {c.id: c for c in ranking if c.kind == "organisation"}
    assert placed.id in orgs and not orgs[placed.id].approx
    assert orgs[placed.id].km == pytest.approx(1.5, abs=0.05)
    assert orgs[placed.id].components["skills"] == 25
    assert far_away.id not in orgs
    if by_district.id in orgs:  # within 30 km of the district's point
        assert orgs[by_district.id].approx and "按所在区" in orgs[by_district.id].why


def test_a_need_out_of_scope_is_refused_like_a_missing_one(app, make_user, child, add_need, volunteer):
    need = add_need(child)
    volunteer(1)
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    for who, need_id in ((outsider, need.id), (outsider, 999999)):
        with pytest.raises(NeedNotFound):
            helpers.rank_helpers(who, need_id)
    for role in ("volunteer", "org_admin"):
        with pytest.raises(NeedNotFound):
            helpers.rank_helpers(make_user(role=role), need.id)
    with pytest.raises(ChildNotFound):
        helpers.rank_for_child(outsider, child.ref)
    denied = db.session.query(AuditEntry).filter_by(user_id=outsider.id, action="deny").count()
    assert denied == 3


def test_ranking_for_a_child_uses_the_skills_of_all_its_open_needs(app, staff, child, add_need, volunteer):
    add_need(child, skills=("tutoring",))
    add_need(child, service_type="companionship", skills=("companionship",))
    add_need(child, service_type="camp", skills=("photography",), status="cancelled")
    both = volunteer(3, skills=("tutoring", "companionship"))
    one = volunteer(1, skills=("tutoring",))
    ranking = helpers.rank_for_child(staff, child.ref)
    assert len(ranking.needs) == 2
    assert ids(ranking) == [both.id, one.id]
    assert ranking[1].components["skills"] == 12.5 and "技能匹配 1/2" in ranking[1].why
    viewed = db.session.query(AuditEntry).filter_by(user_id=staff.id, action="view", object_id=child.id).count()
    assert viewed == 1


def test_a_child_without_an_exact_point_is_ranked_from_its_card_point(app, staff, make_child, add_need, volunteer):
    child = make_child(by=staff, lat="", lon="")
    need = add_need(child)
    volunteer(1)
    ranking = helpers.rank_helpers(staff, need.id, max_km=50)
    assert ranking.exact is False
    assert all(math.isfinite(c.km) for c in ranking)


@pytest.mark.parametrize("bad", [0, 0.5, 51, float("nan"), float("inf"), "5", None, True])
def test_the_service_refuses_a_bad_distance(app, staff, child, add_need, bad):
    need = add_need(child)
    with pytest.raises(ValueError):
        helpers.rank_helpers(staff, need.id, max_km=bad)


# --- the pages -----------------------------------------------------------------------------------------

def test_the_page_lists_helpers_best_first_with_reasons(app, client, login, staff, child, add_need, volunteer):
    need = add_need(child)
    far = volunteer(6, name="远处志愿者")
    near = volunteer(1, name="近处志愿者")
    login(staff)
    body = client.get(f"/needs/{need.id}/helpers").get_data(as_text=True)
    assert body.index("近处志愿者") < body.index("远处志愿者")
    rows = re.findall(r'<tr class="helper-row" id="helper-volunteer-(\d+)"', body)
    assert rows == [str(near.id), str(far.id)]
    assert body.count('class="helper-why"') == 2 and "1 公里 · 技能全部匹配" in body
    # Name, score and why only: no phone and no home coordinates.
    assert near.phone not in body and near.phone[-8:] not in body
    assert f"{near.profile.lat:.4f}"[:7] not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body) and " style=" not in body

    # Re-ranking with htmx returns only the rows.
    frag = client.get(f"/needs/{need.id}/helpers?max_km=3", headers={"HX-Request": "true"})
    text = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in text
    assert "近处志愿者" in text and "远处志愿者" not in text


def test_the_page_speaks_english_too(app, client, login, staff, child, add_need, volunteer):
    need = add_need(child)
    volunteer(2.2)
    login(staff)
    client.post("/locale", data={"locale": "en"})
    body = client.get(f"/needs/{need.id}/helpers").get_data(as_text=True)
    assert "2.2 km from the volunteer&#39;s home · all skills match · free slots given · 0/4 visits planned this month" in body


def test_the_child_page_ranks_for_the_childs_needs(app, client, login, staff, child, add_need, volunteer):
    add_need(child)
    helper = volunteer(1, name="儿童页志愿者")
    login(staff)
    resp = client.get(f"/children/{child.ref}/helpers")
    assert resp.status_code == 200 and "儿童页志愿者" in resp.get_data(as_text=True)
    assert f'id="helper-volunteer-{helper.id}"' in resp.get_data(as_text=True)


def _tokenless(resp):
    # The signed CSRF token carries a timestamp: two answers a second apart differ there and nowhere else.
    return re.sub(r'(X-CSRFToken": "|name="csrf_token" value=")[^"]+', r"\1", resp.get_data(as_text=True))


def test_out_of_scope_pages_answer_like_missing_ones(app, client, login, make_user, child, add_need):
    need = add_need(child)
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    login(outsider)
    for real, missing in ((f"/needs/{need.id}/helpers", "/needs/999999/helpers"),
                          (f"/children/{child.ref}/helpers", "/children/0000000000/helpers")):
        a, b = client.get(real), client.get(missing)
        assert a.status_code == b.status_code == 404
        assert _tokenless(a).replace(real, missing) == _tokenless(b)
        # Bad input does not tell either: still 404.
        assert client.get(real + "?max_km=abc").status_code == 404


@pytest.mark.parametrize("value", ["abc", "0", "51", "-3", "nan", "inf", "1e999", "5km", "%20"])
@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_distance_gets_a_clear_message_and_422(app, client, login, staff, child, add_need, value, htmx):
    need = add_need(child)
    login(staff)
    client.post("/locale", data={"locale": "en"})
    headers = {"HX-Request": "true"} if htmx else {}
    resp = client.get(f"/needs/{need.id}/helpers?max_km={value}", headers=headers)
    body = resp.get_data(as_text=True)
    if value == "%20":  # blank: the default distance
        assert resp.status_code == 200
        return
    assert resp.status_code == 422
    assert "Enter a distance in km." in body or "Choose between 1 and 50 km." in body
    assert 'id="helper-error"' in body


def test_helpers_pages_are_for_staff_only(app, client, login, make_user, child, add_need):
    need = add_need(child)
    assert client.get(f"/needs/{need.id}/helpers").status_code == 302
    login(make_user(role="volunteer"))
    assert client.get(f"/needs/{need.id}/helpers").status_code == 403
    assert client.get(f"/children/{child.ref}/helpers").status_code == 403
