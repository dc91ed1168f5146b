"""Logistics fixtures: hubs in 崂山区 with stock, pack kinds, staff and children (through the real services)."""
import pytest

from volunteer.extensions import db
from volunteer.logistics import services
from volunteer.database import atomic
from volunteer.logistics.stock import change

# 沙子口 and 北宅 town hubs, a city warehouse in 市北区.
HUBS = (("沙子口街道枢纽", "town", "370212002", 36.1102, 120.5400),
        ("北宅街道枢纽", "town", "370212004", 36.2500, 120.5500),
        ("市北区仓库", "warehouse", "370203", 36.0900, 120.3700))


@pytest.fixture
def logi(app, make_user):
    """A coordinator of 崂山区, three hubs, two pack kinds (bag: grade 1-9; winter coat size 140) and stock."""
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    hubs = [services.create_hub(*h) for h in HUBS]
    bag = services.create_kind("bag", "书包文具礼包", "school_bag", "书包、文具盒、笔记本", min_grade=1, max_grade=9)
    coat = services.create_kind("coat140", "冬衣礼包（140）", "winter_clothes", "羽绒服 140", size="140")
    db.session.commit()

    def stock(hub, kind, qty):
        with atomic():
            change(hub.id, kind.id, qty, "in", f"test-in:{hub.id}:{kind.id}:{qty}:{id(object())}")

    return {"coordinator": coordinator, "hubs": hubs, "bag": bag, "coat": coat, "stock": stock}
