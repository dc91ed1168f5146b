"""The spatial engine: exact against brute force, the same answers from every backend, and need_point
kept in step with needs and children."""
import math
import random

import numpy as np
import pytest
from sqlalchemy import func, insert, select

from volunteer.children import cards
from volunteer.extensions import db
from volunteer.matching import points, spatial
from volunteer.matching.models import NeedPoint
from volunteer.needs.models import Need

QINGDAO = (36.07, 120.38)
R = spatial.EARTH_RADIUS_KM


def brute(lat, lon, rows, km):
    """Reference: plain-math haversine over every row, sorted by (km, id)."""
    out = []
    for need_id, plat, plon in rows:
        p1, p2 = math.radians(lat), math.radians(plat)
        a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(plon - lon) / 2) ** 2
        d = 2 * R * math.asin(math.sqrt(a))
        if d <= km:
            out.append((need_id, d))
    return sorted(out, key=lambda t: (t[1], t[0]))


def same(got, want):
    assert [i for i, _ in got] == [i for i, _ in want]
    for (_, a), (_, b) in zip(got, want):
        assert a == pytest.approx(b, rel=1e-6, abs=1e-9)


def backends():
    return spatial.available()


@pytest.fixture
def scattered(app, make_child):
    """300 open needs (one child, needs inserted in bulk) at random points within ~30 km of Qingdao,
    with random skills and service types; returns [(need_id, lat, lon, mask, service_type)]."""
    child = make_child()
    rng = random.Random(4)
    n = 300
    types = ["tutoring", "companionship", "home_visit_survey"]
    db.session.execute(insert(Need), [{"child_id": child.id, "dimension": "mind", "service_type": types[i % 3],
                                       "urgency": "normal", "rhythm": "once", "status": "open"}
                                      for i in range(n)])
    ids = db.session.scalars(select(Need.id).where(Need.child_id == child.id).order_by(Need.id)).all()
    rows = []
    for need_id in ids:
        lat = QINGDAO[0] + rng.uniform(-0.27, 0.27)
        lon = QINGDAO[1] + rng.uniform(-0.33, 0.33)
        mask = rng.choice([0, 0, 1, 2, 4, 1 | 4, 2 | 8])
        st = db.session.get(Need, need_id).service_type
        rows.append((need_id, lat, lon, mask, st))
    db.session.execute(insert(NeedPoint), [
        {"need_id": i, "child_id": child.id, "lat": la, "lon": lo, "service_type": st, "skills_mask": m,
         "urgency": "normal"} for i, la, lo, m, st in rows])
    db.session.commit()
    return rows


QUERIES = [QINGDAO, (36.0, 120.3), (36.25, 120.6), (36.3, 120.1), (35.85, 120.05)]


def test_nearest_and_within_equal_brute_force_on_every_backend(scattered):
    all_rows = [(i, la, lo) for i, la, lo, _m, _s in scattered]
    for kind in backends():
        eng = spatial.engine(kind)
        for lat, lon in QUERIES:
            for k, km in ((20, 10.0), (5, 3.0), (200, 50.0), (1, 0.5), (50, 7.5)):
                same(eng.nearest_needs(lat, lon, k=k, max_km=km), brute(lat, lon, all_rows, km)[:k])
            want = brute(lat, lon, all_rows, 12.0)
            got, total = eng.needs_within(lat, lon, 12.0, page=1, per_page=20)
            assert total == len(want)
            same(got, want[:20])
            got, total = eng.needs_within(lat, lon, 12.0, page=2, per_page=7)
            same(got, want[7:14])


def test_filters_equal_brute_force_on_every_backend(scattered):
    for kind in backends():
        eng = spatial.engine(kind)
        for volunteer in (0, 1, 4, 1 | 4, 2 | 8, points.ALL_SKILLS):
            rows = [(i, la, lo) for i, la, lo, m, _s in scattered if m & ~volunteer == 0]
            for lat, lon in QUERIES:
                same(eng.nearest_needs(lat, lon, k=20, max_km=15.0, skills_mask=volunteer),
                     brute(lat, lon, rows, 15.0)[:20])
                want = brute(lat, lon, rows, 9.0)
                got, total = eng.needs_within(lat, lon, 9.0, per_page=5, skills_mask=volunteer)
                assert total == len(want)
                same(got, want[:5])
        rows = [(i, la, lo) for i, la, lo, _m, s in scattered if s in ("tutoring", "companionship")]
        excluded = {r[0] for r in brute(*QINGDAO, rows, 10.0)[:3]}
        rest = [r for r in rows if r[0] not in excluded]
        same(eng.nearest_needs(*QINGDAO, k=10, max_km=10.0, service_types=["tutoring", "companionship"],
                               exclude_ids=excluded), brute(*QINGDAO, rest, 10.0)[:10])
        assert eng.nearest_needs(*QINGDAO, service_types=[]) == []


