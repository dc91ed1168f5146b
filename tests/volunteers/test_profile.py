"""The volunteer profile: skills, credentials, availability, location, radius, capacity."""
import pytest
from sqlalchemy import select

from volunteer.extensions import db
from volunteer.volunteers.models import VolunteerProfile, VolunteerSkill

BASE = {"skills": ["companionship", "tutoring"], "slots": ["0-am", "5-pm"], "location_source": "gps",
        "lat": "36.1025", "lon": "120.4678", "district": "", "town": "", "radius_km": "8",
        "max_visits_per_month": "3", "credential_counselling": "", "credential_rehabilitation": ""}


@pytest.fixture
def volunteer(make_user, login):
    user = make_user(role="volunteer")
    login(user)
    return user


def post(client, **changes):
    return client.post("/me/profile", data={**BASE, **changes}, headers={"Accept-Language": "en"})


def test_gps_location_is_stored_as_wgs84_with_its_district(client, volunteer):
    resp = post(client)
    assert resp.status_code == 302
    p = db.session.get(VolunteerProfile, volunteer.id)
    assert (p.lat, p.lon, p.location_source, p.district_code) == (36.1025, 120.4678, "gps", "370212")
    assert sorted(s.skill for s in p.skills) == ["companionship", "tutoring"]
    assert sorted((s.weekday, s.period) for s in p.slots) == [(0, "am"), (5, "pm")]
    assert (p.radius_km, p.max_visits_per_month, p.completed) == (8, 3, True)


def test_choosing_only_a_town_uses_its_district_point(client, volunteer):
    resp = post(client, location_source="division", lat="", lon="", district="370212", town="370212002")
    assert resp.status_code == 302, resp.get_data(as_text=True)[-800:]
    p = db.session.get(VolunteerProfile, volunteer.id)
    assert (p.district_code, p.town_code, p.location_source) == ("370212", "370212002", "division")
    assert p.lat is not None and 35.5 < p.lat < 37.2


@pytest.mark.parametrize("changes,message", [
    ({"lat": "39.9042", "lon": "116.4074"}, "outside Qingdao"),
    ({"lat": "0", "lon": "0"}, "outside China"),
    ({"lat": "abc", "lon": "120.4"}, "numbers"),
    ({"lat": "95", "lon": "120.4"}, "between -90 and 90"),
    ({"location_source": "division", "lat": "", "lon": ""}, "Choose your district"),
    ({"location_source": "division", "district": "370212", "town": "370203001"}, "in the chosen district"),
    ({"radius_km": "500"}, "between 1 and 50"),
    ({"radius_km": "ten"}, "Enter a whole number"),
    ({"max_visits_per_month": "-1"}, "between 0 and 31"),
    ({"skills": []}, "at least one"),
    ({"skills": ["astrology"]}, "Choose from the list"),
    ({"slots": ["9-am"]}, "Choose from the list"),
    ({"skills": ["counselling"]}, "needs a credential"),
    ({"skills": ["counselling"], "credential_counselling": "证书😀"}, "no emoji"),
])
def test_bad_profile_input_gets_a_clear_message_and_saves_nothing(client, volunteer, changes, message):
    resp = post(client, **changes)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in body
    p = db.session.get(VolunteerProfile, volunteer.id)
    db.session.refresh(p)
    assert not p.completed and p.skills == []


def test_a_credential_waits_for_a_coordinator_and_only_one_in_scope_can_verify(client, volunteer, make_user, app):
    assert post(client, skills=["counselling"], credential_counselling="心理咨询师证 123").status_code == 302
    row = db.session.scalar(select(VolunteerSkill).where(VolunteerSkill.user_id == volunteer.id))
    assert row.credential_status == "pending"

    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    other = app.test_client()
    other.post("/login", data={"phone": outsider.phone, "password": "Huhang-2026"})
    assert "心理咨询师证" not in other.get("/coordinate/credentials").get_data(as_text=True)
    assert other.post(f"/coordinate/credentials/{row.id}", data={"decision": "verify"}).status_code == 404

    laoshan = make_user(role="coordinator", scope_level="district", scope_code="370212")
    coord = app.test_client()
    coord.post("/login", data={"phone": laoshan.phone, "password": "Huhang-2026"})
    assert "心理咨询师证" in coord.get("/coordinate/credentials").get_data(as_text=True)
    resp = coord.post(f"/coordinate/credentials/{row.id}", data={"decision": "verify"}, headers={"HX-Request": "true"})
    assert resp.status_code == 200 and 'id="cred-' in resp.get_data(as_text=True)
    db.session.refresh(row)
    assert (row.credential_status, row.verified_by_id) == ("verified", laoshan.id)


