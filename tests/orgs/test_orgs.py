"""Organisations: registering (staff), members by phone, who sees which members, and the pages."""
import pytest
from sqlalchemy import func, select

from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.orgs import invitations, services
from volunteer.orgs.models import OrgInvitation, Organisation
from volunteer.orgs.services import NotAllowed, OrgNotFound
from volunteer.volunteers.models import VolunteerProfile, VolunteerSkill

EN = {"Accept-Language": "en"}


@pytest.fixture
def people(make_user, make_org):
    org, other = make_org(name="至成社工"), make_org(name="红骑公益", kind="club")
    vol = make_user(role="volunteer", phone="+8613800138001", name="王志愿")
    db.session.add(VolunteerSkill(user_id=vol.id, skill="tutoring"))
    db.session.commit()
    return {"org": org, "other": other, "volunteer": vol,
            "coordinator": make_user(role="coordinator", scope_level="district", scope_code="370203"),
            "admin": make_user(role="admin"),
            "org_admin": make_user(role="org_admin", organisation_id=org.id, name="李管理"),
            "org_member": make_user(role="org_member", organisation_id=org.id, name="赵成员",
                                    phone="+8613800138002"),
            "rival_admin": make_user(role="org_admin", organisation_id=other.id)}


def test_staff_register_an_organisation_and_an_event_is_emitted(people):
    from volunteer.events.models import OutboxEvent

    org = services.create_org(people["coordinator"], {"name": " 链科  社工 ", "kind": "agency",
                                                      "district_code": "370212"})
    assert (org.name, org.kind, org.district_code) == ("链科 社工", "agency", "370212")
    ev = db.session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "organisation.created")).one()
    assert ev.subject == f"organisation:{org.id}"


@pytest.mark.parametrize("data, field, message", [
    ({"name": "至成社工"}, "name", "already exists"),
    ({"name": ""}, "name", "Enter the organisation"),
    ({"name": "社" * 81}, "name", "at most 80"),
    ({"name": "爱心🌟单位"}, "name", "no emoji"),
    ({"kind": "bank"}, "kind", "Choose a kind"),
    ({"district_code": "999999"}, "district_code", "Unknown district"),
    ({"district_code": "370212002"}, "district_code", "Unknown district"),  # a town, not a district
])
def test_bad_organisation_input_is_refused_per_field(people, data, field, message):
    before = db.session.scalar(select(func.count(Organisation.id)))
    with pytest.raises(InvalidInput) as exc:
        services.create_org(people["admin"], {"name": "新单位", "kind": "caring_unit", **data})
    assert message in str(exc.value.errors[field])
    assert db.session.scalar(select(func.count(Organisation.id))) == before


@pytest.mark.parametrize("role", ["volunteer", "org_member", "org_admin"])
def test_only_staff_register_organisations(people, role):
    with pytest.raises(NotAllowed):
        services.create_org(people[role], {"name": "新单位", "kind": "agency"})


def _join(actor, org, user, role="org_member"):
    """Invite user's number and let them accept (joining needs the invitee's yes)."""
    inv = invitations.invite(actor, org.id, user.phone, role)
    invitations.answer(user, inv.id, accept=True)


def test_an_org_admin_adds_a_volunteer_who_keeps_their_profile_and_leaves_as_a_volunteer(people):
    vol = people["volunteer"]
    _join(people["org_admin"], people["org"], vol)
    db.session.refresh(vol)
    assert vol.role == "org_member" and vol.organisation_id == people["org"].id
    assert db.session.get(VolunteerProfile, vol.id) is not None
    services.remove_member(people["org_admin"], people["org"].id, vol.id)
    db.session.refresh(vol)
    assert vol.role == "volunteer" and vol.organisation_id is None
    assert [s.skill for s in db.session.get(VolunteerProfile, vol.id).skills] == ["tutoring"]


