"""Near me: open needs around a volunteer, nearest first, filtered by skills and availability, shown as
privacy cards with rounded distances; bad input is a clear 422, never a 500."""
import re
from datetime import date, timedelta

import pytest

from volunteer.children.nicknames import nickname
from volunteer.extensions import db
from volunteer.matching import nearme, points, spatial
from volunteer.matching.models import NeedPoint
from volunteer.needs.services import create_need
from volunteer.volunteers.models import AvailabilitySlot, VolunteerSkill
from volunteer.volunteers.skills import CREDENTIAL_SKILLS

HOME = (36.1025, 120.4678)  # 崂山区
# Children's exact homes (distinctive six-decimal values), about 0.4, 1.6, 3.6 and 9 km from HOME.
PLACES = {"near": (36.106123, 120.470456), "mid": (36.115234, 120.480123), "far": (36.131234, 120.492345),
          "out": (36.171234, 120.540123)}


def make_volunteer(make_user, point=HOME, radius=5, skills=("tutoring", "companionship"), verified=(),
                   slots=("5-am",), name=None):
    """A volunteer with a completed profile: home point, radius, skills (credential skills pending unless
    listed in verified) and weekly slots."""
    user = make_user(role="volunteer", name=name)
    p = user.profile
    p.lat, p.lon = point if point else (None, None)
    p.radius_km, p.completed, p.location_source = radius, True, "pin" if point else None
    p.district_code = "370212" if point else None
    for s in skills:
        status = ("verified" if s in verified else "pending") if s in CREDENTIAL_SKILLS else "none"
        p.skills.append(VolunteerSkill(skill=s, credential="证书" if s in CREDENTIAL_SKILLS else None,
                                       credential_status=status))
    for code in slots:
        day, period = code.split("-")
        p.slots.append(AvailabilitySlot(weekday=int(day), period=period))
    db.session.commit()
    return user


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


@pytest.fixture
def place_need(admin, make_child):
    """place_need(where, service_type="tutoring", skills=("tutoring",), **need fields) -> Need: a child at
    PLACES[where] (or a (lat, lon)) with one open need."""
    def make(where, service_type="tutoring", skills=("tutoring",), child=None, **fields):
        lat, lon = PLACES[where] if isinstance(where, str) else where
        if child is None:
            child = make_child(by=admin, lat=f"{lat:.6f}", lon=f"{lon:.6f}")
        data = {"dimension": "intellect", "service_type": service_type, "urgency": "normal", "rhythm": "weekly",
                "skills": list(skills), **fields}
        return create_need(admin, child.ref, data)
    return make


def near(volunteer, **args):
    q = nearme.parse_query(volunteer, args)
    return nearme.near_needs(volunteer, q)


def ids(results):
    return [r["need"]["id"] for r in results]


def login_client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"}).status_code == 302
    return client


# --- the service ------------------------------------------------------------------------------------

def test_results_are_sorted_by_distance_and_capped_by_the_radius(app, make_user, place_need):
    needs = {k: place_need(k) for k in ("far", "near", "out", "mid")}
    points.rebuild_all()
    vol = make_volunteer(make_user, radius=5)
    got = near(vol)
    assert ids(got) == [needs["near"].id, needs["mid"].id, needs["far"].id]
    assert got.total == 3 and not got.has_more
    kms = [r["km"] for r in got]
    assert kms == sorted(kms) and all(k <= 5 for k in kms)
    # Rounded to 0.1 km, and measured to the privacy-card point, not the child's exact home.
    p = db.session.get(NeedPoint, needs["mid"].id)
    from_card = spatial.haversine_km(HOME[0], HOME[1], [p.lat], [p.lon])[0]
    assert got[1]["km"] == round(from_card, 1) and (got[1]["lat"], got[1]["lon"]) == (p.lat, p.lon)
    assert (p.lat, p.lon) != PLACES["mid"]
    # A wider radius takes in the far one; a narrower one leaves only the nearest.
    assert ids(near(vol, radius_km="15")) == [needs[k].id for k in ("near", "mid", "far", "out")]
    assert ids(near(vol, radius_km="1")) == [needs["near"].id]


def test_ties_at_one_privacy_point_are_broken_by_need_id(app, make_user, place_need, make_child, admin):
    child = make_child(by=admin, lat="36.115234", lon="120.480123")
    a = place_need("mid", child=child)
    b = place_need("mid", child=child, service_type="companionship", skills=["companionship"])
    points.rebuild_all()
    got = near(make_volunteer(make_user))
    assert ids(got) == [a.id, b.id] and got[0]["km"] == got[1]["km"]


def test_paging(app, make_user, place_need, make_child, admin):
    made = [place_need(PLACES["near"]) for _ in range(3)] + [place_need(PLACES["mid"]) for _ in range(9)]
    points.rebuild_all()
    vol = make_volunteer(make_user)
    first = near(vol)
    second = near(vol, page="2")
    assert first.total == 12 and first.has_more and len(first) == nearme.PER_PAGE
    assert not second.has_more and len(second) == 2
    assert ids(first) + ids(second) == [n.id for n in made]


