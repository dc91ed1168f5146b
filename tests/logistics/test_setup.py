"""Changing hubs and pack kinds: names, points, rules, and retiring them (only when nothing depends on it)."""
from flask_babel import force_locale
from sqlalchemy import select

from volunteer.extensions import db
from volunteer.logistics import allocation, campaigns
from volunteer.logistics.models import Hub, PackKind
from volunteer.validation import display_phone


def _login(client, user):
    assert client.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"}).status_code == 302


def _hub_form(hub, **changes):
    return {"name": hub.name, "lat": str(hub.lat), "lon": str(hub.lon), "active": "1" if hub.active else "",
            **changes}


def test_a_hub_is_renamed_moved_and_given_its_supervisor(app, logi, make_user):
    hub, other = logi["hubs"][0], logi["hubs"][1]
    client = app.test_client()
    _login(client, logi["coordinator"])
    page = client.get(f"/logistics/hubs/{hub.id}").get_data(as_text=True)
    assert 'id="hub-edit-form"' in page and f'value="{hub.name}"' in page
    supervisor = make_user(role="coordinator", scope_level="town", scope_code=hub.division_code)
    for bad, field_text in (({"name": other.name}, "A hub with this name exists."),
                            ({"name": ""}, "Give the hub a name"),
                            ({"lat": "10", "lon": "10"}, "Enter a point in Qingdao"),
                            ({"supervisor_phone": display_phone(logi["coordinator"].phone)}, "coordinator of this town")):
        resp = client.post(f"/logistics/hubs/{hub.id}/edit", data=_hub_form(hub, **bad),
                           headers={"Accept-Language": "en"})
        assert resp.status_code == 422 and 'id="edit-error"' in resp.get_data(as_text=True), bad
    db.session.expire_all()
    assert db.session.get(Hub, hub.id).name == "沙子口街道枢纽"  # nothing saved
    resp = client.post(f"/logistics/hubs/{hub.id}/edit", data=_hub_form(
        hub, name="沙子口礼包站", lat="36.1111", lon="120.5411", supervisor_phone=display_phone(supervisor.phone)))
    assert resp.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Hub, hub.id)
    assert (changed.name, changed.lat, changed.supervisor_id, changed.active) == ("沙子口礼包站", 36.1111, supervisor.id, True)
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    other_client = app.test_client()
    _login(other_client, outsider)
    assert other_client.post(f"/logistics/hubs/{hub.id}/edit", data=_hub_form(hub, name="x")).status_code == 404


def test_a_hub_with_stock_is_not_retired_and_a_retired_hub_is_no_source(app, logi):
    hub = logi["hubs"][0]
    logi["stock"](hub, logi["bag"], 2)
    client = app.test_client()
    _login(client, logi["coordinator"])
    resp = client.post(f"/logistics/hubs/{hub.id}/edit", data=_hub_form(hub, active=""),
                       headers={"Accept-Language": "en"})
    assert resp.status_code == 422 and "Transfer the hub&#39;s 2 packs" in resp.get_data(as_text=True)
    assert db.session.get(Hub, hub.id).active is True
    assert client.post(f"/logistics/hubs/{hub.id}/movements", data={
        "movement": "transfer", "kind_id": str(logi["bag"].id), "qty": "2", "to_hub_id": str(logi["hubs"][1].id),
        "form_key": "empty-it"}).status_code == 302
    assert client.post(f"/logistics/hubs/{hub.id}/edit", data=_hub_form(hub, active="")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Hub, hub.id).active is False
    page = client.get(f"/logistics/hubs/{hub.id}").get_data(as_text=True)
    assert 'id="move-form"' not in page  # nothing is recorded at a retired hub
    resp = client.post(f"/logistics/hubs/{logi['hubs'][1].id}/movements", data={
        "movement": "transfer", "kind_id": str(logi["bag"].id), "qty": "1", "to_hub_id": str(hub.id),
        "form_key": "to-retired"})
    assert resp.status_code == 422  # nor sent to it
    campaign = campaigns.open_campaign(logi["coordinator"], _multi(name="冬季", kind_ids=[str(logi["bag"].id)]))
    assert hub.id not in [h.id for h in allocation.hubs_for(campaign)]
    assert client.post(f"/logistics/hubs/{hub.id}/edit", data=_hub_form(hub, active="1")).status_code == 302
    assert hub.id in [h.id for h in allocation.hubs_for(campaign)]  # back in use


def _multi(**values):
    from werkzeug.datastructures import MultiDict

    return MultiDict([(k, x) for k, v in values.items() for x in (v if isinstance(v, list) else [v])])


def test_city_staff_change_a_pack_kinds_rules_and_retire_it_from_new_campaigns(app, logi, make_user):
    admin = make_user(role="admin")
    bag = logi["bag"]
    client = app.test_client()
    _login(client, admin)
    page = client.get(f"/logistics/kinds/{bag.id}").get_data(as_text=True)
    assert 'id="kind-edit-form"' in page and 'value="书包文具礼包"' in page and 'name="min_grade" min="1" max="12" value="1"' in page
    form = {"name": "书包礼包", "contents": "书包、文具盒", "min_grade": "1", "max_grade": "6",
            "categories": ["orphan", "difficult"], "active": "1"}
    resp = client.post(f"/logistics/kinds/{bag.id}", data={**form, "max_grade": "0"}, headers={"Accept-Language": "en"})
    assert resp.status_code == 422 and 'id="kind-error"' in resp.get_data(as_text=True)
    assert 'value="书包礼包"' in resp.get_data(as_text=True)  # what was typed comes back
    assert client.post(f"/logistics/kinds/{bag.id}", data=form).status_code == 302
    db.session.expire_all()
    kind = db.session.get(PackKind, bag.id)
    assert (kind.name, kind.max_grade, kind.categories, kind.code, kind.family) == (
        "书包礼包", 6, "orphan,difficult", "bag", "school_bag")
    assert client.post(f"/logistics/kinds/{bag.id}", data={**form, "active": ""}).status_code == 302
    index = client.get("/logistics").get_data(as_text=True)
    assert f'name="kind_ids" value="{bag.id}"' not in index  # not offered to a new campaign
    from volunteer.logistics.stock import LogisticsError

    db.session.expire_all()  # the requests changed the row under this session's copy
    try:
        with force_locale("en"):
            campaigns.open_campaign(admin, _multi(name="新学年", kind_ids=[str(bag.id)]))
    except LogisticsError as exc:
        assert "retired" in str(exc.message)
    else:
        raise AssertionError("a retired kind was accepted")
    district = app.test_client()
    _login(district, logi["coordinator"])
    assert district.get(f"/logistics/kinds/{bag.id}").status_code == 200  # may read it
    assert district.post(f"/logistics/kinds/{bag.id}", data=form).status_code == 403
    assert db.session.scalar(select(PackKind.active).where(PackKind.id == bag.id)) is False
