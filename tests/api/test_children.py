"""Children through the API: full records only in scope (audited), privacy cards for everyone else."""
import json

import pytest
from sqlalchemy import select

from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.needs.services import create_need

CANARY = {"name": "甲乙丙丁", "address": "戊己庚辛路777号", "village": "壬癸村委会", "school": "子丑寅卯学校",
          "guardian_name": "辰巳午未", "guardian_phone": "13911112222", "category": "orphan",
          "notes": "申酉戌亥备注", "guardian_relation": "祖母"}
SECRET_KEYS = {"name", "address", "guardian_name", "guardian_phone", "guardian_relation", "school", "village",
               "category", "notes", "disabled", "birth_date", "lat", "lon", "consent"}
NEED = {"dimension": "intellect", "service_type": "tutoring", "urgency": "high", "rhythm": "weekly",
        "skills": ["tutoring"], "details": "申酉戌亥细节"}


def _audits():
    return db.session.scalars(select(AuditEntry).where(AuditEntry.collection == "child")
                              .order_by(AuditEntry.id)).all()


def _keys(obj):
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in _keys(v)}
    if isinstance(obj, list):
        return {k for v in obj for k in _keys(v)}
    return set()


def test_staff_get_full_records_in_scope_and_every_view_is_audited(api, world):
    ref = world["child"].ref
    before = len(_audits())
    resp = api(world["users"]["coordinator"], "GET", f"/api/v1/children/{ref}")
    assert resp.status_code == 200
    assert resp.json["name"] == "张小雨" and resp.json["guardian_phone"] == "+8613812345678"
    assert resp.json["birth_date"] == "2016-05-01" and resp.json["consent"]["given_on"] == "2026-11-01"
    rows = _audits()[before:]
    assert [(r.action, r.via, r.user_id) for r in rows] == [("view", "api", world["users"]["coordinator"].id)]


def test_another_scope_gives_the_same_404_as_a_missing_child_and_each_denial_is_audited(api, world):
    outsider = world["users"]["outsider"]
    before = len(_audits())
    theirs = api(outsider, "GET", f"/api/v1/children/{world['child'].ref}")
    missing = api(outsider, "GET", "/api/v1/children/0123456789")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.get_data() == missing.get_data()
    assert theirs.json["error"]["code"] == "not_found"
    rows = _audits()[before:]
    assert [(r.action, r.via) for r in rows] == [("deny", "api"), ("deny", "api")]
    assert rows[0].object_id == world["child"].id and rows[1].object_id is None
    # Nor can the outsider change or erase it, with the same answer.
    assert api(outsider, "PATCH", f"/api/v1/children/{world['child'].ref}", json={"grade": "四年级"}) \
        .get_data() == missing.get_data()
    assert api(outsider, "DELETE", f"/api/v1/children/{world['child'].ref}").status_code == 404


def test_staff_lists_only_children_in_scope(api, world, make_child):
    make_child(by=world["users"]["admin"], name="市北的孩子", district_code="370203", town_code="370203005",
               lat="", lon="")
    coord = api(world["users"]["coordinator"], "GET", "/api/v1/children").json
    assert [c["name"] for c in coord["items"]] == ["张小雨"] and coord["total"] == 1
    outsider = api(world["users"]["outsider"], "GET", "/api/v1/children").json
    assert [c["name"] for c in outsider["items"]] == ["市北的孩子"]
    admin = api(world["users"]["admin"], "GET", "/api/v1/children").json
    assert admin["total"] == 2


@pytest.mark.parametrize("role", ["volunteer", "org_member", "org_admin"])
def test_volunteers_and_organisations_get_only_privacy_cards(api, world, make_child, role):
    child = make_child(by=world["users"]["admin"], **CANARY)
    create_need(world["users"]["admin"], child.ref, NEED)
    who = world["users"][role]
    listing = api(who, "GET", "/api/v1/children")
    one = api(who, "GET", f"/api/v1/children/{child.ref}")
    needs = api(who, "GET", "/api/v1/needs")
    assert listing.status_code == one.status_code == needs.status_code == 200
    assert child.ref in [c["ref"] for c in listing.json["items"]]
    assert one.json["ref"] == child.ref and one.json["needs"][0]["service_type"] == "tutoring"
    for resp in (listing, one, needs):
        text = resp.get_data(as_text=True)
        decoded = json.dumps(resp.json, ensure_ascii=False)
        assert not (_keys(resp.json) & SECRET_KEYS), _keys(resp.json) & SECRET_KEYS
        for value in list(CANARY.values()) + ["13911112222", "+8613911112222", "申酉戌亥细节"]:
            assert value not in decoded and value not in text, value
    # Cards are not audited as full views; no full view happened.
    assert not [r for r in _audits() if r.action == "view"]


