"""Coverage: towns whose open needs have no volunteer within N km, on hand-built cases, against brute
force, per scope, and the page (table, map data, bad input)."""
import math
import random
import re

import numpy as np
import pytest

from volunteer.children import cards
from volunteer.extensions import db
from volunteer.matching import coverage as cov
from volunteer.needs.models import Need
from volunteer.volunteers.models import VolunteerProfile

SHAZIKOU = (36.1102, 120.4622)  # 沙子口街道 370212002, 崂山区
KM_LAT = 1 / 111.195


@pytest.fixture
def staff(make_user):
    return make_user(role="coordinator", scope_level="district", scope_code="370212")


@pytest.fixture
def need_at(staff, make_child):
    def add(lat, lon, town="370212002", district="370212", status="open", name="张小雨"):
        by = staff if district == "370212" else None  # elsewhere: the factory's admin
        child = make_child(by=by, lat=str(lat), lon=str(lon), town_code=town, district_code=district, name=name)
        need = Need(child_id=child.id, dimension="mind", service_type="companionship", urgency="normal",
                    rhythm="weekly", status=status)
        db.session.add(need)
        db.session.commit()
        return need

    return add


@pytest.fixture
def home_at(make_user):
    def add(lat, lon, completed=True, town="370212002", active=True):
        user = make_user(role="volunteer", active=active)
        profile = db.session.get(VolunteerProfile, user.id)
        profile.lat, profile.lon, profile.completed, profile.town_code = lat, lon, completed, town
        profile.district_code = town[:6]
        db.session.commit()
        return user

    return add


def test_a_town_without_a_volunteer_nearby_is_listed_until_one_moves_in(app, staff, need_at, home_at):
    need_at(*SHAZIKOU)
    need_at(SHAZIKOU[0] + 0.001, SHAZIKOU[1])
    # Volunteers that do not count: 6 km away, an unfinished profile, an inactive account.
    home_at(SHAZIKOU[0] + 6 * KM_LAT, SHAZIKOU[1])
    home_at(*SHAZIKOU, completed=False)
    home_at(*SHAZIKOU, active=False)
    rows = cov.coverage(staff, 5)
    assert len(rows) == 1
    row = rows[0]
    assert (row.town_code, row.town_name, row.district_name) == ("370212002", "沙子口街道", "崂山区")
    assert (row.open_needs, row.uncovered) == (2, 2)
    # The marker: the mean privacy-card point of the uncovered needs (never a child's home).
    card = cards.snap(*SHAZIKOU)
    assert (row.lat, row.lon) == pytest.approx(card)
    assert row.volunteers == 1  # active, completed profiles naming the town (the one 6 km off)

    # A volunteer within 5 km of the needs' card point covers both.
    home_at(SHAZIKOU[0] + 3 * KM_LAT, SHAZIKOU[1] + 0.01)
    row = cov.coverage(staff, 5)[0]
    assert (row.open_needs, row.uncovered, row.lat, row.lon) == (2, 0, None, None)
    # ...but not within 1 km.
    assert cov.coverage(staff, 1)[0].uncovered == 2


def test_rows_sort_by_uncovered_needs_and_stay_inside_the_scope(app, staff, need_at, home_at, make_user):
    need_at(*SHAZIKOU)  # 沙子口, covered below
    home_at(*SHAZIKOU)
    # 王哥庄街道 (370212003), two needs far from every volunteer
    need_at(36.2533, 120.6623, town="370212003")
    need_at(36.2541, 120.6610, town="370212003")
    # 市北区: outside a 崂山 coordinator's scope
    need_at(36.1050, 120.3800, town="370203005", district="370203")
    # Needs that are not open do not count.
    need_at(36.2533, 120.6623, town="370212003", status="assigned")
    rows = cov.coverage(staff, 5)
    assert [(r.town_code, r.open_needs, r.uncovered) for r in rows] == [("370212003", 2, 2), ("370212002", 1, 0)]
    city = make_user(role="coordinator", scope_level="city")
    assert {r.town_code for r in cov.coverage(city, 5)} == {"370212003", "370212002", "370203005"}
    assert cov.coverage(make_user(role="volunteer"), 5) == []


def test_a_volunteer_across_a_district_border_still_covers(app, staff, need_at, home_at):
    need_at(*SHAZIKOU)
    home_at(SHAZIKOU[0] + 2 * KM_LAT, SHAZIKOU[1], town="370203005")
    assert cov.coverage(staff, 5)[0].uncovered == 0


def test_covered_points_agrees_with_brute_force():
    rng = random.Random(7)
    lat = np.array([36.07 + rng.uniform(-0.6, 0.6) for _ in range(700)])
    lon = np.array([120.38 + rng.uniform(-0.8, 0.8) for _ in range(700)])
    vlat = np.array([36.07 + rng.uniform(-0.6, 0.6) for _ in range(150)])
    vlon = np.array([120.38 + rng.uniform(-0.8, 0.8) for _ in range(150)])
    for km in (1, 3, 5, 12):
        got = cov.covered_points(lat, lon, vlat, vlon, km)
        want = []
        for a, b in zip(lat, lon):
            d = [2 * 6371.0088 * math.asin(math.sqrt(
                math.sin(math.radians(c - a) / 2) ** 2 + math.cos(math.radians(a)) * math.cos(math.radians(c))
                * math.sin(math.radians(e - b) / 2) ** 2)) for c, e in zip(vlat, vlon)]
            want.append(min(d) <= km)
        assert got.tolist() == want, km
        assert 0 < sum(want) < len(want)
    assert cov.covered_points(lat, lon, np.array([]), np.array([]), 5).tolist() == [False] * 700


@pytest.mark.parametrize("bad", [0, 0.5, 51, float("nan"), "5", None, True])
def test_the_service_refuses_a_bad_distance(app, staff, bad):
    with pytest.raises(ValueError):
        cov.coverage(staff, bad)


def test_the_page_has_the_table_and_the_map_data(app, client, login, staff, need_at, home_at):
    need_at(*SHAZIKOU)
    need_at(36.2533, 120.6623, town="370212003")
    home_at(*SHAZIKOU)
    login(staff)
    resp = client.get("/coverage?km=5")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    rows = re.findall(r'<tr class="coverage-row[^"]*" data-town="(\d+)"', body)
    assert rows == ["370212003", "370212002"]
    assert body.count("data-lat=") == 1 and 'id="coverage-map"' in body
    assert re.search(r"js/coverage-map\.\w+\.js", body) and re.search(r"vendor/leaflet\.\w+/leaflet\.js", body)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body) and " style=" not in body
    assert "王哥庄街道" in body


@pytest.mark.parametrize("value", ["abc", "0", "51", "nan", "-1", "1e999"])
def test_a_bad_distance_gets_a_clear_message_and_422(app, client, login, staff, value):
    login(staff)
    client.post("/locale", data={"locale": "en"})
    resp = client.get(f"/coverage?km={value}")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert ("Enter a distance in km." in body or "Choose between 1 and 50 km." in body) and 'id="coverage-error"' in body


def test_coverage_is_for_staff_only(app, client, login, make_user):
    assert client.get("/coverage").status_code == 302
    login(make_user(role="org_admin"))
    assert client.get("/coverage").status_code == 403
