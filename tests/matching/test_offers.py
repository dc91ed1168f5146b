"""Offers to help: idempotent, renewable, decided by staff in the child's scope only; accepting assigns
the need and declines the others; coordinators and volunteers hear of it through real jobs."""
import pytest
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.matching import offers, points
from volunteer.matching.models import NeedPoint, Offer
from volunteer.needs.models import Need
from volunteer.needs.services import create_need
from volunteer.notifications.models import Notification
from volunteer.tasks.models import JobRecord

from .test_nearme import login_client, make_volunteer


@pytest.fixture
def staff(make_user):
    return {"admin": make_user(role="admin"),
            "laoshan": make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员"),
            "town": make_user(role="coordinator", scope_level="town", scope_code="370212002", name="街道督导员"),
            "shibei": make_user(role="coordinator", scope_level="district", scope_code="370203", name="市北协调员")}


@pytest.fixture
def need(staff, make_child):
    child = make_child(by=staff["admin"], lat="36.106123", lon="120.470456")
    made = create_need(staff["admin"], child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                                   "urgency": "normal", "rhythm": "weekly", "skills": ["tutoring"]})
    points.rebuild_all()
    return made


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_offering_twice_gives_the_same_pending_offer(app, make_user, need):
    vol = make_volunteer(make_user)
    first = offers.offer_help(vol, need.id)
    again = offers.offer_help(vol, need.id)
    assert first.id == again.id and again.status == "pending"
    assert count(Offer) == 1
    assert count(JobRecord, JobRecord.func == offers.NOTIFY_COORDINATORS) == 1


def test_a_withdrawn_or_declined_offer_can_be_renewed(app, make_user, need, staff):
    vol = make_volunteer(make_user)
    offer = offers.offer_help(vol, need.id)
    assert offers.withdraw(vol, offer.id).status == "withdrawn"
    assert offers.withdraw(vol, offer.id).status == "withdrawn"  # again: no change
    renewed = offers.offer_help(vol, need.id)
    assert renewed.id == offer.id and renewed.status == "pending"
    offers.decide(staff["laoshan"], offer.id, accept=False)
    assert db.session.get(Offer, offer.id).status == "declined"
    assert offers.offer_help(vol, need.id).status == "pending" and count(Offer) == 1


def test_only_visible_open_needs_take_offers(app, make_user, need, world):
    vol = make_volunteer(make_user)
    db.session.delete(db.session.get(NeedPoint, need.id))  # e.g. no longer open
    db.session.commit()
    with pytest.raises(offers.OfferNotFound):
        offers.offer_help(vol, need.id)
    with pytest.raises(offers.OfferNotFound):
        offers.offer_help(vol, 999999)
    with pytest.raises(offers.NotAllowed):
        offers.offer_help(world["users"]["org_member"], need.id)
    client = login_client(app, vol)
    assert client.post(f"/near/needs/{need.id}/offer").status_code == 404
    # On the card (htmx): the same words in place, whether closed or missing.
    closed = client.post(f"/near/needs/{need.id}/offer", headers={"HX-Request": "true", "Accept-Language": "en"})
    missing = client.post("/near/needs/999999/offer", headers={"HX-Request": "true", "Accept-Language": "en"})
    assert closed.status_code == missing.status_code == 422
    assert "no longer open" in closed.get_data(as_text=True) and "no longer open" in missing.get_data(as_text=True)


def test_a_volunteer_cannot_withdraw_someone_elses_offer(app, make_user, need):
    a, b = make_volunteer(make_user), make_volunteer(make_user)
    offer = offers.offer_help(a, need.id)
    with pytest.raises(offers.OfferNotFound):
        offers.withdraw(b, offer.id)
    assert login_client(app, b).post(f"/offers/{offer.id}/withdraw").status_code == 404


def test_a_coordinator_of_another_district_cannot_decide(app, make_user, need, staff):
    offer = offers.offer_help(make_volunteer(make_user), need.id)
    with pytest.raises(offers.OfferNotFound):
        offers.decide(staff["shibei"], offer.id, accept=True)
    client = login_client(app, staff["shibei"])
    assert client.post(f"/offers/{offer.id}/decide", data={"decision": "accept"}).status_code == 404
    body = client.get("/offers").get_data(as_text=True)
    assert f'id="offer-{offer.id}"' not in body
    assert db.session.get(Offer, offer.id).status == "pending"
    assert db.session.get(Need, need.id).status == "open"