@pytest.mark.parametrize("role", ["volunteer", "org_member", "org_admin"])
def test_card_viewers_cannot_change_children(api, world, role):
    who, ref = world["users"][role], world["child"].ref
    assert api(who, "POST", "/api/v1/children", json={"name": "x"}).status_code == 403
    assert api(who, "PATCH", f"/api/v1/children/{ref}", json={"grade": "x"}).status_code == 403
    assert api(who, "DELETE", f"/api/v1/children/{ref}").status_code == 403
    assert api(who, "POST", f"/api/v1/children/{ref}/needs", json=NEED).status_code == 403


def test_post_child_with_bad_fields_gives_422_with_fields(api, world):
    resp = api(world["users"]["coordinator"], "POST", "/api/v1/children",
               json={"name": "李<script>", "gender": "x", "birth_date": "明天", "guardian_phone": "123"})
    assert resp.status_code == 422
    err = resp.json["error"]
    assert err["code"] == "invalid"
    assert {"name", "gender", "birth_date", "guardian_phone", "category", "guardian_name"} <= set(err["fields"])
    assert all(isinstance(v, str) and v for v in err["fields"].values())
    not_json = api(world["users"]["coordinator"], "POST", "/api/v1/children", headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 400 and not_json.json["error"]["code"] == "bad_request"


def test_post_patch_delete_child(api, world):
    from tests.conftest import CHILD

    coord = world["users"]["coordinator"]
    created = api(coord, "POST", "/api/v1/children", json={**CHILD, "name": "新来的孩子", "disabled": True})
    assert created.status_code == 201, created.json
    ref = created.json["ref"]
    assert created.json["disabled"] is True and created.json["town_name"]
    # Outside the coordinator's district: refused as a field error.
    outside = api(coord, "POST", "/api/v1/children", json={**CHILD, "district_code": "370203",
                                                           "town_code": "370203005", "lat": "", "lon": ""})
    assert outside.status_code == 422 and "district_code" in outside.json["error"]["fields"]
    patched = api(coord, "PATCH", f"/api/v1/children/{ref}", json={"grade": "四年级"})
    assert patched.status_code == 200 and patched.json["grade"] == "四年级"
    assert api(coord, "PATCH", f"/api/v1/children/{ref}", json={"gender": "?"}).status_code == 422
    assert api(coord, "DELETE", f"/api/v1/children/{ref}").status_code == 204
    assert api(coord, "GET", f"/api/v1/children/{ref}").status_code == 404


def test_pagination_and_filters(api, world, make_child):
    admin = world["users"]["admin"]
    for i in range(4):
        make_child(by=admin, name=f"分页{i}", category="left_behind", disabled=(i == 0))
    first = api(admin, "GET", "/api/v1/children?per_page=2").json
    second = api(admin, "GET", "/api/v1/children?per_page=2&page=2").json
    third = api(admin, "GET", "/api/v1/children?per_page=2&page=3").json
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 5)
    assert len(first["items"]) == 2 and len(second["items"]) == 2 and len(third["items"]) == 1
    names = {c["name"] for c in first["items"] + second["items"] + third["items"]}
    assert len(names) == 5
    assert api(admin, "GET", "/api/v1/children?category=left_behind").json["total"] == 4
    assert api(admin, "GET", "/api/v1/children?category=left_behind&disabled=1").json["total"] == 1
    assert [c["name"] for c in api(admin, "GET", "/api/v1/children?q=分页3").json["items"]] == ["分页3"]
    assert api(admin, "GET", "/api/v1/children?district=370203").json["total"] == 0
    assert api(admin, "GET", "/api/v1/children?per_page=1000").json["per_page"] == 100
    bad = api(admin, "GET", "/api/v1/children?page=abc")
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid" and "page" in bad.json["error"]["fields"]


@pytest.mark.parametrize("field", ["name", "gender", "category", "district_code", "birth_date", "guardian_phone"])
@pytest.mark.parametrize("empty", [None, "", "  "])
def test_emptying_a_required_field_is_a_field_error_not_a_server_error(api, world, field, empty):
    # Found by scripts/api_fuzz.py: PATCH {"name": null} answered 500 (NOT NULL constraint).
    child = world["child"]
    resp = api(world["users"]["coordinator"], "PATCH", f"/api/v1/children/{child.ref}", json={field: empty})
    assert resp.status_code == 422 and field in resp.json["error"]["fields"], resp.json
    db.session.expire_all()
    assert getattr(child, field) is not None
