"""Organising: the activity form (new and edit; every bad value told by its field, nothing lost, never a
500), the state actions, the sign-up lists on the activity page, the children taking part."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.activities.conftest import activity_data
from tests.activities.test_pages import HX, client_of
from volunteer.activities import services, taking_part
from volunteer.activities.models import Activity, ActivitySignup
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.notifications.models import Notification

LOCAL = ZoneInfo("Asia/Shanghai")


def _form(**over) -> dict:
    """A valid form a week away, in Qingdao time, as the browser posts it."""
    day = (datetime.now(LOCAL) + timedelta(days=7)).date().isoformat()
    form = {"title": "周末陪伴小组", "service_type": "group_service", "starts_at": f"{day}T09:30",
            "ends_at": f"{day}T11:30", "signup_deadline": "", "venue": "沙子口街道社区服务中心",
            "district": "370212", "town": "370212002", "lat": "36.1031", "lon": "120.4702", "places": "8",
            "skills": ["event_help", "photography"], "min_age": "16", "children_expected": "12"}
    form.update(over)
    return form


def _only(model=Activity):
    db.session.expire_all()
    return db.session.scalars(select(model)).all()


def test_a_coordinator_creates_a_draft_in_qingdao_time_and_lands_on_its_page(app, people):
    c = client_of(app, people["coordinator"])
    page = c.get("/activities/new").get_data(as_text=True)
    assert 'selected value="370212"' in page and 'data-map-pin' in page  # their one district, chosen
    resp = c.post("/activities/new", data=_form())
    [a] = _only()
    assert resp.status_code == 302 and resp.headers["Location"] == f"/activities/{a.id}"
    assert a.status == "draft" and a.starts_at.astimezone(LOCAL).strftime("%H:%M") == "09:30"
    assert a.signup_deadline == a.starts_at  # empty: sign-up until the start
    assert (a.district_code, a.town_code, a.places, a.min_age) == ("370212", "370212002", 8, 16)
    assert a.skill_codes == ["event_help", "photography"] and a.children_expected == 12


def test_without_a_pin_the_venue_is_the_districts_centre(app, people):
    client_of(app, people["coordinator"]).post("/activities/new", data=_form(lat="", lon="", town=""))
    [a] = _only()
    assert a.district_code == "370212" and 36.0 < a.lat < 36.4 and 120.3 < a.lon < 120.8


def test_bad_input_is_told_by_each_field_in_chinese_and_nothing_is_lost(app, make_user):
    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")  # reads Chinese
    c = client_of(app, coord)
    resp = c.post("/activities/new", data=_form(title="", starts_at="明天", places="abc", min_age="200",
                                                 venue="沙子口"))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and _only() == []
    assert body.count('class="field-error"') >= 4 and "请" in body
    assert 'value="沙子口"' in body and 'selected value="370212002"' in body  # what was entered stays
    assert "Enter" not in body  # no English left on a Chinese page


@pytest.mark.parametrize("over, field", [
    ({"ends_at": "2020-01-01T08:00"}, "ends_at"),
    ({"lat": "x", "lon": "y"}, "lat"),
    ({"lat": "39.9", "lon": "116.4"}, "lat"),        # Beijing: outside Qingdao
    ({"skills": ["flying"]}, "skills"),
    ({"service_type": "nap"}, "service_type"),
])
def test_each_refused_value_is_named_by_its_field(app, people, over, field):
    resp = client_of(app, people["coordinator"]).post("/activities/new", data=_form(**over))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and f'id="{field}-error"' in body and _only() == []


def test_without_a_pin_or_a_district_the_district_is_asked_for(app, people):
    resp = client_of(app, people["org_admin"]).post("/activities/new", data=_form(lat="", lon="", district="",
                                                                                  town=""))
    assert resp.status_code == 422 and 'id="district-error"' in resp.get_data(as_text=True) and _only() == []


def test_an_organiser_outside_the_area_is_refused_with_a_message(app, people):
    resp = client_of(app, people["outsider"]).post("/activities/new", data=_form())
    assert resp.status_code == 422 and "coordinator in the area" in resp.get_data(as_text=True) and _only() == []


def test_editing_keeps_the_sign_ups_and_never_drops_places_below_those_taken(app, people, published, make_user):
    a = published(places=2)
    vols = [make_user(role="volunteer") for _ in range(3)]
    for v in vols:
        services.sign_up(v, a.id)
    c = client_of(app, people["coordinator"])
    page = c.get(f"/activities/{a.id}/edit").get_data(as_text=True)
    assert 'value="六一游园会"' in page and 'name="lat" type="hidden" value="36.107000"' in page
    resp = c.post(f"/activities/{a.id}/edit", data=_form(places="1"))
    assert resp.status_code == 422 and "2 volunteers already have a place" in resp.get_data(as_text=True)
    resp = c.post(f"/activities/{a.id}/edit", data=_form(places="3"))
    assert resp.status_code == 302
    rows = _only(ActivitySignup)
    assert sorted(r.status for r in rows) == ["confirmed"] * 3  # the new place went to the waitlist
    assert db.session.get(Activity, a.id).places_taken == 3
    told = db.session.scalars(select(Notification.key).where(Notification.user_id == vols[2].id)).all()
    assert any(":promoted:" in k for k in told) and any(":changed:" in k for k in told)


def test_a_closed_activity_is_not_edited(app, people, published):
    a = published()
    services.close(people["coordinator"], a.id)
    resp = client_of(app, people["coordinator"]).get(f"/activities/{a.id}/edit")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/activities/{a.id}"
    with pytest.raises(services.ActivityError):
        services.edit(people["coordinator"], a.id, activity_data())


def test_edit_rejects_bad_data_with_invalid_input(people, published):
    with pytest.raises(InvalidInput):
        services.edit(people["coordinator"], published().id, activity_data(title=""))


def test_state_actions_publish_close_and_cancel_with_a_confirm_step(app, people, make_user):
    c = client_of(app, people["coordinator"])
    c.post("/activities/new", data=_form())
    [a] = _only()
    page = c.get(f"/activities/{a.id}").get_data(as_text=True)
    assert 'id="publish-activity"' in page and 'id="close-activity"' not in page
    assert 'id="cancel-activity"' in page and "data-confirm=" in page[page.index('id="activity-danger"'):]
    assert c.post(f"/activities/{a.id}/state", data={"to": "published"}).status_code == 303
    assert _only()[0].status == "published"
    page = c.get(f"/activities/{a.id}").get_data(as_text=True)
    assert "Published: volunteers near the venue" in page and 'id="close-activity"' in page
    assert 'id="done-activity"' not in page  # only once it has started
    c.post(f"/activities/{a.id}/state", data={"to": "nonsense"})
    c.post(f"/activities/{a.id}/state", data={"to": "done"})  # not from published
    assert _only()[0].status == "published"
    c.post(f"/activities/{a.id}/state", data={"to": "cancelled"})
    assert _only()[0].status == "cancelled"
    assert client_of(app, people["outsider"]).post(f"/activities/{a.id}/state", data={"to": "closed"}).status_code == 404
    assert client_of(app, make_user(role="volunteer")).post(f"/activities/{a.id}/state").status_code == 403


def test_the_organiser_sees_confirmed_waitlist_in_order_and_cancelled_folded(app, people, published, make_user):
    a = published(places=1)
    first, second, third = (make_user(role="volunteer", name=n) for n in ("甲志愿者", "乙志愿者", "丙志愿者"))
    for v in (first, second, third):
        services.sign_up(v, a.id)
    services.cancel_signup(first, a.id)
    body = client_of(app, people["coordinator"]).get(f"/activities/{a.id}").get_data(as_text=True)
    confirmed = body[body.index('id="signups-confirmed"'):body.index('id="signups-waitlist"')]
    assert "乙志愿者" in confirmed and "丙志愿者" in body[body.index('id="signups-waitlist"'):]
    assert "甲志愿者" in body[body.index('<details id="signups-cancelled"'):]
    assert "activities/_attendance.html" not in body  # the partial is included, not named


def test_staff_add_and_remove_children_of_their_area(app, published, make_child, make_user):
    a = published()  # in 370212001
    town = make_user(role="coordinator", scope_level="town", scope_code="370212001", locale="en")
    child = make_child(town_code="370212001")
    far = make_child()  # 370212002: another town
    c = client_of(app, town)
    body = c.get(f"/activities/{a.id}/children?q={child.name[:1]}").get_data(as_text=True)
    assert child.name in body and 'id="children-found"' in body
    resp = c.post(f"/activities/{a.id}/children", data={"ref": child.ref, "action": "add"}, headers=HX)
    assert resp.status_code == 200 and "<html" not in resp.get_data(as_text=True)
    assert [x.id for x in taking_part.children_of(a.id)] == [child.id]
    c.post(f"/activities/{a.id}/children", data={"ref": child.ref, "action": "add"})  # again: no change
    assert len(taking_part.children_of(a.id)) == 1
    resp = c.post(f"/activities/{a.id}/children", data={"ref": far.ref, "action": "add"}, headers=HX)
    assert resp.status_code == 422 and "No such child in your area." in resp.get_data(as_text=True)
    assert child.name in c.get(f"/activities/{a.id}").get_data(as_text=True)
    c.post(f"/activities/{a.id}/children", data={"ref": child.ref, "action": "remove"})
    assert taking_part.children_of(a.id) == []


def test_an_org_admin_organises_for_the_organisation_and_gives_only_a_count_of_children(app, people):
    c = client_of(app, people["org_admin"])
    resp = c.post("/activities/new", data=_form(district="370203", town="", lat="", lon=""))
    assert resp.status_code == 302
    [a] = _only()
    assert a.org_id == people["org_admin"].organisation_id
    body = c.get(f"/activities/{a.id}/children").get_data(as_text=True)
    assert 'id="children-count-only"' in body and 'id="child-q"' not in body
    assert client_of(app, people["coordinator"]).get(f"/activities/{a.id}/edit").status_code == 404


def test_every_message_shows_at_once_not_one_round_at_a_time(app, people):
    day = _form()["starts_at"][:10]
    resp = client_of(app, people["org_admin"]).post("/activities/new", data=_form(
        title="", ends_at=f"{day}T08:00", signup_deadline=f"{day}T10:00", lat="", lon="", district="", town=""))
    body = resp.get_data(as_text=True)
    for field in ("title", "ends_at", "signup_deadline", "district"):
        assert f'id="{field}-error"' in body, field
