"""Wish pages over HTTP: blind cards, one-tap claims (htmx and plain), events, the board, my wishes,
fulfilment forms. Bad input always gets a clear answer and never a 500."""
import re

import pytest
from sqlalchemy import func, select

from tests.wishes.conftest import reload
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.wishes import claims, fulfil
from volunteer.wishes.events import create_event
from volunteer.wishes.models import WishClaim, WishEvent

HX = {"HX-Request": "true"}


@pytest.fixture
def event(people):
    return create_event(people["coordinator"], {"name": "六一关爱活动", "held_on": "2027-06-01", "place": "沙子口街道"})


def _as(app, user):
    client = app.test_client()
    assert client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"}).status_code == 302
    return client


def test_open_wishes_are_blind_cards_without_the_childs_name(app, people, publish_wish, child):
    wish = publish_wish("画笔")
    body = _as(app, people["donor"]).get("/wishes").get_data(as_text=True)
    assert "画笔" in body and "沙子口" in body and f"/wishes/{wish.ref}/claim" in body
    for secret in (child.name, child.address, child.guardian_name, child.school):
        assert secret not in body


def test_two_donors_tap_one_wish_one_wins_the_other_is_told_and_sees_the_next(app, people, publish_wish):
    wish, other = publish_wish("画笔"), publish_wish("跳绳")
    first = _as(app, people["donor"]).post(f"/wishes/{wish.ref}/claim", headers=HX)
    second = _as(app, people["other"]).post(f"/wishes/{wish.ref}/claim", headers=HX)
    assert first.status_code == 200 and "Claimed by you" in first.get_data(as_text=True)
    text = second.get_data(as_text=True)
    assert second.status_code == 409 and "already claimed" in text and f"/wishes/{other.ref}/claim" in text
    # The next wishes inside the answer carry no id: the page may list the same wishes already.
    assert text.count('id="wcard-') == 1 and 'name="nested" value="1"' in text
    assert db.session.scalar(select(func.count(WishClaim.id))) == 1


def test_a_double_tap_and_a_plain_form_post_are_answered_without_a_second_claim(app, people, publish_wish):
    wish = publish_wish()
    client = _as(app, people["donor"])
    assert client.post(f"/wishes/{wish.ref}/claim", headers=HX).status_code == 200
    assert client.post(f"/wishes/{wish.ref}/claim", headers=HX).status_code == 200
    plain = client.post(f"/wishes/{wish.ref}/claim")
    assert plain.status_code == 302 and plain.headers["Location"].endswith("/my/wishes")
    assert db.session.scalar(select(func.count(WishClaim.id))) == 1


@pytest.mark.parametrize("status", ["draft", "cancelled", "received"])
def test_a_stale_page_claiming_a_closed_wish_gets_a_clear_409_page(app, people, publish_wish, status):
    wish = publish_wish(status=status)
    resp = _as(app, people["donor"]).post(f"/wishes/{wish.ref}/claim")
    assert resp.status_code == 409 and "claim-refused" in resp.get_data(as_text=True)
    assert reload(wish).status == status


def test_unknown_wishes_and_staff_claims_are_refused(app, people, publish_wish):
    assert _as(app, people["donor"]).post("/wishes/nosuchwish/claim").status_code == 404
    assert _as(app, people["coordinator"]).post(f"/wishes/{publish_wish().ref}/claim").status_code == 403


def test_staff_make_an_event_fill_its_list_and_publish_it(app, people, publish_wish):
    a, b = publish_wish("书包", status="draft"), publish_wish("足球", status="draft")
    staff = _as(app, people["coordinator"])
    bad = staff.post("/wish-events/new", data={"name": "", "held_on": "明天", "place": "沙子口"})
    assert bad.status_code == 422 and "Give the event a name" in bad.get_data(as_text=True)
    ok = staff.post("/wish-events/new", data={"name": "六一", "held_on": "2027-06-01", "place": "沙子口街道"})
    event_id = int(ok.headers["Location"].rstrip("/").split("/")[-2])
    assert staff.post(f"/wish-events/{event_id}/wishes", data={}).status_code == 422
    assert staff.post(f"/wish-events/{event_id}/wishes", data={"wish": [a.ref, b.ref, "bogus"]}).status_code == 302
    # A draft event is staff-only; its wishes cannot be claimed yet.
    assert _as(app, people["donor"]).get(f"/wish-events/{event_id}").status_code == 404
    assert staff.post(f"/wish-events/{event_id}/publish").status_code == 302
    assert db.session.get(WishEvent, event_id).status == "published"
    assert reload(a).status == reload(b).status == "published"
    page = _as(app, people["donor"]).get(f"/wish-events/{event_id}").get_data(as_text=True)
    assert "书包" in page and "足球" in page and "every 3s" in page


def test_publishing_an_empty_event_is_refused(app, people, event):
    resp = _as(app, people["coordinator"]).post(f"/wish-events/{event.id}/publish", follow_redirects=True)
    assert "at least one wish" in resp.get_data(as_text=True)
    assert db.session.get(WishEvent, event.id).status == "draft"


def test_the_board_counts_claims_and_tallies_donors_by_unit_or_initial(app, people, publish_wish, event):
    event.status = "published"
    db.session.commit()
    w1, w2, w3 = (publish_wish(x, event=event) for x in ("书包", "足球", "台灯"))
    claims.claim(people["unit"], w1.ref)
    claims.claim(people["unit_admin"], w2.ref)
    claims.claim(people["donor"], w3.ref)
    publish_wish("字典", event=event)
    frag = _as(app, people["other"]).get(f"/wish-events/{event.id}/board", headers=HX).get_data(as_text=True)
    assert frag.lstrip().startswith('<section class="card stack event-board" id="event-board"')
    assert "Claimed: 3" in frag and "Still open: 1" in frag
    assert re.search(r"爱心单位乙 <span class=\"badge\">2</span>", frag)
    assert "李*" in frag and "李爱心" not in frag