def test_every_backend_gives_the_same_needs_in_the_same_order(scattered):
    kinds = backends()
    assert spatial.engine().name == kinds[0]
    if db.engine.dialect.name == "sqlite":
        assert kinds == ["sqlite-rtree", "boxscan"]
    elif db.session.execute(db.text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).scalar():
        assert kinds == ["postgis", "boxscan"]  # the migration enabled it (CI installs it)
    rng = random.Random(7)
    for _ in range(40):
        lat, lon = QINGDAO[0] + rng.uniform(-0.3, 0.3), QINGDAO[1] + rng.uniform(-0.35, 0.35)
        km = rng.choice([1.0, 2.5, 5.0, 10.0, 20.0])
        mask = rng.choice([None, 0, 5, points.ALL_SKILLS])
        answers = {kind: (spatial.engine(kind).nearest_needs(lat, lon, k=20, max_km=km, skills_mask=mask),
                          spatial.engine(kind).needs_within(lat, lon, km, page=2, per_page=10, skills_mask=mask))
                   for kind in kinds}
        first = answers[kinds[0]]
        for kind in kinds[1:]:
            assert [i for i, _ in answers[kind][0]] == [i for i, _ in first[0]]
            assert answers[kind][1][1] == first[1][1]
            assert [i for i, _ in answers[kind][1][0]] == [i for i, _ in first[1][0]]


def test_needs_sharing_a_grid_point_are_ordered_by_id_on_every_backend(app, make_child):
    """Privacy-card points are grid-cell centres, so ties are common: broken by need id everywhere."""
    from volunteer.needs.services import create_need

    child_a = make_child(lat="36.1102", lon="120.4622")
    child_b = make_child(lat="36.1108", lon="120.4611")  # the same ~1 km cell
    child_c = make_child(lat="36.1302", lon="120.4622")
    from volunteer.accounts.models import User

    admin = db.session.get(User, child_a.created_by_id)
    ids = []
    for child in (child_b, child_a, child_c, child_a, child_b) * 6:
        ids.append(create_need(admin, child.ref, {"dimension": "mind", "service_type": "companionship"}).id)
    assert points.rebuild_all() == 30
    assert cards.snap(36.1102, 120.4622) == cards.snap(36.1108, 120.4611)
    for kind in backends():
        eng = spatial.engine(kind)
        near = eng.nearest_needs(36.1102, 120.4622, k=25, max_km=10.0)
        tied = sorted(i for i, c in zip(ids, (child_b, child_a, child_c, child_a, child_b) * 6) if c is not child_c)
        assert [i for i, _ in near[:24]] == tied
        assert len({d for _, d in near[:24]}) == 1
        page, total = eng.needs_within(36.1102, 120.4622, 5.0, page=3, per_page=10)
        assert total == 30 and [i for i, _ in page] == tied[20:] + sorted(set(ids) - set(tied))
        assert [i for i, _ in eng.nearest_needs(36.1102, 120.4622, k=7, max_km=10.0)] == tied[:7]


# --- need_point in step ---------------------------------------------------------------------------

NEED = {"dimension": "intellect", "service_type": "tutoring", "urgency": "high", "rhythm": "weekly",
        "skills": ["tutoring", "driving"]}


def point(need_id):
    return db.session.get(NeedPoint, need_id)