def test_skill_filter_counts_credential_skills_only_once_verified(app, make_user, place_need):
    tutoring = place_need("near")
    counselling = place_need("mid", service_type="counselling", skills=["counselling"])
    nothing_needed = place_need("far", service_type="home_visit_survey", skills=[])
    points.rebuild_all()
    pending = make_volunteer(make_user, skills=("tutoring", "counselling"))
    verified = make_volunteer(make_user, skills=("tutoring", "counselling"), verified=("counselling",))
    assert ids(near(pending)) == [tutoring.id, nothing_needed.id]
    assert ids(near(verified)) == [tutoring.id, counselling.id, nothing_needed.id]
    # The filter off: every open need around, whatever the skills.
    assert ids(near(pending, skills_only="0")) == [tutoring.id, counselling.id, nothing_needed.id]
    # A hidden "0" and a ticked "1" (how the form sends a ticked box) is on.
    q = nearme.parse_query(pending, _multi(skills_only=["0", "1"]))
    assert q.skills_only is True


def _multi(**lists):
    from werkzeug.datastructures import MultiDict

    return MultiDict([(k, v) for k, values in lists.items() for v in values])


def test_availability_filter_uses_the_window_and_needs_a_weekly_slot(app, make_user, place_need):
    today = date.today()
    ended = place_need("near", window_end=(today - timedelta(days=1)).isoformat(),
                       window_start=(today - timedelta(days=30)).isoformat())
    ends_today = place_need("mid", window_end=today.isoformat())
    open_ended = place_need("far")
    points.rebuild_all()
    vol = make_volunteer(make_user)
    assert ids(near(vol)) == [ends_today.id, open_ended.id]
    assert ids(near(vol, available_only="0")) == [ended.id, ends_today.id, open_ended.id]
    no_slots = make_volunteer(make_user, slots=())
    got = near(no_slots)
    assert list(got) == [] and got.no_slots
    assert ids(near(no_slots, available_only="0")) == [ended.id, ends_today.id, open_ended.id]


def test_the_phones_point_wins_over_the_home_point(app, make_user, place_need):
    close_to_home = place_need("near")
    points.rebuild_all()
    # Home far away in 市南区; the phone is in 崂山区.
    vol = make_volunteer(make_user, point=(36.0671, 120.3826), radius=3)
    assert ids(near(vol)) == []
    q = nearme.parse_query(vol, {"lat": "36.102500", "lon": "120.467800"})
    assert q.origin == "gps" and (q.lat, q.lon) == HOME
    assert ids(nearme.near_needs(vol, q)) == [close_to_home.id]
    home = nearme.parse_query(vol, {})
    assert home.origin == "home" and home.radius_km == 3
    # A district chosen last (source=division) wins over a phone point still in the form.
    q = nearme.parse_query(vol, {"lat": "36.1025", "lon": "120.4678", "area": "370202", "source": "division"})
    assert q.origin == "area" and q.area == "370202"