def test_staff_may_make_someone_an_admin_of_any_organisation(people):
    _join(people["coordinator"], people["other"], people["volunteer"], "org_admin")
    db.session.refresh(people["volunteer"])
    assert people["volunteer"].role == "org_admin" and people["volunteer"].organisation_id == people["other"].id


@pytest.mark.parametrize("phone, role, field, message", [
    ("12345", "org_member", "phone", "mainland"),
    ("13800138001", "boss", "role", "member or admin"),
])
def test_bad_member_input_is_refused(people, phone, role, field, message):
    with pytest.raises(InvalidInput) as exc:
        invitations.invite(people["org_admin"], people["org"].id, phone, role)
    assert message in str(exc.value.errors[field])
    db.session.refresh(people["volunteer"])
    assert people["volunteer"].organisation_id is None


def test_staff_and_members_of_other_organisations_cannot_join(people):
    inv = invitations.invite(people["admin"], people["org"].id, people["rival_admin"].phone, "org_member")
    with pytest.raises(InvalidInput) as exc:
        invitations.answer(people["rival_admin"], inv.id, accept=True)
    assert "another organisation" in str(exc.value.errors["invitation"])
    assert invitations.mine(people["coordinator"]) == []


def test_an_org_admin_manages_only_their_own_organisation(people):
    with pytest.raises(OrgNotFound):
        invitations.invite(people["rival_admin"], people["org"].id, "13800138001", "org_member")
    with pytest.raises(OrgNotFound):
        services.remove_member(people["rival_admin"], people["org"].id, people["org_member"].id)
    with pytest.raises(NotAllowed):
        invitations.invite(people["org_member"], people["org"].id, "13800138001", "org_member")
    with pytest.raises(OrgNotFound):
        invitations.invite(people["volunteer"], people["org"].id, "13800138001", "org_member")
    with pytest.raises(OrgNotFound):  # not a member of this organisation
        services.remove_member(people["org_admin"], people["org"].id, people["volunteer"].id)
    db.session.refresh(people["org_member"])
    assert people["org_member"].organisation_id == people["org"].id


def test_the_last_admin_cannot_leave_the_organisation_without_an_admin(people):
    me = people["org_admin"]
    with pytest.raises(InvalidInput):
        services.remove_member(me, people["org"].id, me.id)
    with pytest.raises(InvalidInput):
        services.set_role(me, people["org"].id, me.id, "org_member")
    services.set_role(me, people["org"].id, people["org_member"].id, "org_admin")
    services.remove_member(me, people["org"].id, me.id)
    db.session.refresh(me)
    assert me.role == "volunteer" and me.organisation_id is None


def test_who_sees_which_members(people, make_user):
    _join(people["org_admin"], people["org"], people["volunteer"])
    org_id = people["org"].id
    full = services.members(people["admin"], org_id)
    assert {m["name"] for m in full} == {"李管理", "赵成员", "王志愿"} and all("phone" in m for m in full)
    seen_by_admin = services.members(people["org_admin"], org_id)
    assert {m["name"] for m in seen_by_admin} == {"李管理", "赵成员", "王志愿"}
    assert all(set(m) <= {"id", "name", "skills", "organisation_id", "org_role"} for m in seen_by_admin)
    assert next(m for m in seen_by_admin if m["name"] == "王志愿")["skills"] == ["tutoring"]
    seen_by_member = services.members(people["org_member"], org_id)
    assert [m["name"] for m in seen_by_member] == ["赵成员"]
    with pytest.raises(OrgNotFound):
        services.members(people["rival_admin"], org_id)
    with pytest.raises(OrgNotFound):
        services.members(make_user(role="volunteer"), org_id)


def test_list_orgs_staff_see_all_org_users_their_own(people):
    assert {o["name"] for o in services.list_orgs(people["coordinator"])} == {"至成社工", "红骑公益"}
    assert [o["name"] for o in services.list_orgs(people["org_member"])] == ["至成社工"]
    assert "members" not in services.list_orgs(people["org_member"])[0]
    assert services.list_orgs(people["volunteer"]) == []


