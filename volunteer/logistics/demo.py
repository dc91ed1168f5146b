"""Demo logistics: a city warehouse, nine town hubs, five pack kinds, stock (as ledger lines) and an open campaign."""
from sqlalchemy import exists, insert, select

from ..extensions import db
from ..geo import services as geo
from .models import Allocation, Campaign, DeliveryRun, Hub, Movement, PackKind, Stock, Stop, campaign_kind

# (code, name, family, contents, eligibility)
KINDS = (
    ("bag", "书包文具礼包", "school_bag", "书包、文具盒、铅笔、笔记本、水彩笔", {"min_grade": 1, "max_grade": 9}),
    ("coat120", "冬衣礼包（120）", "winter_clothes", "羽绒服、围巾、手套（身高 120）", {"size": "120"}),
    ("coat140", "冬衣礼包（140）", "winter_clothes", "羽绒服、围巾、手套（身高 140）", {"size": "140"}),
    ("books-primary", "小学图书礼包", "books", "课外读物 5 册、字典", {"min_grade": 1, "max_grade": 6}),
    ("books-junior", "初中图书礼包", "books", "名著 4 册、英汉词典", {"min_grade": 7, "max_grade": 9}),
)
WAREHOUSE = ("青岛市儿童关爱物资仓库", "370203", (36.0869, 120.3745), 1500)
TOWN_STOCK = 120  # per kind at each town hub: Qingdao's children need more, so the demo shows shortfalls


def add_demo(rng, staff_ids: dict, now) -> dict:
    """Add the demo hubs, kinds, stock and campaign once (nothing when hubs already exist)."""
    if db.session.scalar(select(exists(select(Hub.id)))):
        return {"hubs": 0, "kinds": 0}
    kind_ids = []
    for code, name, family, contents, rule in KINDS:
        kind = PackKind(code=code, name=name, family=family, contents=contents, created_at=now, **rule)
        db.session.add(kind)
        db.session.flush()
        kind_ids.append(kind.id)
    hubs = [Hub(name=WAREHOUSE[0], kind="warehouse", division_code=WAREHOUSE[1], lat=WAREHOUSE[2][0],
                lon=WAREHOUSE[2][1], created_at=now)]
    from ..demo.places import DISTRICT_WEIGHTS, SHAZIKOU

    for district in DISTRICT_WEIGHTS:
        if district == WAREHOUSE[1]:
            continue
        town = SHAZIKOU if district == SHAZIKOU[:6] else geo.towns(district)[0].code
        lat, lon = geo.random_point_in_district(district, rng)
        hubs.append(Hub(name=f"{geo.name_of(town)}礼包站", kind="town", division_code=town, lat=lat, lon=lon,
                        supervisor_id=staff_ids.get("coordinator_town") if town == SHAZIKOU else None,
                        created_at=now))
    db.session.add_all(hubs)
    db.session.flush()
    stock, lines = [], []
    for hub in hubs:
        qty = WAREHOUSE[3] if hub.kind == "warehouse" else TOWN_STOCK
        for kind_id in kind_ids:
            stock.append({"hub_id": hub.id, "kind_id": kind_id, "qty": qty})
            lines.append({"key": f"demo-in:{hub.id}:{kind_id}", "hub_id": hub.id, "kind_id": kind_id,
                          "movement": "in", "delta": qty, "note": "爱心单位捐赠", "at": now})
    db.session.execute(insert(Stock), stock)
    db.session.execute(insert(Movement), lines)
    campaign = Campaign(name="2027年六一儿童节礼包", scope_code="", created_by_id=staff_ids.get("coordinator_city"),
                        created_at=now, kinds=db.session.scalars(select(PackKind).where(PackKind.id.in_(kind_ids))).all())
    db.session.add(campaign)
    db.session.flush()
    return {"hubs": len(hubs), "kinds": len(kind_ids)}


def delete_all() -> None:
    """Delete every gift-pack row (demo --reset deletes all children, and allocations point at them)."""
    for table in (Allocation.__table__, Stop.__table__, DeliveryRun.__table__, Movement.__table__, Stock.__table__,
                  campaign_kind, Campaign.__table__, Hub.__table__, PackKind.__table__):
        db.session.execute(table.delete())