def test_accepting_assigns_the_need_and_declines_the_other_offers(app, make_user, need, staff, run_worker):
    a, b, c = (make_volunteer(make_user, name=n) for n in ("志愿者甲", "志愿者乙", "志愿者丙"))
    oa, ob, oc = (offers.offer_help(v, need.id) for v in (a, b, c))
    offers.withdraw(c, oc.id)
    client = login_client(app, staff["town"])
    resp = client.post(f"/offers/{oa.id}/decide", data={"decision": "accept"}, headers={"HX-Request": "true"})
    assert resp.status_code == 200
    db.session.expire_all()
    assert db.session.get(Need, need.id).status == "assigned"
    assert [db.session.get(Offer, o.id).status for o in (oa, ob, oc)] == ["accepted", "declined", "withdrawn"]
    assert db.session.get(NeedPoint, need.id) is None  # gone from near me at once
    assert f'id="offer-{ob.id}"' not in resp.get_data(as_text=True)  # no longer pending
    # Deciding again is refused with a message, not a 500.
    again = client.post(f"/offers/{ob.id}/decide", data={"decision": "accept"}, headers={"HX-Request": "true"})
    assert again.status_code == 422
    run_worker()
    told = {n.user_id: n for n in db.session.scalars(select(Notification).where(Notification.kind == "offer"))}
    assert a.id in told and b.id in told and c.id not in told
    assert "接受" in told[a.id].title or "accepted" in told[a.id].title


def test_the_offer_reaches_the_coordinators_inbox_through_the_worker(app, make_user, need, staff, run_worker):
    vol = make_volunteer(make_user, name="热心的王")
    offer = offers.offer_help(vol, need.id)
    assert count(Notification) == 0  # only the job is queued
    assert run_worker() >= 1
    inbox = {n.user_id: n for n in db.session.scalars(select(Notification).where(Notification.key == f"offer:{offer.id}"))}
    assert set(inbox) == {staff["laoshan"].id, staff["town"].id}  # not 市北区's coordinator
    assert "热心的王" in inbox[staff["laoshan"].id].body
    # The job is idempotent: a second run sends nothing new.
    from jobs.offers import notify_coordinators

    assert notify_coordinators(offer.id) == 0
    # A renewed offer is news again.
    offers.withdraw(vol, offer.id)
    offers.offer_help(vol, need.id)
    run_worker()
    assert count(Notification, Notification.user_id == staff["laoshan"].id) == 2


def test_the_htmx_offer_returns_the_offered_button(app, make_user, need):
    client = login_client(app, make_volunteer(make_user))
    resp = client.post(f"/near/needs/{need.id}/offer", headers={"HX-Request": "true", "Accept-Language": "en"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body
    assert f'id="offer-need-{need.id}"' in body and 'data-offer-state="offered"' in body and "Offered" in body
    again = client.post(f"/near/needs/{need.id}/offer", headers={"HX-Request": "true"})
    assert again.status_code == 200 and count(Offer) == 1
    # The near-me page shows the offered state too.
    page = client.get("/near", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-offer-state="offered"' in page


def test_volunteers_see_only_their_own_offers_and_staff_no_home_coordinates(app, make_user, need, staff):
    a = make_volunteer(make_user, name="志愿者甲", point=(36.1111, 120.4444))
    b = make_volunteer(make_user, name="志愿者乙")
    oa = offers.offer_help(a, need.id)
    mine = login_client(app, b).get("/offers").get_data(as_text=True)
    assert "志愿者甲" not in mine and f'id="offer-{oa.id}"' not in mine
    theirs = login_client(app, a).get("/offers").get_data(as_text=True)
    assert f'id="offer-{oa.id}"' in theirs and "志愿者甲" not in theirs.split('id="offer-list"')[1]
    body = login_client(app, staff["laoshan"]).get("/offers", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "志愿者甲" in body and "km from the volunteer&#39;s home" in body
    for coordinate in ("36.1111", "120.4444", "36.111", "120.444"):
        assert coordinate not in body
    # The child's personal data is not on the volunteer's offers page either.
    for secret in ("张小雨", "崂山区某路1号", "张大山", "13812345678", "36.106123", "120.470456"):
        assert secret not in theirs


def test_pending_for_lists_only_offers_in_scope(app, make_user, need, staff):
    offer = offers.offer_help(make_volunteer(make_user), need.id)
    assert [r["id"] for r in offers.pending_for(staff["laoshan"])] == [offer.id]
    assert [r["id"] for r in offers.pending_for(staff["admin"])] == [offer.id]
    assert offers.pending_for(staff["shibei"]) == []
    row = offers.pending_for(staff["laoshan"])[0]
    assert row["volunteer"] and row["km"] is not None


def test_offer_notes_are_checked(app, make_user, need):
    vol = make_volunteer(make_user)
    with pytest.raises(offers.InvalidInput):
        offers.offer_help(vol, need.id, message="<script>")
    with pytest.raises(offers.InvalidInput):
        offers.offer_help(vol, need.id, message="长" * 201)
    assert offers.offer_help(vol, need.id, message="周末有空").message == "周末有空"