def test_sync_need_writes_the_privacy_card_point_and_follows_the_status(app, make_child, make_user):
    from volunteer.needs.services import create_need, move_need

    staff = make_user(role="admin")
    child = make_child(by=staff)
    need = create_need(staff, child.ref, NEED)
    assert points.sync_need(need.id) is True
    assert points.sync_need(need.id) is True  # idempotent
    p = point(need.id)
    assert (p.lat, p.lon) == cards.snap(36.1102, 120.4622) == (36.115, 120.45625)
    assert (p.exact_lat, p.exact_lon) == (36.1102, 120.4622)
    assert (p.child_id, p.service_type, p.urgency, p.district_code, p.town_code) == (
        child.id, "tutoring", "high", "370212", "370212002")
    assert p.skills_mask == points.skills_mask(["tutoring", "driving"]) == (1 << 2) | (1 << 6)
    eng = spatial.engine()
    assert [i for i, _ in eng.nearest_needs(36.11, 120.46)] == [need.id]
    for status in ("assigned", "in_progress", "done"):
        move_need(staff, need.id, status)
    points.sync_need(need.id)
    assert point(need.id) is None
    for kind in backends():
        assert spatial.engine(kind).nearest_needs(36.11, 120.46) == []
        assert spatial.engine(kind).needs_within(36.11, 120.46, 5.0) == ([], 0)
    move_need(staff, need.id, "open")
    assert points.sync_need(need.id) is True and point(need.id) is not None
    assert points.sync_need(987654) is False


def test_events_keep_points_in_step_through_the_worker(app, make_child, make_user, run_worker):
    from volunteer.children.services import update_child
    from volunteer.needs.services import create_need, move_need, update_need

    staff = make_user(role="admin")
    child = make_child(by=staff)
    need = create_need(staff, child.ref, NEED)
    other = create_need(staff, child.ref, {**NEED, "skills": []})
    assert point(need.id) is None  # not yet: the event's job makes it
    run_worker()
    db.session.expire_all()
    assert point(need.id) is not None and point(other.id) is not None
    # The child moves to 黄岛: both points move.
    update_child(staff, child.ref, {"lat": "35.9602", "lon": "120.1905"})
    run_worker()
    db.session.expire_all()
    assert (point(need.id).lat, point(need.id).lon) == cards.snap(35.9602, 120.1905)
    assert (point(other.id).lat, point(other.id).lon) == cards.snap(35.9602, 120.1905)
    for kind in backends():
        eng = spatial.engine(kind)
        assert eng.nearest_needs(36.1102, 120.4622) == []
        assert [i for i, _ in eng.nearest_needs(35.96, 120.19)] == [need.id, other.id]
    update_need(staff, need.id, {"skills": ["counselling"]})
    move_need(staff, other.id, "cancelled")
    run_worker()
    db.session.expire_all()
    assert point(other.id) is None
    assert point(need.id).skills_mask == points.skills_mask(["counselling"])
    eng = spatial.engine()
    assert eng.nearest_needs(35.96, 120.19, skills_mask=points.skills_mask(["tutoring"])) == []
    assert [i for i, _ in eng.nearest_needs(35.96, 120.19, skills_mask=points.skills_mask(
        ["counselling", "tutoring"]))] == [need.id]


def test_a_child_without_an_exact_point_gets_its_district_point(app, make_child):
    from volunteer.geo import services as geo

    child = make_child(lat="", lon="")
    assert child.lat is None
    need = Need(child_id=child.id, dimension="mind", service_type="companionship", status="open")
    db.session.add(need)
    db.session.commit()
    points.sync_child(child.id)
    p = point(need.id)
    want = geo.point_for("370212002")
    assert (p.lat, p.lon) == cards.snap(want[0], want[1])
    assert p.exact_lat is None and p.exact_lon is None


def test_deleting_a_child_removes_its_points_everywhere(app, make_child, make_user):
    from volunteer.children.services import delete_child
    from volunteer.needs.services import create_need

    staff = make_user(role="admin")
    child = make_child(by=staff)
    need = create_need(staff, child.ref, NEED)
    points.sync_need(need.id)
    delete_child(staff, child.ref)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(NeedPoint)) == 0
    if "sqlite-rtree" in backends():
        assert db.session.execute(db.text("SELECT count(*) FROM need_point_rtree")).scalar() == 0


