"""Allocation: nearest hub with stock, one pack per family, shortfalls, idempotent reruns, confirm and cancel."""
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.logistics import allocation, campaigns
from volunteer.logistics.models import Allocation, Campaign, Stock
from volunteer.logistics.stock import imbalances


class Form(dict):
    def getlist(self, key):
        v = self.get(key, [])
        return v if isinstance(v, list) else [v]


def _campaign(logi, *kinds):
    return campaigns.open_campaign(logi["coordinator"], Form(name="六一儿童节", kind_ids=[str(k.id) for k in kinds]))


def _qty(hub, kind):
    return db.session.scalar(select(Stock.qty).where(Stock.hub_id == hub.id, Stock.kind_id == kind.id)) or 0


def test_each_child_gets_one_pack_from_the_nearest_hub_with_stock(logi, make_child):
    shazikou, beizhai, warehouse = logi["hubs"]
    logi["stock"](shazikou, logi["bag"], 1)
    logi["stock"](beizhai, logi["bag"], 5)
    near = make_child(lat="36.1100", lon="120.5390")  # at 沙子口's hub
    also_near = make_child(lat="36.1110", lon="120.5410")
    c = _campaign(logi, logi["bag"])
    result = allocation.allocate(c.id)
    assert result == {"allocated": 2, "shortfall": 0, "items": 2, "stale": False}
    hubs = dict(db.session.execute(select(Allocation.child_id, Allocation.hub_id)).all())
    # 沙子口 has one pack: the first child gets it, the second the next nearest hub's.
    assert hubs == {near.id: shazikou.id, also_near.id: beizhai.id}
    assert _qty(shazikou, logi["bag"]) == 0 and _qty(beizhai, logi["bag"]) == 4
    assert imbalances() == []
    assert db.session.get(Campaign, c.id).status == "proposed"


def test_shortfalls_are_reported_by_kind_and_nearest_hub_and_a_rerun_fills_them(logi, make_child):
    shazikou = logi["hubs"][0]
    logi["stock"](shazikou, logi["bag"], 1)
    for _ in range(3):
        make_child(lat="36.1100", lon="120.5390")
    c = _campaign(logi, logi["bag"])
    assert allocation.allocate(c.id)["shortfall"] == 2
    s = campaigns.summary(db.session.get(Campaign, c.id))
    assert [(x["kind"].code, x["hub"].id, x["missing"]) for x in s["shortfalls"]] == [("bag", shazikou.id, 2)]
    assert allocation.allocate(c.id) == {"allocated": 0, "shortfall": 2, "items": 2, "stale": False}  # nothing twice
    logi["stock"](shazikou, logi["bag"], 5)
    assert allocation.allocate(c.id) == {"allocated": 2, "shortfall": 0, "items": 2, "stale": False}
    assert db.session.scalar(select(func.count(Allocation.id))) == 3
    assert _qty(shazikou, logi["bag"]) == 3
    assert imbalances() == []


def test_one_pack_per_family_and_only_fitting_kinds(logi, make_child):
    hub = logi["hubs"][0]
    logi["stock"](hub, logi["bag"], 10)
    logi["stock"](hub, logi["coat"], 10)
    ten = make_child(birth_date="2018-01-01")  # 8 years old, grade 三年级: bag and size 140
    small = make_child(birth_date="2022-01-01", grade="")  # 4 years old: neither
    c = _campaign(logi, logi["bag"], logi["coat"])
    allocation.allocate(c.id)
    got = db.session.execute(select(Allocation.child_id, Allocation.family)).all()
    assert sorted(got) == [(ten.id, "school_bag"), (ten.id, "winter_clothes")]
    assert small.id not in {g[0] for g in got}


def test_children_without_gift_pack_consent_get_nothing(logi, make_child):
    logi["stock"](logi["hubs"][0], logi["bag"], 10)
    make_child(consent_purpose="care_services")
    c = _campaign(logi, logi["bag"])
    assert allocation.allocate(c.id)["items"] == 0


def test_cancel_puts_every_pack_back_and_allows_a_new_allocation(logi, make_child):
    hub = logi["hubs"][0]
    logi["stock"](hub, logi["bag"], 4)
    make_child()
    make_child()
    c = _campaign(logi, logi["bag"])
    allocation.allocate(c.id)
    assert _qty(hub, logi["bag"]) == 2
    assert allocation.cancel(logi["coordinator"], c.id) == 2
    assert _qty(hub, logi["bag"]) == 4 and imbalances() == []
    assert allocation.allocate(c.id)["allocated"] == 2
    assert allocation.confirm(logi["coordinator"], c.id) == 2
    assert _qty(hub, logi["bag"]) == 2 and imbalances() == []
    assert set(db.session.scalars(select(Allocation.status))) == {"confirmed"}
