"""A donor gives up a claim made by mistake (before it is bought): only the claim's donor, only while it is
live and unbought; the wish is open again at once. Service, pages (plain and htmx) and the JSON API."""
import json
import re

import pytest
from sqlalchemy import func, select

from tests.wishes.conftest import reload
from volunteer.api.services import issue_token
from volunteer.audit.models import AuditEntry
from volunteer.children.validation import InvalidInput
from volunteer.events.models import OutboxEvent
from volunteer.extensions import db
from volunteer.wishes import claims, fulfil
from volunteer.wishes.board import board_state
from volunteer.wishes.events import add_wishes, create_event, publish_event
from volunteer.wishes.models import WishClaim

HX = {"HX-Request": "true"}


def _as(app, user):
    client = app.test_client()
    assert client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"}).status_code == 302
    return client


def _refusal(call) -> str:
    with pytest.raises(InvalidInput) as exc:
        call()
    return str(exc.value.errors["status"])


def test_the_donor_gives_a_claim_up_and_the_wish_is_back_on_the_board_for_another_donor(people, publish_wish):
    event = create_event(people["coordinator"], {"name": "六一", "held_on": "2027-06-01", "place": "沙子口街道"})
    wish = publish_wish("书包")
    add_wishes(people["coordinator"], event.id, [wish.ref])
    publish_event(people["coordinator"], event.id)
    row = claims.claim(people["donor"], wish.ref)
    assert (board_state(event)["claimed"], board_state(event)["left"]) == (1, 0)
    events_before = db.session.scalar(select(func.count(OutboxEvent.id)).where(OutboxEvent.topic == "wish.updated"))

    released = claims.release_own(people["donor"], row.id)

    assert released.id == row.id and released.status == "released" and released.active_wish_id is None
    assert released.released_at is not None and released.bought_at is None
    assert reload(wish).status == "published" and reload(wish).claimed_by_id is None
    state = board_state(event)
    assert (state["claimed"], state["left"], state["tally"]) == (0, 1, [])
    # The same live-board event as every other change of a wish, and an audit row like other wish actions.
    topics = db.session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "wish.updated")
                                .order_by(OutboxEvent.id)).all()
    assert len(topics) == events_before + 1 and json.loads(topics[-1].payload)["wish_id"] == wish.id
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.reason == "release")).all()
    assert [(a.user_id, a.action, a.collection, a.object_id) for a in audit] == [
        (people["donor"].id, "update", "wish", wish.id)]
    again = claims.claim(people["other"], wish.ref)
    assert again.donor_id == people["other"].id and board_state(event)["tally"][0]["count"] == 1


def test_another_donor_cannot_give_up_someone_elses_claim(people, publish_wish):
    wish = publish_wish()
    row = claims.claim(people["donor"], wish.ref)
    with pytest.raises(fulfil.ClaimNotFound):
        claims.release_own(people["other"], row.id)
    with pytest.raises(fulfil.ClaimNotFound):
        claims.release_own(people["donor"], 999999)
    assert reload(wish).status == "claimed" and db.session.get(WishClaim, row.id).status == "active"


def test_a_colleague_of_the_caring_unit_is_told_only_the_donor_may_give_it_up(people, publish_wish):
    wish = publish_wish()
    row = claims.claim(people["unit"], wish.ref)
    assert _refusal(lambda: claims.release_own(people["unit_admin"], row.id)) == str(claims.ONLY_THE_DONOR)
    assert reload(wish).status == "claimed"
    assert claims.release_own(people["unit"], row.id).status == "released"


def test_a_bought_claim_cannot_be_given_up(people, publish_wish):
    wish = publish_wish()
    row = claims.claim(people["donor"], wish.ref)
    fulfil.mark_bought(people["donor"], row.id)
    assert "already marked bought" in _refusal(lambda: claims.release_own(people["donor"], row.id))
    assert reload(wish).status == "bought" and reload(wish).claimed_by_id == people["donor"].id
    assert db.session.get(WishClaim, row.id).status == "active"


def test_giving_up_twice_is_refused_the_second_time_and_changes_nothing(people, publish_wish):
    wish = publish_wish()
    row = claims.claim(people["donor"], wish.ref)
    claims.release_own(people["donor"], row.id)
    mine_again = claims.claim(people["donor"], wish.ref)  # the donor may take it again: a new claim
    assert "already ended" in _refusal(lambda: claims.release_own(people["donor"], row.id))
    assert reload(wish).status == "claimed" and db.session.get(WishClaim, mine_again.id).status == "active"
    # And a bought step on the given-up claim is refused too.
    with pytest.raises(InvalidInput):
        fulfil.mark_bought(people["donor"], row.id)