def test_changing_a_verified_credential_needs_verification_again(client, volunteer):
    post(client, skills=["rehabilitation"], credential_rehabilitation="康复治疗师 A")
    row = db.session.scalar(select(VolunteerSkill).where(VolunteerSkill.user_id == volunteer.id))
    row.credential_status = "verified"
    db.session.commit()
    post(client, skills=["rehabilitation"], credential_rehabilitation="康复治疗师 A")
    db.session.refresh(row)
    assert row.credential_status == "verified"
    post(client, skills=["rehabilitation"], credential_rehabilitation="康复治疗师 B")
    db.session.refresh(row)
    assert row.credential_status == "pending"


def test_town_options_follow_the_district(client, volunteer):
    body = client.get("/divisions/towns?district=370212").get_data(as_text=True)
    assert "沙子口街道" in body and "香港中路街道" not in body
    assert client.get("/divisions/towns?district=nonsense").status_code == 200


def test_profile_page_renders_saved_values(client, volunteer):
    post(client)
    body = client.get("/me/profile").get_data(as_text=True)
    assert 'value="36.102500"' in body and 'value="companionship" checked' in body


def test_district_select_asks_htmx_for_its_towns(client, volunteer):
    body = client.get("/me/profile").get_data(as_text=True)
    assert 'hx-get="/divisions/towns"' in body and 'hx-target="#town"' in body and 'hx-trigger="change"' in body
    assert "hx_" not in body


def test_a_district_chosen_after_a_gps_fix_saves_the_district_centre_not_the_stale_fix(client, volunteer):
    from volunteer.geo.services import point_for

    assert post(client, location_source="division", district="370212", town="370212002").status_code == 302
    p = db.session.get(VolunteerProfile, volunteer.id)
    assert (p.location_source, (p.lat, p.lon)) == ("division", point_for("370212")[:2])
    assert (p.district_code, p.town_code) == ("370212", "370212002")


def test_a_gps_fix_taken_after_choosing_a_district_saves_the_fix(client, volunteer):
    assert post(client, location_source="gps", district="370202", town="370202001").status_code == 302
    p = db.session.get(VolunteerProfile, volunteer.id)
    assert (p.location_source, p.lat, p.lon) == ("gps", 36.1025, 120.4678)
    assert (p.district_code, p.town_code) == ("370212", None)


def test_a_home_source_the_form_never_offers_is_refused(client, volunteer):
    resp = post(client, location_source="wifi", district="370212")
    assert resp.status_code == 422 and "Choose your district" in resp.get_data(as_text=True)
    assert db.session.get(VolunteerProfile, volunteer.id).lat is None


def test_a_gps_home_shows_only_the_fix_and_says_it_is_in_use(client, volunteer):
    post(client)
    body = client.get("/me/profile", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="36.102500"' in body and 'value="gps"' in body
    assert "Home point in use: <strong id=\"home-in-use-value\">your phone's location</strong>" in body
    assert '<option selected value="">' in body.split('id="district"')[1].split("</select>")[0]


def test_a_district_home_shows_only_the_district_and_says_its_centre_is_in_use(client, volunteer):
    post(client, location_source="division", district="370212", town="370212002")
    body = client.get("/me/profile").get_data(as_text=True)
    assert 'name="lat" type="text" value=""' in body and 'name="lon" type="text" value=""' in body
    assert '<strong id="home-in-use-value">崂山区的中心</strong>' in body
    assert '<option selected value="370212">崂山区</option>' in body


def test_each_credential_to_verify_is_a_card_with_labelled_cells_and_its_buttons_last(client, volunteer, make_user, app):
    assert post(client, skills=["counselling"], credential_counselling="心理咨询师证 123").status_code == 302
    coord = app.test_client()
    laoshan = make_user(role="coordinator", scope_level="district", scope_code="370212")
    coord.post("/login", data={"phone": laoshan.phone, "password": "Huhang-2026"})
    page = coord.get("/coordinate/credentials", headers={"Accept-Language": "en"}).get_data(as_text=True)
    row = page[page.index('<tr id="cred-'):]
    row = row[:row.index("</tr>")]
    assert '<th scope="row">' in row and 'data-label="Skill"' in row and 'data-label="Credential"' in row
    cells = row.split("<td")
    assert 'value="verify"' in cells[-1] and 'value="reject"' in cells[-1]
