"""Stock and ledger: concurrent movements never drive stock negative; bad quantities are refused whole."""
import threading

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from volunteer.extensions import db
from volunteer.logistics.models import Movement, Stock
from volunteer.logistics.stock import LogisticsError, NotEnoughStock, atomic, change, imbalances, move


def _qty(hub, kind):
    return db.session.scalar(select(Stock.qty).where(Stock.hub_id == hub.id, Stock.kind_id == kind.id))


def test_concurrent_takers_never_drive_stock_negative_and_the_ledger_balances(app, logi):
    hub, kind = logi["hubs"][0], logi["bag"]
    logi["stock"](hub, kind, 25)
    hub_id, kind_id = hub.id, kind.id  # plain ids: the threads must not touch this session's objects
    taken, refused, errors = [], [], []

    def taker(n):
        with app.app_context():
            for i in range(10):
                try:
                    with atomic():
                        change(hub_id, kind_id, -2, "out", f"t{n}:{i}")
                    taken.append(2)
                except NotEnoughStock:
                    refused.append(1)
                except Exception as exc:  # noqa: BLE001 - any other failure fails the test below
                    errors.append(repr(exc))
            db.session.remove()

    threads = [threading.Thread(target=taker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    assert errors == []
    assert sum(taken) == 24 and len(refused) == 40 - 12
    assert _qty(hub, kind) == 1
    assert imbalances() == []


def test_the_database_refuses_negative_stock_even_without_the_guard(logi):
    hub, kind = logi["hubs"][0], logi["bag"]
    logi["stock"](hub, kind, 1)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Stock).where(Stock.hub_id == hub.id).values(qty=-1))
        db.session.flush()
    db.session.rollback()
    assert _qty(hub, kind) == 1


@pytest.mark.parametrize("qty", ["-3", "0", "abc", "", "100001", "1e9", "99999999999999999999"])
def test_bad_quantities_are_refused_with_a_message_and_nothing_is_recorded(logi, qty):
    hub, kind = logi["hubs"][0], logi["bag"]
    with pytest.raises(LogisticsError) as err:
        move(logi["coordinator"], hub, {"movement": "in", "kind_id": str(kind.id), "qty": qty}, "k1")
    assert err.value.message
    assert db.session.scalar(select(Movement.id)) is None


def test_taking_from_a_hub_without_stock_is_refused_and_leaves_the_ledger_alone(logi):
    hub, kind = logi["hubs"][1], logi["bag"]
    with pytest.raises(NotEnoughStock):
        move(logi["coordinator"], hub, {"movement": "transfer", "kind_id": str(kind.id), "qty": "3",
                                        "to_hub_id": str(logi["hubs"][0].id)}, "k2")
    with pytest.raises(NotEnoughStock):
        move(logi["coordinator"], hub, {"movement": "adjustment", "kind_id": str(kind.id), "qty": "-1"}, "k3")
    assert db.session.scalar(select(Movement.id)) is None
    assert imbalances() == []


def test_a_transfer_moves_packs_between_hubs_once_even_when_the_form_is_sent_twice(logi):
    a, b = logi["hubs"][0], logi["hubs"][1]
    kind = logi["bag"]
    logi["stock"](a, kind, 10)
    form = {"movement": "transfer", "kind_id": str(kind.id), "qty": "4", "to_hub_id": str(b.id)}
    move(logi["coordinator"], a, form, "same-key")
    move(logi["coordinator"], a, form, "same-key")
    assert (_qty(a, kind), _qty(b, kind)) == (6, 4)
    assert imbalances() == []


def _in_threads(app, fn, args_list):
    errors = []

    def run(*args):
        with app.app_context():
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=a) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    return errors


def test_allocations_running_side_by_side_share_the_stock_without_overselling(app, logi, make_child):
    from volunteer.logistics import allocation
    from volunteer.logistics.models import Allocation

    from .test_allocation import _campaign

    app.config["LOGISTICS_BATCH"] = 3
    hub = logi["hubs"][0]
    logi["stock"](hub, logi["bag"], 10)
    for _ in range(12):
        make_child()
    one, two = _campaign(logi, logi["bag"]).id, _campaign(logi, logi["bag"]).id
    # Two campaigns at once, and the first one twice more (a rerun racing the original).
    assert _in_threads(app, allocation.allocate, [(one,), (two,), (one,), (one,)]) == []
    counts = {c: db.session.scalar(select(func.count(Allocation.id)).where(Allocation.campaign_id == c))
              for c in (one, two)}
    assert sum(counts.values()) == 10
    assert _qty(hub, logi["bag"]) == 0
    assert imbalances() == []
    dupes = db.session.execute(select(Allocation.campaign_id, Allocation.child_id).group_by(
        Allocation.campaign_id, Allocation.child_id, Allocation.kind_id).having(func.count() > 1)).all()
    assert dupes == []
