"""Fulfilment: bought -> delivered (hub or director) -> received with the receipt code -> thank-you."""
import pytest
from sqlalchemy import select

from tests.wishes.conftest import reload
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.rules import WishNotFound
from volunteer.notifications.models import Notification
from volunteer.wishes import claims, fulfil


@pytest.fixture
def delivered(people, publish_wish):
    wish = publish_wish("台灯")
    row = claims.claim(people["donor"], wish.ref)
    fulfil.mark_bought(people["donor"], row.id)
    row, code = fulfil.mark_delivered(people["donor"], row.id, "hub")
    return wish, row, code


def _notes(user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def test_a_gift_goes_from_claimed_to_received_and_the_thanks_reach_the_donor(people, delivered, child):
    wish, row, code = delivered
    assert reload(wish).status == "delivered" and row.delivered_to == "hub"
    assert row.receipt_hash and code.replace("-", "") not in row.receipt_hash  # only a keyed hash is kept
    fulfil.confirm_receipt(people["coordinator"], wish.ref, code.lower().replace("-", " "))
    db.session.refresh(row)
    assert reload(wish).status == "received" and row.status == "done" and row.active_wish_id is None
    fulfil.send_thanks(people["coordinator"], wish.ref, "谢谢叔叔阿姨的台灯，我会好好学习！")
    titles = [n.title for n in _notes(people["donor"])]
    assert len(titles) == 2 and "台灯" in titles[0] and "台灯" in titles[1]
    assert _notes(people["donor"])[1].body == "谢谢叔叔阿姨的台灯，我会好好学习！"
    mine = fulfil.my_claims(people["donor"])
    assert mine["live"] == [] and [r.id for r in mine["history"]] == [row.id]


def test_a_thank_you_naming_the_child_is_refused(people, delivered, child):
    wish, row, code = delivered
    fulfil.confirm_receipt(people["coordinator"], wish.ref, code)
    with pytest.raises(InvalidInput) as exc:
        fulfil.send_thanks(people["coordinator"], wish.ref, f"我是{child.name}，谢谢你！")
    assert "name" in str(exc.value.errors["thanks"])
    db.session.refresh(row)
    assert row.thanks is None and len(_notes(people["donor"])) == 1


def test_wrong_receipt_codes_are_counted_and_then_locked(people, delivered):
    wish, row, code = delivered
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidInput) as exc:
            fulfil.confirm_receipt(people["coordinator"], wish.ref, "AAAA-AAAA")
        assert f"{left} tries left" in str(exc.value.errors["code"])
    with pytest.raises(InvalidInput) as exc:
        fulfil.confirm_receipt(people["coordinator"], wish.ref, "AAAA-AAAA")
    assert "Too many wrong codes" in str(exc.value.errors["code"])
    with pytest.raises(InvalidInput):  # even the right code waits for the lock to end
        fulfil.confirm_receipt(people["coordinator"], wish.ref, code)
    assert reload(wish).status == "delivered"


def test_a_new_code_replaces_the_old_one(people, delivered):
    wish, row, old = delivered
    _, new = fulfil.renew_code(people["donor"], row.id)
    with pytest.raises(InvalidInput):
        fulfil.confirm_receipt(people["coordinator"], wish.ref, old)
    fulfil.confirm_receipt(people["coordinator"], wish.ref, new)
    assert reload(wish).status == "received"


def test_steps_out_of_order_are_refused_and_change_nothing(people, publish_wish):
    wish = publish_wish()
    row = claims.claim(people["donor"], wish.ref)
    with pytest.raises(InvalidInput):
        fulfil.mark_delivered(people["donor"], row.id, "hub")
    fulfil.mark_bought(people["donor"], row.id)
    with pytest.raises(InvalidInput):
        fulfil.mark_bought(people["donor"], row.id)
    with pytest.raises(InvalidInput) as exc:
        fulfil.mark_delivered(people["donor"], row.id, "home")
    assert "town hub or the child director" in str(exc.value.errors["destination"])
    with pytest.raises(InvalidInput):
        fulfil.confirm_receipt(people["coordinator"], wish.ref, "AAAA-AAAA")
    assert reload(wish).status == "bought"


def test_only_the_donor_or_their_unit_moves_a_claim_and_only_staff_in_scope_confirm(people, publish_wish):
    wish = publish_wish()
    row = claims.claim(people["unit"], wish.ref)
    with pytest.raises(WishNotFound):
        fulfil.mark_bought(people["donor"], row.id)
    fulfil.mark_bought(people["unit_admin"], row.id)  # the same caring unit
    _, code = fulfil.mark_delivered(people["unit"], row.id, "director")
    with pytest.raises(WishNotFound):
        fulfil.confirm_receipt(people["outsider"], wish.ref, code)
    fulfil.confirm_receipt(people["coordinator"], wish.ref, code)
    assert reload(wish).status == "received"


def test_a_released_claim_cannot_be_marked_bought(people, publish_wish):
    from datetime import timedelta

    from volunteer.types import utcnow

    wish = publish_wish()
    row = claims.claim(people["donor"], wish.ref)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert claims.release_expired() == 1
    with pytest.raises(InvalidInput) as exc:
        fulfil.mark_bought(people["donor"], row.id)
    assert "released" in str(exc.value.errors["status"])
    assert reload(wish).status == "published"
