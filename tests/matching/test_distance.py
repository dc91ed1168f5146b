"""One volunteer, one child: every page and the API show the same helper-to-child distance for the same
two points, and say in words which point it is measured from (and, where it differs, to)."""
import re

import pytest

from volunteer.api.services import issue_token
from volunteer.children import cards
from volunteer.extensions import db
from volunteer.matching import distance, offers, points, spatial
from volunteer.needs.services import create_need
from volunteer.visits import autoassign

from .test_nearme import login_client, make_volunteer

HOME = (36.1025, 120.4678)  # the volunteer's home
CHILD = (36.106123, 120.470456)  # the child's real home: ~0.5 km from HOME, its grid-cell centre ~0.3 km
GPS = (36.1105, 120.4790)  # the phone, somewhere else
ZH = {"Accept-Language": "zh-CN"}


def shown(a, b) -> str:
    """The independent expectation: great-circle km between two points, to 0.1."""
    return f"{max(0.1, round(float(spatial.haversine_km(a[0], a[1], [b[0]], [b[1]])[0]) + 1e-9, 1)):.1f}"


@pytest.fixture
def pair(make_user, make_child):
    staff = make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")
    child = make_child(by=staff, lat=f"{CHILD[0]:.6f}", lon=f"{CHILD[1]:.6f}")
    need = create_need(staff, child.ref, {"dimension": "intellect", "service_type": "tutoring", "urgency": "normal",
                                          "rhythm": "weekly", "skills": ["tutoring"]})
    points.rebuild_all()
    vol = make_volunteer(make_user, point=HOME, radius=10, name="王志愿")
    vol.profile.max_visits_per_month = 4
    db.session.commit()
    return {"staff": staff, "child": child, "need": need, "volunteer": vol}


def test_staff_pages_show_one_distance_from_the_volunteers_home_to_the_childs_home(app, pair, run_worker):
    staff, need, vol = pair["staff"], pair["need"], pair["volunteer"]
    want = shown(HOME, CHILD)
    assert want != shown(HOME, cards.snap(*CHILD))  # the case where the to-point matters
    phrase = f"距志愿者住址 {want} 公里"
    offers.offer_help(vol, need.id)
    client = login_client(app, staff)

    helpers_page = client.get(f"/needs/{need.id}/helpers", headers=ZH).get_data(as_text=True)
    row = helpers_page[helpers_page.index(f'id="helper-volunteer-{vol.id}"'):]
    assert phrase in row[:row.index("</tr>")]
    child_helpers = client.get(f"/children/{pair['child'].ref}/helpers", headers=ZH).get_data(as_text=True)
    assert phrase in child_helpers
    offers_page = client.get("/offers", headers=ZH).get_data(as_text=True)
    assert phrase in offers_page and "约" not in re.search(r"志愿者：王志愿[^<]*", offers_page).group(0)
    assign = client.get(f"/needs/{need.id}/visits/new", headers=ZH).get_data(as_text=True)
    assert phrase in assign

    rec = autoassign.start(staff, [need.id], max_km=15)
    run_worker()
    proposal = client.get(f"/visits/auto/{rec.rq_id}", headers=ZH).get_data(as_text=True)
    assert phrase in proposal


def test_volunteers_see_the_distance_to_the_approximate_place_named_by_its_from_point(app, pair):
    need, vol = pair["need"], pair["volunteer"]
    card = cards.snap(*CHILD)
    client = login_client(app, vol)

    near = client.get("/near", headers=ZH).get_data(as_text=True)
    assert f"距您家约 {shown(HOME, card)} 公里" in near and "大致位置" in near
    from_phone = client.get(f"/near?lat={GPS[0]}&lon={GPS[1]}&source=gps", headers=ZH).get_data(as_text=True)
    assert f"距您当前位置约 {shown(GPS, card)} 公里" in from_phone
    from_area = client.get("/near?area=370212&source=division&radius_km=20", headers=ZH).get_data(as_text=True)
    assert "距所选区域约" in from_area

    token = {"Authorization": f"Bearer {issue_token(vol, 'phone')[1]}"}
    got = app.test_client().get(f"/api/v1/needs/{need.id}", headers=token).get_json()
    assert got["distance"] == {"km": float(shown(HOME, card)), "from": "home", "to": "approximate_place"}
    listed = app.test_client().get("/api/v1/needs?per_page=100", headers=token).get_json()["items"]
    assert [n["distance"] for n in listed if n["id"] == need.id] == [got["distance"]]
    # Never the distance to the real home, which could help locate the child.
    assert f"{shown(HOME, CHILD)} 公里" not in near


def test_the_service_measures_to_the_home_for_staff_and_to_the_card_for_everyone_else(app, pair, make_user):
    staff, vol, child = pair["staff"], pair["volunteer"], pair["child"]
    for_staff = distance.from_home(staff, vol, child)
    for_volunteer = distance.from_home(vol, vol, child)
    assert (for_staff.target, f"{for_staff.km:.1f}") == ("home", shown(HOME, CHILD))
    assert (for_volunteer.target, f"{for_volunteer.km:.1f}") == ("card", shown(HOME, cards.snap(*CHILD)))
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    assert distance.from_home(outsider, vol, child).target == "card"  # not in their scope: never the home
