"""Volunteers, organisations, needs and wishes through the API, with the roles' views of access.py."""
from volunteer.extensions import db
from volunteer.needs.wishes import create_wish, move_wish
from volunteer.volunteers.models import VolunteerProfile


def _place(user, district, town=None):
    p = db.session.get(VolunteerProfile, user.id)
    p.district_code, p.town_code = district, town
    db.session.commit()


def test_volunteers_by_role(api, world, make_user):
    u = world["users"]
    _place(u["volunteer"], "370212", "370212002")
    far = make_user(role="volunteer", name="市北志愿者")
    _place(far, "370203")
    coord = api(u["coordinator"], "GET", "/api/v1/volunteers").json
    assert [v["id"] for v in coord["items"]] == [u["volunteer"].id]
    assert "phone" in coord["items"][0] and "lat" not in coord["items"][0]
    assert api(u["coordinator"], "GET", f"/api/v1/volunteers/{far.id}").status_code == 404
    assert api(u["outsider"], "GET", f"/api/v1/volunteers/{far.id}").status_code == 200
    assert api(u["admin"], "GET", "/api/v1/volunteers").json["total"] == 2
    mine = api(u["volunteer"], "GET", "/api/v1/volunteers").json["items"]
    assert [v["id"] for v in mine] == [u["volunteer"].id] and "email" in mine[0]
    assert api(u["volunteer"], "GET", f"/api/v1/volunteers/{far.id}").status_code == 404
    members = api(u["org_admin"], "GET", "/api/v1/volunteers").json["items"]
    assert {v["id"] for v in members} == {u["org_admin"].id, u["org_member"].id}
    assert all(set(v) <= {"id", "name", "skills", "organisation_id"} for v in members)
    assert api(u["org_member"], "GET", "/api/v1/volunteers").json["total"] == 1


def test_organisations_and_me(api, world, make_org):
    u, org = world["users"], world["org"]
    make_org(name="另一家机构")
    assert api(u["admin"], "GET", "/api/v1/organisations").json["total"] == 2
    own = api(u["org_member"], "GET", "/api/v1/organisations").json["items"]
    assert [o["id"] for o in own] == [org.id] and "members" not in own[0]
    assert api(u["volunteer"], "GET", "/api/v1/organisations").json["total"] == 0
    assert api(u["volunteer"], "GET", f"/api/v1/organisations/{org.id}").status_code == 404
    detail = api(u["org_admin"], "GET", f"/api/v1/organisations/{org.id}").json
    assert {m["id"] for m in detail["member_list"]} == {u["org_admin"].id, u["org_member"].id}
    me = api(u["volunteer"], "GET", "/api/v1/me").json
    assert me["id"] == u["volunteer"].id and me["volunteer"]["id"] == u["volunteer"].id


def test_needs_and_wishes(api, world):
    u, ref = world["users"], world["child"].ref
    need_id = world["ids"]["need"]
    full = api(u["coordinator"], "GET", f"/api/v1/needs/{need_id}").json
    assert full["child_ref"] == ref and "details" in full
    assert api(u["outsider"], "GET", f"/api/v1/needs/{need_id}").status_code == 404
    assert api(u["outsider"], "GET", "/api/v1/needs").json["total"] == 0
    card = api(u["volunteer"], "GET", f"/api/v1/needs/{need_id}").json
    assert "details" not in card and card["status"] == "open"
    created = api(u["coordinator"], "POST", f"/api/v1/children/{ref}/needs",
                  json={"dimension": "mind", "service_type": "counselling"})
    assert created.status_code == 201 and created.json["urgency"] == "normal"
    bad = api(u["coordinator"], "POST", f"/api/v1/children/{ref}/needs", json={"dimension": "?"})
    assert bad.status_code == 422 and {"dimension", "service_type"} <= set(bad.json["error"]["fields"])
    assert api(u["outsider"], "POST", f"/api/v1/children/{ref}/needs",
               json={"dimension": "mind", "service_type": "counselling"}).status_code == 404
    moved = api(u["coordinator"], "POST", f"/api/v1/needs/{need_id}/status", json={"status": "cancelled"})
    assert moved.status_code == 200 and moved.json["status"] == "cancelled"
    assert api(u["coordinator"], "POST", f"/api/v1/needs/{need_id}/status",
               json={"status": "done"}).status_code == 422
    assert api(u["volunteer"], "POST", f"/api/v1/needs/{need_id}/status",
               json={"status": "open"}).status_code == 404
    # The cancelled need is no longer on the volunteers' board.
    assert api(u["volunteer"], "GET", f"/api/v1/needs/{need_id}").status_code == 404
    assert api(u["coordinator"], "GET", "/api/v1/needs?status=open").json["total"] == 1

    wish_ref = world["ids"]["wish"]
    assert api(u["coordinator"], "GET", f"/api/v1/wishes/{wish_ref}").json["child_ref"] == ref
    assert api(u["volunteer"], "GET", f"/api/v1/wishes/{wish_ref}").status_code == 404  # a draft
    move_wish(u["admin"], wish_ref, "published")
    card = api(u["volunteer"], "GET", f"/api/v1/wishes/{wish_ref}").json
    assert card["item"] == "书包" and "child_ref" not in card and card["age_band"]
    assert api(u["volunteer"], "GET", "/api/v1/wishes").json["total"] == 1
    new = api(u["coordinator"], "POST", f"/api/v1/children/{ref}/wishes",
              json={"item": "篮球", "category": "sports", "price_yuan": 120})
    assert new.status_code == 201 and new.json["status"] == "draft"
    assert api(u["coordinator"], "GET", "/api/v1/wishes").json["total"] == 2
    assert api(u["outsider"], "GET", "/api/v1/wishes").json["total"] == 0
    assert create_wish  # the service the API calls
