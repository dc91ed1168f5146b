"""Pack codes say nothing about the child, and the database keeps them unique per campaign across batches."""
import itertools

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from volunteer.extensions import db
from volunteer.logistics import allocation, campaigns
from volunteer.logistics.models import Allocation
from volunteer.types import utcnow


class Form(dict):
    def getlist(self, key):
        v = self.get(key, [])
        return v if isinstance(v, list) else [v]


def _campaign(logi, name="六一儿童节"):
    return campaigns.open_campaign(logi["coordinator"], Form(name=name, kind_ids=[str(logi["bag"].id)]))


def _codes(campaign_id):
    return dict(db.session.execute(select(Allocation.child_id, Allocation.code)
                                   .where(Allocation.campaign_id == campaign_id)).all())


def test_pack_codes_carry_nothing_of_the_child(logi, make_child):
    logi["stock"](logi["hubs"][0], logi["bag"], 20)
    children = [make_child(lat="36.1100", lon="120.5390") for _ in range(6)]
    first, second = _campaign(logi), _campaign(logi, "开学季")
    allocation.allocate(first.id)
    allocation.allocate(second.id)
    a, b = _codes(first.id), _codes(second.id)
    assert set(a) == set(b) == {c.id for c in children}
    for child in children:
        for code in (a[child.id], b[child.id]):
            parts = code.split("-")
            assert parts[:2] in ([str(first.id), str(logi["bag"].id)], [str(second.id), str(logi["bag"].id)])
            assert not any(p.isdigit() and int(p) == child.id for p in parts[2:]), code
            assert len(parts[2]) == 8 and len(code) <= 24
        # The same child's packs in two campaigns have unrelated codes.
        assert a[child.id].split("-")[2] != b[child.id].split("-")[2]
    assert len(set(a.values())) == len(a)


def test_the_database_refuses_a_pack_code_twice_in_one_campaign(logi, make_child):
    logi["stock"](logi["hubs"][0], logi["bag"], 5)
    one, two = make_child(lat="36.1100", lon="120.5390"), make_child(lat="36.1100", lon="120.5390")
    c = _campaign(logi)
    allocation.allocate(c.id)
    taken = _codes(c.id)[one.id]
    db.session.execute(Allocation.__table__.delete().where(Allocation.child_id == two.id))
    row = {"campaign_id": c.id, "child_id": two.id, "kind_id": logi["bag"].id, "family": "school_bag",
           "hub_id": logi["hubs"][0].id, "code": taken, "status": "proposed", "created_at": utcnow()}
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Allocation), [row])
        db.session.flush()
    db.session.rollback()


def test_a_code_clash_with_an_earlier_batch_plans_the_batch_again_with_new_codes(app, logi, make_child, monkeypatch):
    app.config["LOGISTICS_BATCH"] = 1
    logi["stock"](logi["hubs"][0], logi["bag"], 5)
    for _ in range(3):
        make_child(lat="36.1100", lon="120.5390")
    c = _campaign(logi)
    real = allocation.pack_code
    # The second batch first draws the code the first batch used; the index refuses it and the batch retries.
    drawn = itertools.chain([f"{c.id}-{logi['bag'].id}-AAAAAAAA"] * 2, iter(lambda: None, 0))
    monkeypatch.setattr(allocation, "pack_code", lambda campaign, kind_id: next(drawn) or real(campaign, kind_id))
    assert allocation.allocate(c.id)["allocated"] == 3
    codes = list(_codes(c.id).values())
    assert len(codes) == 3 and len(set(codes)) == 3