def test_rebuild_all_matches_sync(app, make_child, make_user):
    from volunteer.needs.services import create_need, move_need

    staff = make_user(role="admin")
    ids = []
    for n in range(6):
        child = make_child(by=staff, lat=f"{36.10 + n * 0.011:.4f}", lon="120.50")
        ids.append(create_need(staff, child.ref, {**NEED, "skills": ["tutoring"] if n % 2 else []}).id)
    move_need(staff, ids[0], "cancelled")
    for i in ids:
        points.sync_need(i)
    before = [(p.need_id, p.lat, p.lon, p.skills_mask) for p in db.session.scalars(
        select(NeedPoint).order_by(NeedPoint.need_id))]
    assert points.rebuild_all() == 5
    db.session.expire_all()
    after = [(p.need_id, p.lat, p.lon, p.skills_mask) for p in db.session.scalars(
        select(NeedPoint).order_by(NeedPoint.need_id))]
    assert before == after and len(after) == 5
    for kind in backends():
        got, total = spatial.engine(kind).needs_within(36.12, 120.50, 20.0, per_page=2)
        assert total == 5 and len(got) == 2
        got3, _ = spatial.engine(kind).needs_within(36.12, 120.50, 20.0, page=3, per_page=2)
        assert len(got3) == 1
        assert spatial.engine(kind).needs_within(36.12, 120.50, 20.0, page=4, per_page=2) == ([], 5)


# --- volunteers, units, input ------------------------------------------------------------------------

def test_volunteers_near_only_completed_active_profiles_with_a_home(app, make_user):
    from volunteer.volunteers.models import VolunteerProfile

    rng = random.Random(3)
    expected = []
    for n in range(40):
        user = make_user(role="volunteer")
        prof = db.session.get(VolunteerProfile, user.id)
        prof.lat, prof.lon = QINGDAO[0] + rng.uniform(-0.1, 0.1), QINGDAO[1] + rng.uniform(-0.1, 0.1)
        prof.completed = n % 5 != 0
        user.active = n % 7 != 0
        if n == 3:
            prof.lat = prof.lon = None
        if prof.completed and user.active and prof.lat is not None:
            expected.append((user.id, prof.lat, prof.lon))
    db.session.commit()
    for kind in backends():
        eng = spatial.engine(kind)
        same(eng.volunteers_near(*QINGDAO, 8.0, limit=10), brute(*QINGDAO, expected, 8.0)[:10])
        same(eng.volunteers_near(36.1, 120.4, 3.0), brute(36.1, 120.4, expected, 3.0)[:50])


def test_skills_mask_and_display_km():
    assert points.skills_mask([]) == 0
    assert points.skills_mask(["home_visit"]) == 1
    assert points.skills_mask(["event_help", "home_visit", "home_visit"]) == 1 | (1 << 8)
    with pytest.raises(ValueError):
        points.skills_mask(["juggling"])
    # 10 km east of Qingdao: the ellipsoid and the sphere agree to within a few tenths of a percent.
    d = spatial.display_km(36.07, 120.38, 36.07, 120.38 + 10 / spatial.KM_PER_DEG / math.cos(math.radians(36.07)))
    assert d in (10.0, 10.1, 9.9, 10.2) and isinstance(d, float)
    h = spatial.haversine_km(36.07, 120.38, np.array([36.07, 36.16]), np.array([120.38, 120.38]))
    assert h[0] == 0 and h[1] == pytest.approx(0.09 * spatial.KM_PER_DEG)


@pytest.mark.parametrize("kwargs", [{"max_km": 0}, {"max_km": -1}, {"max_km": 50.01}, {"k": 201}, {"k": 0},
                                    {"max_km": float("nan")}])
def test_bad_arguments_are_refused(app, kwargs):
    for kind in backends():
        with pytest.raises(ValueError):
            spatial.engine(kind).nearest_needs(*QINGDAO, **kwargs)


def test_bad_within_and_volunteer_arguments_are_refused(app):
    for kind in backends():
        eng = spatial.engine(kind)
        for km in (0, -2, 51, float("inf")):
            with pytest.raises(ValueError):
                eng.needs_within(*QINGDAO, km)
            with pytest.raises(ValueError):
                eng.volunteers_near(*QINGDAO, km)
        for page, per_page in ((0, 20), (1, 0), (1, 101)):
            with pytest.raises(ValueError):
                eng.needs_within(*QINGDAO, 5.0, page=page, per_page=per_page)
        with pytest.raises(ValueError):
            eng.volunteers_near(*QINGDAO, 5.0, limit=500)
        assert eng.nearest_needs(*QINGDAO, max_km=50.0) == []