# --- pages ------------------------------------------------------------------------------------------

def test_the_org_list_page_shows_staff_all_and_org_users_their_own(client, login, people):
    login(people["org_admin"])
    html = client.get("/orgs", headers=EN).get_data(as_text=True)
    assert "至成社工" in html and "红骑公益" not in html
    assert client.get(f"/orgs/{people['other'].id}").status_code == 404
    assert client.get("/orgs/999999").status_code == 404


def test_registering_an_organisation_through_the_form(client, login, people):
    login(people["coordinator"])
    assert client.get("/orgs/new", headers=EN).status_code == 200
    bad = client.post("/orgs/new", data={"name": "至成社工", "kind": "agency"}, headers=EN)
    assert bad.status_code == 422 and "already exists" in bad.get_data(as_text=True)
    assert 'value="至成社工"' in bad.get_data(as_text=True)
    ok = client.post("/orgs/new", data={"name": "链科社工", "kind": "agency", "district_code": "370212"},
                     headers=EN)
    org = db.session.scalar(select(Organisation).where(Organisation.name == "链科社工"))
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/orgs/{org.id}")


def test_an_org_admin_adds_and_removes_members_on_the_page_and_sees_no_phone_numbers(client, login, people):
    login(people["org_admin"])
    bad = client.post(f"/orgs/{people['org'].id}/invitations", data={"phone": "1391111222", "role": "org_member"},
                      headers=EN)
    assert bad.status_code == 422 and 'value="1391111222"' in bad.get_data(as_text=True)
    ok = client.post(f"/orgs/{people['org'].id}/invitations",
                     data={"phone": "138 0013 8001", "role": "org_member"}, headers=EN)
    assert ok.status_code == 302
    invitations.answer(people["volunteer"], db.session.scalar(select(func.max(OrgInvitation.id))), accept=True)
    page = client.get(f"/orgs/{people['org'].id}", headers=EN).get_data(as_text=True)
    assert "王志愿" in page and "赵成员" in page and "Tutoring" in page
    assert "13800138001" not in page and "138 0013 8002" not in page
    assert "138 0013 8001" not in page.split('id="add-member"')[0]  # only the number they typed, as sent
    vol = people["volunteer"]
    gone = client.post(f"/orgs/{people['org'].id}/members/{vol.id}/remove", headers=EN)
    assert gone.status_code == 302
    db.session.refresh(vol)
    assert vol.organisation_id is None and vol.role == "volunteer"


def test_staff_see_member_phone_numbers_and_members_get_no_forms(client, login, people, app):
    login(people["admin"])
    page = client.get(f"/orgs/{people['org'].id}", headers=EN).get_data(as_text=True)
    assert "138 0013 8002" in page and "Invite a member" in page
    other = app.test_client()
    other.post("/login", data={"phone": "138 0013 8002", "password": "Huhang-2026"})
    member_page = other.get(f"/orgs/{people['org'].id}", headers=EN).get_data(as_text=True)
    assert "Invite a member" not in member_page and "李管理" not in member_page and "赵成员" in member_page
    assert other.post(f"/orgs/{people['org'].id}/invitations",
                      data={"phone": "13800138001", "role": "org_member"}).status_code == 403


def test_removing_a_member_is_a_quiet_button_behind_a_dialog_that_names_them(client, login, people):
    login(people["org_admin"])
    page = client.get(f"/orgs/{people['org'].id}", headers=EN).get_data(as_text=True)
    member = people["org_member"]
    item = page[page.index(f'id="member-{member.id}"'):]
    item = item[:item.index("</li>")]
    form = item[item.index(f'id="remove-member-{member.id}"'):]
    form = form[:form.index(">")]
    assert "data-confirm-title=" in form and "data-confirm-ok=" in form
    confirm = form[form.index('data-confirm="'):]
    assert member.name in confirm[:confirm.index('" ')]
    assert "btn-danger-quiet" in item and 'class="btn btn-danger"' not in item
