"""Idempotency keys: the same key gives the first result back, concurrent duplicates run the action once,
keys are forgotten after 7 days."""
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.offline import idempotency
from volunteer.offline.models import IdempotencyKey
from volunteer.types import utcnow

KEY = "3f2b9c1e-6a0d-4f8e-9b7a-2c5d8e1f0a4b"


def test_the_same_key_returns_the_first_result_and_runs_the_work_once(app, make_user):
    user = make_user(role="volunteer")
    calls = []

    def work():
        calls.append(1)
        return 200, f'{{"n": {len(calls)}}}'

    first = idempotency.run(user.id, KEY, "checkin:1", work)
    again = idempotency.run(user.id, KEY, "checkin:1", work)
    assert (first.status, first.body, first.replayed) == (200, '{"n": 1}', False)
    assert (again.status, again.body, again.replayed) == (200, '{"n": 1}', True)
    assert calls == [1]


def test_a_refusal_is_the_first_result_too(app, make_user):
    user = make_user(role="volunteer")
    idempotency.run(user.id, KEY, "report:1", lambda: (422, '{"ok": false}'))
    assert idempotency.run(user.id, KEY, "report:1", lambda: (200, '{"ok": true}')).body == '{"ok": false}'


def test_keys_belong_to_one_user_and_one_action(app, make_user):
    a, b = make_user(role="volunteer"), make_user(role="volunteer")
    idempotency.run(a.id, KEY, "checkin:1", lambda: (200, "a"))
    assert idempotency.run(b.id, KEY, "checkin:1", lambda: (200, "b")).body == "b"  # another user's key
    with pytest.raises(idempotency.KeyMismatch):
        idempotency.run(a.id, KEY, "checkout:1", lambda: (200, "c"))


def test_work_that_fails_gives_the_key_back_for_a_retry(app, make_user):
    user = make_user(role="volunteer")

    def boom():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        idempotency.run(user.id, KEY, "checkin:1", boom)
    assert idempotency.run(user.id, KEY, "checkin:1", lambda: (200, "ok")).body == "ok"


def test_a_duplicate_while_the_first_runs_is_told_to_wait_and_the_work_runs_once(app, make_user):
    uid = make_user(role="volunteer").id  # threads never touch the test's own session
    inside, release, results, calls = threading.Event(), threading.Event(), {}, []

    def slow():
        calls.append("first")
        inside.set()
        release.wait(10)
        return 200, "first"

    def first():
        with app.app_context():
            results["first"] = idempotency.run(uid, KEY, "checkin:1", slow)
            db.session.remove()

    t = threading.Thread(target=first)
    t.start()
    assert inside.wait(10)
    with pytest.raises(idempotency.KeyInUse):
        idempotency.run(uid, KEY, "checkin:1", lambda: calls.append("second") or (200, "second"))
    release.set()
    t.join(10)
    assert results["first"].body == "first"
    assert idempotency.run(uid, KEY, "checkin:1", lambda: (200, "third")).body == "first"
    assert calls == ["first"]


def test_concurrent_duplicates_run_the_action_exactly_once(app, make_user):
    uid = make_user(role="volunteer").id
    start, lock, calls, answers = threading.Barrier(6), threading.Lock(), [], []

    def work():
        with lock:
            calls.append(1)
        time.sleep(0.2)  # the duplicates arrive while it runs
        return 200, "done"

    def request():
        with app.app_context():
            start.wait(10)
            try:
                answers.append(idempotency.run(uid, KEY, "checkin:1", work).body)
            except idempotency.KeyInUse:
                answers.append("busy")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(calls) == 1
    assert set(answers) <= {"busy", "done"} and len(answers) == 6 and "done" in answers
    assert db.session.scalar(select(func.count(IdempotencyKey.id))) == 1


def test_a_claim_left_by_a_request_that_died_is_taken_over_after_a_while(app, make_user):
    user = make_user(role="volunteer")
    assert idempotency.claim(user.id, KEY, "checkin:1") is None  # this request never finishes
    with pytest.raises(idempotency.KeyInUse):
        idempotency.claim(user.id, KEY, "checkin:1")
    later = utcnow() + idempotency.STALE + timedelta(seconds=1)
    assert idempotency.claim(user.id, KEY, "checkin:1", now=later) is None


def test_keys_are_kept_seven_days_then_the_cleanup_forgets_them(app, make_user):
    user = make_user(role="volunteer")
    idempotency.run(user.id, KEY, "checkin:1", lambda: (200, "ok"))
    row = db.session.scalar(select(IdempotencyKey))
    assert row.expires_at - row.created_at == timedelta(days=7)
    assert idempotency.cleanup(utcnow() + timedelta(days=6)) == 0
    assert idempotency.cleanup(utcnow() + timedelta(days=7, minutes=1)) == 1
    assert db.session.scalar(select(func.count(IdempotencyKey.id))) == 0


def test_the_visits_sweep_forgets_old_keys(app, make_user):
    from volunteer.visits import reminders

    user = make_user(role="volunteer")
    idempotency.run(user.id, KEY, "checkin:1", lambda: (200, "ok"))
    assert reminders.sweep(utcnow() + timedelta(days=8))["idempotency_keys_forgotten"] == 1


@pytest.mark.parametrize("key,ok", [(KEY, True), ("abcd1234", True), ("short", False), ("x" * 65, False),
                                    ("bad key!", False), (None, False)])
def test_a_key_is_8_to_64_plain_characters(key, ok):
    assert idempotency.valid(key) is ok