def test_my_wishes_walk_a_gift_through_its_steps_with_htmx(app, people, publish_wish):
    wish = publish_wish("台灯")
    row = claims.claim(people["donor"], wish.ref)
    client = _as(app, people["donor"])
    assert "台灯" in client.get("/my/wishes").get_data(as_text=True)
    assert client.post(f"/my/claims/{row.id}/bought", headers=HX).status_code == 200
    bad = client.post(f"/my/claims/{row.id}/delivered", data={"destination": "home"}, headers=HX)
    assert bad.status_code == 422 and "town hub or the child director" in bad.get_data(as_text=True)
    ok = client.post(f"/my/claims/{row.id}/delivered", data={"destination": "director"}, headers=HX)
    code = re.search(r'class="receipt-code">([A-Z0-9-]+)<', ok.get_data(as_text=True)).group(1)
    assert reload(wish).status == "delivered"
    again = client.post(f"/my/claims/{row.id}/bought", headers=HX)
    assert again.status_code == 422
    assert _as(app, people["other"]).post(f"/my/claims/{row.id}/bought").status_code == 404
    staff = _as(app, people["coordinator"])
    page = staff.get("/wishes/fulfilment").get_data(as_text=True)
    assert "台灯" in page and "Donor: 李爱心" in page  # staff may contact the donor
    wrong = staff.post(f"/wishes/{wish.ref}/receive", data={"code": "XXXX"}, headers=HX)
    assert wrong.status_code == 422 and "does not match" in wrong.get_data(as_text=True)
    right = staff.post(f"/wishes/{wish.ref}/receive", data={"code": code}, headers=HX)
    assert right.status_code == 200 and reload(wish).status == "received"
    twice = staff.post(f"/wishes/{wish.ref}/receive", data={"code": code})
    assert twice.status_code == 422
    assert staff.post(f"/wishes/{wish.ref}/thanks", data={"thanks": "谢谢您！"}).status_code == 302
    history = client.get("/my/wishes").get_data(as_text=True)
    assert "谢谢您！" in history
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == people["donor"].id)) == 2


def test_donor_pages_never_show_the_child_even_after_delivery(app, people, publish_wish, event, child):
    event.status = "published"
    db.session.commit()
    wish = publish_wish("台灯", event=event)
    row = claims.claim(people["unit"], wish.ref)
    fulfil.mark_bought(people["unit"], row.id)
    _, code = fulfil.mark_delivered(people["unit"], row.id, "hub")
    fulfil.confirm_receipt(people["coordinator"], wish.ref, code)
    secrets = [child.name, child.address, child.guardian_name, child.school, child.village]
    for user in (people["unit"], people["unit_admin"], people["donor"]):
        client = _as(app, user)
        for path in ("/wishes", "/my/wishes", "/wish-events", f"/wish-events/{event.id}",
                     f"/wish-events/{event.id}/board", "/inbox/"):
            body = client.get(path).get_data(as_text=True)
            assert not [s for s in secrets if s and s in body], (user.role, path)


def test_the_fulfilment_list_shows_the_donors_phone_as_a_call_link(app, people, publish_wish):
    wish = publish_wish("台灯")
    claims.claim(people["donor"], wish.ref)
    page = _as(app, people["coordinator"]).get("/wishes/fulfilment").get_data(as_text=True)
    phone = people["donor"].phone
    assert f'<a href="tel:{phone}">{phone[3:6]} {phone[6:10]} {phone[10:]}</a>' in page


def test_the_event_page_shows_counts_not_every_wish_twice_and_keeps_polling_that_way(app, people, publish_wish, event):
    event.status = "published"
    db.session.commit()
    wish, *_ = [publish_wish(item, event=event) for item in ("地球仪", "跳绳", "画板")]
    client = _as(app, people["donor"])
    page = client.get(f"/wish-events/{event.id}").get_data(as_text=True)
    assert f'id="wcard-{wish.ref}"' in page and f'id="board-{wish.ref}"' not in page
    assert f"/wish-events/{event.id}/board?compact=1" in page and page.count("六一关爱活动") == 2  # title and heading, not on each card
    frag = client.get(f"/wish-events/{event.id}/board?compact=1", headers=HX).get_data(as_text=True)
    assert "Still open: 3" in frag and "board-wishes" not in frag and "compact=1" in frag
    assert f'id="board-{wish.ref}"' in client.get(f"/wish-events/{event.id}/board").get_data(as_text=True)


def test_a_new_receipt_code_is_asked_for_in_the_confirm_dialog(app, people, publish_wish):
    wish = publish_wish("台灯")
    row = claims.claim(people["donor"], wish.ref)
    fulfil.mark_bought(people["donor"], row.id)
    fulfil.mark_delivered(people["donor"], row.id, "director")
    page = _as(app, people["donor"]).get("/my/wishes").get_data(as_text=True)
    form = re.search(r'<form[^>]*renew[^>]*>', page, re.S) or re.search(r'<form[^>]*/code"[^>]*>', page, re.S)
    assert form and "data-confirm=" in form.group(0) and "台灯" in form.group(0)
