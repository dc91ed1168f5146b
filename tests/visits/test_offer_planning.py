"""Near-me offers and planned visits: an accepted offer is used once, by the visit planned from it; planning
a visit answers every offer still open on its need (the planned volunteers' are used, the others are
declined with a kind message), from the pages and from the API alike."""
import pytest
from sqlalchemy import select, text

from volunteer.api.services import issue_token
from volunteer.extensions import db
from volunteer.matching import offers, points
from volunteer.matching.models import Offer
from volunteer.needs.models import Need
from volunteer.needs.services import create_need
from volunteer.notifications.models import Notification
from volunteer.visits import checkin, services
from volunteer.visits.models import Visit
from volunteer.visits.present import LOCAL

from .conftest import HOME, window
from .test_pages import EN, _as, _form


@pytest.fixture(autouse=True)
def private_instance(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


@pytest.fixture
def weekly(team):
    """A weekly tutoring need of the team's child, open on the near-me map."""
    need = create_need(team["coord"], team["child"].ref, {"dimension": "intellect", "service_type": "tutoring",
                                                          "rhythm": "weekly", "skills": ["tutoring"]})
    points.sync_need(need.id)
    return need


def _offer(vol, need_id, coord=None):
    offer = offers.offer_help(vol, need_id)
    if coord is not None:
        offers.decide(coord, offer.id, True)
    return db.session.get(Offer, offer.id)


def _to_plan(client) -> str:
    page = client.get("/visits", headers=EN).get_data(as_text=True)
    return page.split('id="offers-to-plan"', 1)[1].split("</ul>", 1)[0] if 'id="offers-to-plan"' in page else ""


def test_an_accepted_offer_is_used_by_its_visit_and_a_later_visit_asks_the_volunteer_again(app, team, weekly):
    v0, v1 = team["vols"][:2]
    coord = team["coord"]
    offer = _offer(v0, weekly.id, coord)
    first = services.assign_visit(coord, weekly.id, *window(0.3), [v0.id])
    assert first.status == "accepted"  # v0 said yes when offering
    db.session.refresh(offer)
    assert offer.status == "planned" and offer.visit_id == first.id  # used by this visit, in the database
    checkin.check_in(v0, first.id, HOME[0], HOME[1], 10)
    checkin.check_out(v0, first.id)
    assert db.session.get(Need, weekly.id).status == "open"  # weekly: back in the pool
    points.sync_need(weekly.id)

    # Next week v1 offers and is accepted: only v1's offer waits to be planned, not v0's used one.
    _offer(v1, weekly.id, coord)
    page = _to_plan(_as(app, coord))
    assert f"volunteer={v1.id}" in page and f"volunteer={v0.id}" not in page
    # Planning v0 again asks v0 (a normal visit offer), it does not put v0 in as already accepted.
    second = services.assign_visit(coord, weekly.id, *window(30), [v0.id])
    assert second.status == "offered" and [a.status for a in second.assignees] == ["offered"]
    assert db.session.get(Offer, offer.id).visit_id == first.id


def test_a_used_offer_can_be_made_again_for_a_later_visit(app, team, weekly):
    v0 = team["vols"][0]
    offer = _offer(v0, weekly.id, team["coord"])
    visit = services.assign_visit(team["coord"], weekly.id, *window(0.3), [v0.id])
    checkin.check_in(v0, visit.id, HOME[0], HOME[1], 10)
    checkin.check_out(v0, visit.id)
    points.sync_need(weekly.id)
    again = offers.offer_help(v0, weekly.id)
    assert again.id == offer.id and again.status == "pending" and again.visit_id is None


def test_planning_from_find_helpers_answers_every_pending_offer_on_the_need(app, team, weekly, run_worker):
    v0, v1, v2 = team["vols"]
    mine, other = _offer(v0, weekly.id), _offer(v1, weekly.id)
    accepted_elsewhere = _offer(v2, weekly.id)
    coord = _as(app, team["coord"])
    r = coord.post(f"/needs/{weekly.id}/visits/new", data={**_form(window(48)[0]), "volunteer": [v0.id]})
    assert r.status_code == 302
    visit = db.session.scalars(select(Visit)).one()
    for o in (mine, other, accepted_elsewhere):
        db.session.refresh(o)
    assert (mine.status, mine.visit_id) == ("planned", visit.id)
    assert visit.assignees[0].status == "accepted"  # v0 offered this very need: planned in directly
    assert other.status == accepted_elsewhere.status == "declined" and other.visit_id is None
    assert offers.pending_for(team["coord"]) == []
    run_worker()
    for vol in (v1, v2):
        note = db.session.scalars(select(Notification).where(Notification.user_id == vol.id,
                                                             Notification.kind == "offer")).one()
        assert "was not taken up" in note.title or "未被采纳" in note.title
        page = _as(app, vol).get("/offers").get_data(as_text=True)
        assert "等待协调员回复" not in page and "Withdraw" not in page and "撤回" not in page
    assert db.session.scalar(select(Notification.id).where(Notification.user_id == v0.id,
                                                           Notification.key == f"visit:{visit.id}:planned"))


def test_planning_through_the_api_answers_the_offers_too(app, team, weekly, client):
    v0, v1 = team["vols"][:2]
    _offer(v0, weekly.id)
    start, end = (t.astimezone(LOCAL).replace(tzinfo=None, microsecond=0) for t in window(48))
    token = issue_token(team["coord"], "tests")[1]
    r = client.post("/api/v1/visits", json={"need_id": weekly.id, "starts_at": start.isoformat(),
                                            "ends_at": end.isoformat(), "volunteer_ids": [v1.id]},
                    headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})
    assert r.status_code == 201, r.get_json()
    offer = db.session.scalars(select(Offer).where(Offer.volunteer_id == v0.id)).one()
    assert offer.status == "declined"