def test_my_wishes_offers_the_donor_a_confirmed_release_button_only_while_unbought(app, people, publish_wish):
    first, second = publish_wish("书包"), publish_wish("字典")
    row = claims.claim(people["donor"], first.ref)
    bought = claims.claim(people["donor"], second.ref)
    fulfil.mark_bought(people["donor"], bought.id)
    body = _as(app, people["donor"]).get("/my/wishes").get_data(as_text=True)
    assert body.count("/release") == 2  # one form: its action and hx-post
    form = re.search(r'<form[^>]*action="/my/claims/%d/release"[^>]*>' % row.id, body).group(0)
    for attribute in ("data-confirm=", "data-confirm-title=", "data-confirm-ok="):
        assert attribute in form
    assert f"/my/claims/{bought.id}/release" not in body


def test_a_colleague_sees_the_units_claim_without_a_release_button(app, people, publish_wish):
    row = claims.claim(people["unit"], publish_wish().ref)
    body = _as(app, people["unit_admin"]).get("/my/wishes").get_data(as_text=True)
    assert f'id="claim-{row.id}"' in body and f"/my/claims/{row.id}/release" not in body


def test_the_release_page_answers_htmx_in_place_and_a_plain_form_with_a_message(app, people, publish_wish):
    a, b = publish_wish("书包"), publish_wish("字典")
    row_a, row_b = claims.claim(people["donor"], a.ref), claims.claim(people["donor"], b.ref)
    client = _as(app, people["donor"])
    swapped = client.post(f"/my/claims/{row_a.id}/release", headers=HX)
    text = swapped.get_data(as_text=True)
    assert swapped.status_code == 200 and f'id="claim-{row_a.id}"' in text and 'data-stage="released"' in text
    assert "back on the list for other donors" in text and "<html" not in text
    plain = client.post(f"/my/claims/{row_b.id}/release")
    assert plain.status_code == 302 and plain.headers["Location"].endswith("/my/wishes")
    assert "You gave the wish up" in client.get("/my/wishes").get_data(as_text=True)
    twice = client.post(f"/my/claims/{row_b.id}/release", headers=HX)
    assert twice.status_code == 422 and "already ended" in twice.get_data(as_text=True)
    assert _as(app, people["other"]).post(f"/my/claims/{row_a.id}/release").status_code == 404
    assert _as(app, people["coordinator"]).post(f"/my/claims/{row_a.id}/release").status_code == 403


def test_the_refusal_after_bought_is_in_the_donors_language(app, make_user, publish_wish):
    donor = make_user(role="volunteer")  # no locale: the site's default, Chinese
    row = claims.claim(donor, publish_wish().ref)
    fulfil.mark_bought(donor, row.id)
    resp = _as(app, donor).post(f"/my/claims/{row.id}/release", headers=HX)
    assert resp.status_code == 422 and "已标记为已购买，不能再放弃" in resp.get_data(as_text=True)


def _h(user):
    return {"Authorization": f"Bearer {issue_token(user, 'tests')[1]}", "Accept-Language": "en"}


def test_the_api_gives_a_claim_up_through_the_same_service(client, people, publish_wish):
    wish = publish_wish()
    row = claims.claim(people["donor"], wish.ref)
    assert client.post(f"/api/v1/my/claims/{row.id}/release", headers=_h(people["other"])).status_code == 404
    done = client.post(f"/api/v1/my/claims/{row.id}/release", headers=_h(people["donor"]))
    assert done.status_code == 200 and done.json["stage"] == "released" and done.json["wish"]["ref"] == wish.ref
    again = client.post(f"/api/v1/my/claims/{row.id}/release", headers=_h(people["donor"]))
    assert again.status_code == 422 and "already ended" in again.json["error"]["fields"]["status"]
    assert reload(wish).status == "published"
    audit = db.session.scalars(select(AuditEntry.via).where(AuditEntry.reason == "release")).all()
    assert audit == ["api"]



def test_marking_a_given_up_claim_bought_says_it_was_given_up_not_that_time_ran_out(people, publish_wish):
    wish = publish_wish("文具")
    row = claims.claim(people["donor"], wish.ref)
    claims.release_own(people["donor"], row.id)
    said = _refusal(lambda: fulfil.mark_bought(people["donor"], row.id))
    assert "in time" not in said and "given up" in said


def test_marking_a_timed_out_claim_bought_says_time_ran_out(people, publish_wish):
    from datetime import timedelta

    from volunteer.types import utcnow

    wish = publish_wish("画笔")
    row = claims.claim(people["donor"], wish.ref)
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert claims.release_claim(row.id)
    assert "in time" in _refusal(lambda: fulfil.mark_bought(people["donor"], row.id))