def test_without_any_point_the_page_asks_for_a_district_or_town(app, make_user, place_need):
    place_need("near")
    points.rebuild_all()
    vol = make_volunteer(make_user, point=None)
    client = login_client(app, vol)
    resp = client.get("/near", headers={"Accept-Language": "en"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="near-ask"' in body and 'name="area"' in body
    assert "370212" in body  # the district select
    # Choosing 崂山区 searches around its point (the near need lies within 10 km of it).
    resp = client.get("/near?area=370212&radius_km=20", headers={"HX-Request": "true"})
    assert resp.status_code == 200 and "near-need-" in resp.get_data(as_text=True)


BAD = [
    ({"lat": "abc", "lon": "120.4678"}, "Location must be numbers", "位置必须是数字"),
    ({"lat": "36.1025"}, "Location must be numbers", None),
    ({"lat": "1e999", "lon": "120.4"}, "Location must be numbers", None),
    ({"lat": "95", "lon": "120.4"}, "Latitude must be between", None),
    ({"lat": "40.0", "lon": "-74.0"}, "outside China", "中国"),
    ({"lat": "39.9042", "lon": "116.4074"}, "outside Qingdao", "青岛"),
    ({"radius_km": "0"}, "between 1 and 50 km", None),
    ({"radius_km": "51"}, "between 1 and 50 km", None),
    ({"radius_km": "abc"}, "must be a number", None),
    ({"radius_km": "nan"}, "between 1 and 50 km", None),
    ({"area": "999999"}, "Choose a district or town", None),
]


@pytest.mark.parametrize("args,message,chinese", BAD)
def test_bad_input_is_a_clear_422_never_a_500(app, make_user, args, message, chinese):
    vol = make_volunteer(make_user)
    client = login_client(app, vol)
    for headers in ({}, {"HX-Request": "true"}):
        resp = client.get("/near", query_string=args, headers={"Accept-Language": "en", **headers})
        body = resp.get_data(as_text=True)
        assert resp.status_code == 422, body[:300]
        assert 'role="alert"' in body and message in body
    if chinese:
        resp = client.get("/near", query_string=args, headers={"Accept-Language": "zh-CN"})
        assert resp.status_code == 422 and chinese in resp.get_data(as_text=True)


def test_the_page_and_the_fragments_never_show_a_childs_personal_data(app, make_user, make_child, admin):
    lat, lon = "36.108437", "120.471953"
    child = make_child(by=admin, name="甄隐私", address="隐私路99号", village="隐私村", guardian_name="甄监护",
                       guardian_phone="13911112222", school="隐私小学", lat=lat, lon=lon)
    create_need(admin, child.ref, {"dimension": "mind", "service_type": "companionship", "urgency": "high",
                                   "rhythm": "weekly", "skills": ["companionship"], "details": "PRIVATEDETAILS"})
    for _ in range(nearme.PER_PAGE):  # enough for a second page holding the child
        create_need(admin, make_child(by=admin, lat="36.1030", lon="120.4680").ref,
                    {"dimension": "mind", "service_type": "tutoring", "urgency": "normal", "rhythm": "once",
                     "skills": ["tutoring"]})
    points.rebuild_all()
    vol = make_volunteer(make_user)
    client = login_client(app, vol)
    pages = [client.get("/near"), client.get("/near", headers={"HX-Request": "true"}),
             client.get("/near?page=2", headers={"HX-Request": "true"}),
             client.get("/near?lat=36.1025&lon=120.4678&source=gps", headers={"HX-Request": "true"}),
             client.get("/near?lat=36.1025&lon=120.4678&page=2", headers={"HX-Request": "true"}),
             client.get("/offers")]
    seen = False
    for resp in pages:
        body = resp.get_data(as_text=True)
        assert resp.status_code == 200
        for secret in ("甄隐私", "隐私路", "隐私村", "甄监护", "13911112222", "1391111", "隐私小学", "PRIVATEDETAILS",
                       lat, lon, lat[:7], lon[:8]):
            assert secret not in body, secret
        seen = seen or f"near-need-{child.needs[0].id}" in body
    assert seen, "the child's need should be listed (on the second page)"


def test_the_fragment_for_a_later_page_is_only_the_items(app, make_user, place_need):
    for _ in range(nearme.PER_PAGE + 2):
        place_need("near")
    points.rebuild_all()
    client = login_client(app, make_volunteer(make_user))
    full = client.get("/near").get_data(as_text=True)
    assert "<html" in full and 'id="near-map"' in full and 'id="near-more"' in full
    first = client.get("/near", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in first and 'id="near-list"' in first and 'data-near-map' in first
    more = re.search(r'hx-get="([^"]+)"', first[first.index('id="near-more"'):]).group(1).replace("&amp;", "&")
    second = client.get(more, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in second and 'id="near-list"' not in second and "data-near-map" not in second
    assert second.count("data-near-result") == 2 and 'id="near-more"' not in second


def test_distances_are_shown_rounded(app, make_user, place_need):
    place_need("mid")
    points.rebuild_all()
    client = login_client(app, make_volunteer(make_user))
    body = client.get("/near", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    shown = re.findall(r'class="near-km">距您家约 (\d+(?:\.\d+)?) 公里', body)
    assert shown and all(re.fullmatch(r"\d+(\.\d)?", s) for s in shown)  # to 0.1 km at most


def test_only_volunteers_open_near_me(app, world):
    for role in ("org_member", "org_admin", "coordinator", "admin"):
        client = login_client(app, world["users"][role])
        assert client.get("/near").status_code == 403


def test_cards_are_numbered_across_pages_and_carry_the_number_for_their_marker(app, make_user, place_need):
    for _ in range(nearme.PER_PAGE + 2):
        place_need("near")
    points.rebuild_all()
    client = login_client(app, make_volunteer(make_user))
    first = client.get("/near").get_data(as_text=True)
    nums = re.findall(r'data-num="(\d+)"', first)
    assert nums == [str(i) for i in range(1, nearme.PER_PAGE + 1)]
    # The card shows its number, and the number links to the map (its marker, by near-map.js).
    card = first[first.index('data-num="1"'):]
    card = card[:card.index("</li>")]
    assert re.search(r'<a class="near-pin" href="#near-map" data-show-marker="1"[^>]*><span class="num">1</span></a>',
                     card)
    more = re.search(r'id="near-more">\s*<a[^>]*href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(more, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.findall(r'data-num="(\d+)"', second) == [str(nearme.PER_PAGE + 1), str(nearme.PER_PAGE + 2)]


def test_cards_call_children_by_a_nickname_and_show_no_coordinates_or_hex_codes(app, make_user, place_need):
    need = place_need("near")
    points.rebuild_all()
    client = login_client(app, make_volunteer(make_user))
    for lang in ("zh-CN", "en"):
        body = client.get("/near", headers={"Accept-Language": lang}).get_data(as_text=True)
        text = re.sub(r"<[^>]+>", " ", body)  # what the page shows (data- attributes aside)
        assert nickname(need.child.ref) in text
        assert need.child.ref[:4].upper() not in text and "儿童 " not in text and "Child " not in text
        assert not re.search(r"\b3[56]\.\d{2,}|\b12[01]\.\d{2,}", text), "no coordinates on a card"
        assert "沙子口街道" in text  # the town, in words
