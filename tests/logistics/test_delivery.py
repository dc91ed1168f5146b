"""Packing lists (CSV and PDF with the CJK font embedded, no child names) and delivery runs with receipt codes."""
import os

import pytest
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.logistics import allocation, packing, runs
from volunteer.logistics.models import Allocation, Campaign, DeliveryRun, Stock, Stop
from volunteer.logistics.stock import LogisticsError, imbalances

from .test_allocation import _campaign

VILLAGES = ("东村", "西村", "南村", "北村")


@pytest.fixture
def confirmed(logi, make_child):
    """A confirmed campaign: 8 children in four villages of 沙子口, all served by its hub."""
    hub = logi["hubs"][0]
    logi["stock"](hub, logi["bag"], 20)
    kids = [make_child(name=f"王小{i}", village=VILLAGES[i % 4], lat=f"{36.105 + (i % 4) * 0.01:.4f}",
                       lon=f"{120.50 + (i % 4) * 0.01:.4f}") for i in range(8)]
    c = _campaign(logi, logi["bag"])
    allocation.allocate(c.id)
    allocation.confirm(logi["coordinator"], c.id)
    return {**logi, "campaign": c, "hub": hub, "kids": kids}


def test_packing_lists_carry_codes_and_villages_never_names_and_embed_the_font(app, confirmed):
    c, hub = confirmed["campaign"], confirmed["hub"]
    result = packing.write_all(c.id)
    assert result == {"hubs": 1, "pdf": 1, "error": ""}
    text = packing.file_for(db.session.get(Campaign, c.id), hub.id, "csv").read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "pack_code,pack_kind,town,village" and len(lines) == 9
    assert "东村" in text and "沙子口街道" in text
    assert not any(k.name in text for k in confirmed["kids"])
    pdf = packing.file_for(db.session.get(Campaign, c.id), hub.id, "pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf  # the TrueType font program is inside


def test_the_vendored_noto_font_is_used_without_any_system_font(app):
    # Vendored from npm by scripts/vendor.sh: the PDF needs no apt package.
    path = packing.font_path()
    assert path.endswith("NotoSansSC-Regular.ttf") and path.startswith(os.path.dirname(packing.__file__))


def test_without_a_cjk_font_the_pdf_is_refused_with_a_message_and_the_csv_still_made(app, confirmed):
    app.config["LOGISTICS_FONT"] = "/nonexistent/font.ttc"
    c, hub = confirmed["campaign"], confirmed["hub"]
    result = packing.write_all(c.id)
    assert result["pdf"] == 0 and "fonts-wqy-zenhei" in result["error"]
    assert packing.file_for(db.session.get(Campaign, c.id), hub.id, "csv") is not None
    assert packing.file_for(db.session.get(Campaign, c.id), hub.id, "pdf") is None


def test_runs_respect_capacity_and_a_rerun_plans_nothing_twice(confirmed):
    c = confirmed["campaign"]
    made = runs.plan(c.id, 3)
    assert made >= 3
    assert runs.plan(c.id, 3) == 0
    for r in runs.runs_of(c.id):
        assert sum(s.packs for s in r.stops) <= 3
        assert [s.seq for s in r.stops] == list(range(1, len(r.stops) + 1))
    assert db.session.scalar(select(func.count(Allocation.id)).where(Allocation.stop_id.is_(None))) == 0


def test_a_drop_needs_the_right_receipt_code_and_the_rest_goes_back_to_stock(confirmed, make_user):
    c, hub, kind = confirmed["campaign"], confirmed["hub"], confirmed["bag"]
    runs.plan(c.id, 100)
    run = runs.runs_of(c.id)[0]
    driver = make_user(role="volunteer")
    runs.assign_driver(confirmed["coordinator"], run.id, driver.phone)
    first, *rest = run.stops
    with pytest.raises(LogisticsError):
        runs.confirm_drop(driver, first.id, "000000" if first.receipt_code != "000000" else "111111")
    assert db.session.get(Stop, first.id).status == "pending"
    runs.confirm_drop(driver, first.id, first.receipt_code)
    runs.confirm_drop(driver, first.id, first.receipt_code)  # again: no harm
    assert db.session.scalar(select(func.count(Allocation.id)).where(Allocation.status == "delivered")) == first.packs
    before = db.session.scalar(select(Stock.qty).where(Stock.hub_id == hub.id, Stock.kind_id == kind.id))
    back = runs.finish(driver, run.id)
    assert back == 8 - first.packs
    after = db.session.scalar(select(Stock.qty).where(Stock.hub_id == hub.id, Stock.kind_id == kind.id))
    assert after == before + back
    assert runs.finish(driver, run.id) == 0  # nothing returned twice
    assert imbalances() == []
    assert db.session.get(DeliveryRun, run.id).status == "finished"
    with pytest.raises(LogisticsError):
        runs.confirm_drop(driver, rest[0].id, rest[0].receipt_code)


def test_someone_elses_run_is_not_found(confirmed, make_user):
    runs.plan(confirmed["campaign"].id, 100)
    run = runs.runs_of(confirmed["campaign"].id)[0]
    stranger = make_user(role="volunteer")
    with pytest.raises(runs.RunNotFound):
        runs.get_run(stranger, run.id)
    with pytest.raises(runs.RunNotFound):
        runs.confirm_drop(stranger, run.stops[0].id, run.stops[0].receipt_code)


@pytest.mark.parametrize("capacity", ["0", "-5", "x", "999999"])
def test_bad_capacities_are_refused(capacity):
    with pytest.raises(LogisticsError):
        runs.parse_capacity(capacity)


def test_the_drivers_pages_show_the_route_length_in_kilometres_without_needless_decimals(app, confirmed, make_user):
    from volunteer.validation import display_phone

    runs.plan(confirmed["campaign"].id, 100)
    run = runs.runs_of(confirmed["campaign"].id)[0]
    driver = make_user(role="volunteer")
    runs.assign_driver(confirmed["coordinator"], run.id, driver.phone)
    run.km = 12.0
    db.session.commit()
    phone = app.test_client()
    assert phone.post("/login", data={"phone": display_phone(driver.phone), "password": "Huhang-2026"}).status_code == 302
    zh = {"Accept-Language": "zh-CN"}
    assert "12 公里" in phone.get("/deliveries", headers=zh).get_data(as_text=True)
    page = phone.get(f"/deliveries/{run.id}", headers=zh).get_data(as_text=True)
    assert "12 公里" in page and "12.0" not in page
    assert "12 km" in phone.get(f"/deliveries/{run.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
