"""Claiming: one winner, clear refusals with the next open wishes, double taps, expired claims released."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.wishes.conftest import reload
from volunteer.extensions import db
from volunteer.needs.rules import WishNotFound
from volunteer.needs.wishes import move_wish
from volunteer.notifications.models import Notification
from volunteer.tasks import services as tasks
from volunteer.types import utcnow
from volunteer.wishes import claims
from volunteer.wishes.models import WishClaim


def _claims(wish_id=None):
    q = select(func.count(WishClaim.id))
    if wish_id is not None:
        q = q.where(WishClaim.wish_id == wish_id)
    return db.session.scalar(q)


def test_the_first_claim_wins_and_the_second_donor_is_told_with_other_open_wishes(people, publish_wish):
    wish, other = publish_wish("书包"), publish_wish("篮球")
    row = claims.claim(people["donor"], wish.ref)
    assert row.status == "active" and row.active_wish_id == wish.id and row.org_id is None
    assert reload(wish).status == "claimed" and reload(wish).claimed_by_id == people["donor"].id
    with pytest.raises(claims.ClaimRefused) as exc:
        claims.claim(people["other"], wish.ref)
    assert "already claimed" in str(exc.value.message)
    assert [c["ref"] for c in exc.value.next_cards] == [other.ref]
    assert _claims(wish.id) == 1


def test_a_double_tap_by_the_winner_returns_the_same_claim(people, publish_wish):
    wish = publish_wish()
    first = claims.claim(people["donor"], wish.ref)
    again = claims.claim(people["donor"], wish.ref)
    assert first.id == again.id and _claims() == 1


def test_a_caring_unit_member_claims_for_the_unit(people, publish_wish):
    row = claims.claim(people["unit"], publish_wish().ref)
    assert row.org_id == people["unit"].organisation_id


def test_staff_cannot_claim_and_unknown_refs_are_not_found(people, publish_wish):
    wish = publish_wish()
    with pytest.raises(claims.NotADonor):
        claims.claim(people["coordinator"], wish.ref)
    with pytest.raises(WishNotFound):
        claims.claim(people["donor"], "nosuchwish0")
    assert reload(wish).status == "published" and _claims() == 0


@pytest.mark.parametrize("status, words", [("draft", "not open"), ("cancelled", "not open"),
                                           ("received", "already been fulfilled")])
def test_unpublished_withdrawn_or_fulfilled_wishes_are_refused_clearly(people, publish_wish, status, words):
    wish = publish_wish(status=status)
    with pytest.raises(claims.ClaimRefused) as exc:
        claims.claim(people["donor"], wish.ref)
    assert words in str(exc.value.message)
    assert reload(wish).status == status and _claims() == 0


def test_a_wish_on_a_draft_events_list_cannot_be_claimed(people, publish_wish):
    from volunteer.wishes.events import create_event

    event = create_event(people["coordinator"], {"name": "六一关爱", "held_on": "2027-06-01", "place": "沙子口街道"})
    wish = publish_wish(event=event)
    with pytest.raises(claims.ClaimRefused):
        claims.claim(people["donor"], wish.ref)
    assert reload(wish).status == "published"


def test_staff_taking_a_claimed_wish_back_releases_the_claim(people, publish_wish):
    wish = publish_wish()
    row = claims.claim(people["donor"], wish.ref)
    move_wish(people["coordinator"], wish.ref, "published")
    db.session.refresh(row)
    assert row.status == "released" and row.active_wish_id is None and reload(wish).claimed_by_id is None
    notes = db.session.scalars(select(Notification).where(Notification.user_id == people["donor"].id)).all()
    assert len(notes) == 1 and "took back" in notes[0].title
    assert claims.claim(people["other"], wish.ref).donor_id == people["other"].id


def _expire(row):
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def test_the_release_job_frees_an_expired_claim_exactly_once_on_a_real_worker(app, people, publish_wish,
                                                                               run_worker):
    wish, fresh = publish_wish("书包"), publish_wish("字典")
    row = claims.claim(people["donor"], wish.ref)
    keep = claims.claim(people["other"], fresh.ref)
    _expire(row)
    for _ in range(2):
        tasks.enqueue("jobs.wishes.release_expired", kind="wish-release")
    assert run_worker(["default"]) >= 2
    db.session.expire_all()
    assert reload(wish).status == "published" and reload(wish).claimed_by_id is None
    assert db.session.get(WishClaim, row.id).status == "released"
    assert db.session.get(WishClaim, keep.id).status == "active" and reload(fresh).status == "claimed"
    notes = db.session.scalars(select(Notification).where(Notification.user_id == people["donor"].id)).all()
    assert len(notes) == 1 and "书包" in notes[0].title
    # Nothing left to release: another run changes nothing and tells nobody again.
    assert claims.release_expired() == 0
    assert claims.release_claim(row.id) is False
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_a_bought_claim_is_never_released(people, publish_wish):
    from volunteer.wishes.fulfil import mark_bought

    wish = publish_wish()
    row = claims.claim(people["donor"], wish.ref)
    mark_bought(people["donor"], row.id)
    _expire(row)
    assert claims.release_expired() == 0 and reload(wish).status == "bought"


def test_the_claim_time_is_configurable(app, people, publish_wish):
    app.config["WISH_CLAIM_HOURS"] = 2
    row = claims.claim(people["donor"], publish_wish().ref)
    assert timedelta(hours=1, minutes=59) < row.expires_at - row.claimed_at <= timedelta(hours=2)
    assert claims.release_expired(utcnow() + timedelta(hours=1)) == 0
    assert claims.release_expired(utcnow() + timedelta(hours=3)) == 1