def test_on_a_visit_with_others_still_to_answer_the_volunteer_who_offered_hears_it_is_planned(app, team, run_worker):
    v0, v1 = team["vols"][:2]
    points.sync_need(team["home"].id)
    _offer(v0, team["home"].id, team["coord"])
    visit = services.assign_visit(team["coord"], team["home"].id, *window(30), [v0.id, v1.id])
    assert visit.status == "offered" and [a.status for a in visit.assignees] == ["accepted", "offered"]
    run_worker()
    keys = {u.id: set(db.session.scalars(select(Notification.key).where(Notification.user_id == u.id,
                                                                        Notification.kind == "visit")))
            for u in (v0, v1)}
    assert keys == {v0.id: {f"visit:{visit.id}:planned"}, v1.id: {f"visit:{visit.id}:offer"}}


def test_the_migration_marks_offers_that_earlier_visits_used(app, team, weekly):
    from flask_migrate import downgrade, upgrade

    v0, v1 = team["vols"][:2]
    used = _offer(v0, weekly.id, team["coord"]).id
    visit = services.assign_visit(team["coord"], weekly.id, *window(30), [v0.id]).id
    points.sync_need(team["tutoring"].id)
    waiting = _offer(v1, team["tutoring"].id, team["coord"]).id
    db.session.remove()
    try:
        downgrade(revision="9c13c0de0009")  # as before the change: both offers merely "accepted"
        assert set(db.session.execute(text("SELECT status FROM offer")).scalars()) == {"accepted"}
        db.session.remove()
    finally:
        upgrade()
    rows = {o.id: (o.status, o.visit_id) for o in db.session.scalars(select(Offer))}
    assert rows == {used: ("planned", visit), waiting: ("accepted", None)}

# --- words ------------------------------------------------------------------------------------------

def test_the_plan_form_asks_for_a_start_and_an_end_time(app, team):
    coord = _as(app, team["coord"])
    page = coord.get(f"/needs/{team['tutoring'].id}/visits/new").get_data(as_text=True)
    assert "开始时间" in page and "结束时间" in page and "开始日期" not in page and "结束日期" not in page
    page = coord.get(f"/needs/{team['tutoring'].id}/visits/new", headers=EN).get_data(as_text=True)
    assert "Start time" in page and "End time" in page


def test_a_visit_offer_says_it_is_the_volunteers_turn_and_the_coordinator_waits(app, team):
    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(30), [v0.id])
    vol = _as(app, v0)
    for page in (vol.get("/my/visits"), vol.get(f"/visits/{visit.id}")):
        text = page.get_data(as_text=True)
        assert "待您回复" in text and "已提出" not in text
    assert "Waiting for your answer" in vol.get("/my/visits", headers=EN).get_data(as_text=True)
    staff = _as(app, team["coord"])
    for page in (staff.get("/visits"), staff.get(f"/visits/{visit.id}")):
        text = page.get_data(as_text=True)
        assert "待志愿者回复" in text and "待您回复" not in text and "已提出" not in text


def _plan(client, need_id, vols, days):
    return client.post(f"/needs/{need_id}/visits/new", data={**_form(window(24 * days)[0]), "volunteer": vols},
                       follow_redirects=True).get_data(as_text=True)


def test_the_planned_message_says_who_confirmed_and_who_was_asked(app, team, weekly):
    v0, v1, v2 = team["vols"]
    coord = _as(app, team["coord"])
    _offer(v0, weekly.id, team["coord"])
    page = _plan(coord, weekly.id, [v0.id], 2)
    assert "探访已安排，志愿者已确认。" in page and "邀请已发出" not in page

    points.sync_need(team["home"].id)
    _offer(v1, team["home"].id, team["coord"])
    page = _plan(coord, team["home"].id, [v1.id, v2.id], 3)  # a home visit: two adults, one offered himself
    assert f"探访已安排：{v1.name} 已确认，已向 {v2.name} 发出邀请。" in page

    page = _plan(coord, team["tutoring"].id, [v0.id], 4)
    assert "探访已安排，邀请已发出。" in page
