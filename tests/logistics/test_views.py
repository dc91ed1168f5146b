"""Logistics pages: the coordinator's flow over HTTP, bad input answered with messages, scopes, drivers."""
from sqlalchemy import select

from volunteer.extensions import db
from volunteer.logistics.models import Campaign, Movement, Stop
from volunteer.validation import display_phone


def _login(client, user):
    assert client.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"}).status_code == 302


def test_a_coordinator_allocates_confirms_prints_and_plans_runs(app, logi, make_child, run_worker, make_user):
    hub = logi["hubs"][0]
    logi["stock"](hub, logi["bag"], 2)
    kids = [make_child(name=f"李小{i}", village="东村") for i in range(3)]
    client = app.test_client()
    _login(client, logi["coordinator"])
    assert client.get("/logistics").status_code == 200
    resp = client.post("/logistics/campaigns", data={"name": "新学年", "kind_ids": [str(logi["bag"].id)]})
    assert resp.status_code == 302
    cid = db.session.scalar(select(Campaign.id))
    assert client.post(f"/logistics/campaigns/{cid}/allocate").status_code == 302
    page = client.get(f"/logistics/campaigns/{cid}").get_data(as_text=True)
    assert 'class="progress"' in page and 'hx-trigger="every 2s"' in page
    run_worker(["logistics"])
    page = client.get(f"/logistics/campaigns/{cid}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="shortfall-total"' in page and "every 2s" not in page
    assert client.post(f"/logistics/campaigns/{cid}/confirm").status_code == 302
    assert client.post(f"/logistics/campaigns/{cid}/packing").status_code == 302
    run_worker(["logistics"])
    pdf = client.get(f"/logistics/campaigns/{cid}/hubs/{hub.id}/packing.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    csv = client.get(f"/logistics/campaigns/{cid}/hubs/{hub.id}/packing.csv").get_data(as_text=True)
    assert "东村" in csv and not any(k.name in csv for k in kids)
    # The header is in the reader's language, never the codes the file is stored with.
    assert csv.lstrip("\ufeff").splitlines()[0] == "礼包编号,礼包种类,镇（街道）,村（社区）"
    english = client.get(f"/logistics/campaigns/{cid}/hubs/{hub.id}/packing.csv", headers={"Accept-Language": "en"})
    assert english.data.startswith(b"\xef\xbb\xbf") and english.mimetype == "text/csv"
    assert "attachment" in english.headers["Content-Disposition"]
    lines = english.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "Pack code,Pack kind,Town or street,Village or community" and len(lines) == 3  # 2 packs
    assert client.post(f"/logistics/campaigns/{cid}/runs", data={"capacity": "0"}).status_code == 422
    assert client.post(f"/logistics/campaigns/{cid}/runs", data={"capacity": "40"}).status_code == 302
    run_worker(["logistics"])
    stop = db.session.scalar(select(Stop))
    driver = make_user(role="volunteer")
    bad = client.post(f"/logistics/runs/{stop.run_id}/driver", data={"phone": "123"})
    assert bad.status_code == 422 and "form-errors" in bad.get_data(as_text=True)
    assert client.post(f"/logistics/runs/{stop.run_id}/driver",
                       data={"phone": display_phone(driver.phone)}).status_code == 302

    phone = app.test_client()
    _login(phone, driver)
    assert f"/deliveries/{stop.run_id}" in phone.get("/deliveries").get_data(as_text=True)
    page = phone.get(f"/deliveries/{stop.run_id}").get_data(as_text=True)
    assert "东村" in page and stop.receipt_code not in page and not any(k.name in page for k in kids)
    wrong = phone.post(f"/deliveries/stops/{stop.id}/confirm", data={"code": "x"}, headers={"HX-Request": "true"})
    assert wrong.status_code == 422 and "field-error" in wrong.get_data(as_text=True)
    ok = phone.post(f"/deliveries/stops/{stop.id}/confirm", data={"code": stop.receipt_code},
                    headers={"HX-Request": "true"})
    assert ok.status_code == 200 and 'data-status="delivered"' in ok.get_data(as_text=True)


def test_bad_input_gets_messages_and_no_500(app, logi):
    client = app.test_client()
    _login(client, logi["coordinator"])
    hub = logi["hubs"][0]
    for qty in ("-1", "1000000", "abc"):
        resp = client.post(f"/logistics/hubs/{hub.id}/movements",
                           data={"movement": "in", "kind_id": str(logi["bag"].id), "qty": qty, "form_key": "k"})
        assert resp.status_code == 422 and 'id="move-error"' in resp.get_data(as_text=True)
    resp = client.post(f"/logistics/hubs/{hub.id}/movements",
                       data={"movement": "adjustment", "kind_id": str(logi["bag"].id), "qty": "-5", "form_key": "k"})
    assert resp.status_code == 422
    assert db.session.scalar(select(Movement.id)) is None
    resp = client.post("/logistics/campaigns", data={"name": "", "kind_ids": []})
    assert resp.status_code == 422 and 'id="logistics-error"' in resp.get_data(as_text=True)
    client.post("/logistics/campaigns", data={"name": "空", "kind_ids": [str(logi["bag"].id)]})
    cid = db.session.scalar(select(Campaign.id))
    resp = client.post(f"/logistics/campaigns/{cid}/allocate")  # no child at all
    assert resp.status_code == 422 and 'id="campaign-error"' in resp.get_data(as_text=True)
    assert client.post(f"/logistics/campaigns/{cid}/confirm").status_code == 422
    assert client.get(f"/logistics/campaigns/{cid}/hubs/{hub.id}/packing.pdf").status_code == 404


def test_other_scopes_hubs_and_campaigns_answer_like_missing_ones(app, logi, make_user):
    client = app.test_client()
    _login(client, logi["coordinator"])
    client.post("/logistics/campaigns", data={"name": "崂山六一", "kind_ids": [str(logi["bag"].id)]})
    cid = db.session.scalar(select(Campaign.id))
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    other = app.test_client()
    _login(other, outsider)
    assert other.get(f"/logistics/campaigns/{cid}").status_code == 404
    assert other.get(f"/logistics/hubs/{logi['hubs'][0].id}").status_code == 404
    assert other.get(f"/logistics/hubs/{logi['hubs'][2].id}").status_code == 200  # its own warehouse
    assert "崂山六一" not in other.get("/logistics").get_data(as_text=True)


def test_city_staff_add_pack_kinds_and_staff_add_hubs_in_their_scope(app, logi, make_user):
    admin = make_user(role="admin")
    client = app.test_client()
    _login(client, admin)
    good = {"code": "coat150", "name": "冬衣礼包（150）", "family": "winter_clothes", "size": "150",
            "categories": ["left_behind"], "min_age": "", "max_age": ""}
    for bad in ({"code": "bad code"}, {"min_grade": "5", "max_grade": "2"}, {"size": "999"}, {"family": "x"},
                {"min_age": "-1"}, {"code": "bag"}):
        resp = client.post("/logistics/kinds", data={**good, **bad})
        assert resp.status_code == 422 and 'id="logistics-error"' in resp.get_data(as_text=True)
    assert client.post("/logistics/kinds", data=good).status_code == 302
    from volunteer.logistics.models import Hub, PackKind

    kind = db.session.scalar(select(PackKind).where(PackKind.code == "coat150"))
    assert (kind.size, kind.categories, kind.family) == ("150", "left_behind", "winter_clothes")

    district = app.test_client()
    _login(district, logi["coordinator"])
    assert district.post("/logistics/kinds", data={**good, "code": "x2"}).status_code == 403
    supervisor = make_user(role="coordinator", scope_level="town", scope_code="370212003")
    hub = {"name": "中韩礼包站", "kind": "town", "division_code": "370212003", "supervisor_phone": display_phone(supervisor.phone)}
    assert district.post("/logistics/hubs", data={**hub, "division_code": "370203001"}).status_code == 422  # not its area
    assert district.post("/logistics/hubs", data={**hub, "supervisor_phone": display_phone(logi["coordinator"].phone)}
                         ).status_code == 422  # a district coordinator is not the town's supervisor
    assert district.post("/logistics/hubs", data={**hub, "lat": "10", "lon": "10"}).status_code == 422
    assert district.post("/logistics/hubs", data=hub).status_code == 302
    made = db.session.scalar(select(Hub).where(Hub.name == "中韩礼包站"))
    assert made.supervisor_id == supervisor.id and made.lat is not None


def test_the_hub_page_shows_stock_and_the_ledger_and_records_a_transfer(app, logi):
    a, b = logi["hubs"][0], logi["hubs"][1]
    logi["stock"](a, logi["bag"], 7)
    client = app.test_client()
    _login(client, logi["coordinator"])
    page = client.get(f"/logistics/hubs/{a.id}").get_data(as_text=True)
    assert 'data-kind="bag"' in page and 'class="nowrap qty">7</td>' in page and "+7" in page
    resp = client.post(f"/logistics/hubs/{a.id}/movements", data={
        "movement": "transfer", "kind_id": str(logi["bag"].id), "qty": "3", "to_hub_id": str(b.id),
        "form_key": "abc", "note": "调往北宅"})
    assert resp.status_code == 302
    page = client.get(f"/logistics/hubs/{b.id}").get_data(as_text=True)
    assert 'class="nowrap qty">3</td>' in page and "调往北宅" in page
    resp = client.post(f"/logistics/hubs/{a.id}/movements", data={
        "movement": "transfer", "kind_id": str(logi["bag"].id), "qty": "1", "to_hub_id": str(logi["hubs"][2].id),
        "form_key": "abd"})
    assert resp.status_code == 422  # the 市北 warehouse is outside 崂山's scope
