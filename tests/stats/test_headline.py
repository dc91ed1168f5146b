"""Headline figures of /stats: each against the previous period of the same length, in the staff's scope."""
from datetime import date, datetime, timezone

import pytest

from volunteer.extensions import db
from volunteer.needs.models import Wish
from volunteer.needs.rules import NotAllowed
from volunteer.needs.services import create_need
from volunteer.stats import headline, services
from volunteer.wishes.models import WishClaim

SHINAN = {"district_code": "370202", "town_code": "370202001", "lat": "36.0661", "lon": "120.3830"}
MARCH = (date(2026, 3, 1), date(2026, 3, 31))  # the period before: 29 January to 28 February


def _utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def _registered(child, at):
    child.created_at = at
    db.session.commit()


def _received(child, donor, at, n=[0]):
    n[0] += 1
    wish = Wish(ref=f"w{n[0]:09d}", child_id=child.id, item="书包", category="study", price_yuan=60, status="received")
    db.session.add(wish)
    db.session.flush()
    db.session.add(WishClaim(wish_id=wish.id, donor_id=donor.id, status="done", claimed_at=at, received_at=at))
    db.session.commit()


@pytest.fixture
def march(app, make_user, make_child, serve):
    admin = make_user(role="admin")
    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    donor = make_user(role="volunteer")
    v1, v2, v3 = (make_user(role="volunteer") for _ in range(3))
    a = make_child(by=admin, category="orphan")
    b = make_child(by=admin, category="left_behind")
    late = make_child(by=admin, category="difficult")
    far = make_child(by=admin, **SHINAN)
    _registered(a, _utc(2026, 1, 10))
    _registered(b, _utc(2026, 3, 15))
    _registered(late, _utc(2026, 3, 31, 16, 30))  # 00:30 on 1 April in Qingdao: after the period
    _registered(far, _utc(2025, 6, 1))
    tutoring = create_need(admin, a.ref, {"dimension": "intellect", "service_type": "tutoring"})
    group = create_need(admin, b.ref, {"dimension": "mind", "service_type": "group_service"})
    serve(tutoring, [v1], _utc(2026, 3, 10, 2), 90)
    serve(group, [v1, v2], _utc(2026, 3, 20, 2), 60, children=5)
    serve(tutoring, [v3], _utc(2026, 2, 15, 2), 60)  # the period before
    serve(tutoring, [v3], _utc(2026, 1, 20, 2), 60)  # before both
    _received(a, donor, _utc(2026, 3, 5, 2))
    _received(a, donor, _utc(2026, 2, 1, 2))
    _received(far, donor, _utc(2026, 3, 5, 2))  # 市南区
    return {"admin": admin, "coord": coord, "volunteer": v1}


def test_the_previous_period_has_the_same_length_and_ends_the_day_before():
    assert headline.previous(*MARCH) == (date(2026, 1, 29), date(2026, 2, 28))
    assert headline.previous(date(2026, 5, 1), date(2026, 5, 1)) == (date(2026, 4, 30), date(2026, 4, 30))


def test_each_headline_figure_is_compared_with_the_previous_period(march):
    rows = {r["key"]: r for r in headline.headline(march["coord"], *MARCH)}
    assert list(rows) == ["children", "orphan", "de_facto_unsupported", "difficult", "left_behind", "services",
                          "person_times", "hours", "volunteers", "wishes", "packs"]

    def figures(key):
        r = rows[key]
        return r["value"], r["previous"], r["change"], r["pct"]

    # Children registered by each period's end, in 崂山区: the orphan since January, the left-behind child
    # since 15 March; the child registered on 1 April (Qingdao time) and the one in 市南区 do not count.
    assert figures("children") == (2, 1, 1, 100.0)
    assert figures("orphan") == (1, 1, 0, 0.0)
    assert figures("left_behind") == (1, 0, 1, None)
    assert figures("difficult") == (0, 0, 0, None)
    assert figures("services") == (2, 1, 1, 100.0)
    assert figures("person_times") == (6, 1, 5, 500.0)  # the group activity served 5 children
    assert figures("hours") == (3.5, 1.0, 2.5, 250.0)
    assert figures("volunteers") == (2, 1, 1, 100.0)
    assert figures("wishes") == (1, 1, 0, 0.0)
    assert figures("packs") == (0, 0, 0, None)
    assert str(rows["wishes"]["label"]) in ("Micro-wishes fulfilled", "已实现的微心愿")


def test_the_figures_carry_the_same_headline_and_agree_with_their_own_tables(march):
    f = services.figures(march["coord"], *MARCH)
    assert f.headline == headline.headline(march["coord"], *MARCH)
    rows = {r["key"]: r["value"] for r in f.headline}
    assert (rows["services"], rows["person_times"], rows["hours"]) == tuple(f.services_total.values())
    assert rows["volunteers"] == f.volunteers["served"] and rows["wishes"] == f.wishes["received"]
    before = services.figures(march["coord"], *headline.previous(*MARCH))
    assert {r["key"]: r["previous"] for r in f.headline}["person_times"] == before.services_total["person_times"]


def test_only_staff_get_a_headline(march):
    with pytest.raises(NotAllowed):
        headline.headline(march["volunteer"], *MARCH)
