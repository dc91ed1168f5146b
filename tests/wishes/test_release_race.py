"""Giving a claim up while the same donor (another phone) marks it bought: two threads, each with its own
database connection, released together by a barrier, many rounds. Each round ends in exactly one outcome,
never both: either the wish is back on the list, or it is bought and the claim stays live.
Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""
import threading


from tests.conftest import make_test_app
from tests.wishes.conftest import insert_published_wishes
from volunteer.accounts.models import User
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.models import Wish
from volunteer.wishes import claims, fulfil
from volunteer.wishes.models import WishClaim

ROUNDS = 30


def _claimed_wishes(make_user, make_child):
    staff = make_user(role="admin")
    donor = make_user(role="volunteer")
    child = make_child(by=staff)
    refs = [ref for _, ref in insert_published_wishes(staff, child, ROUNDS)]
    return donor, [claims.claim(donor, ref).id for ref in refs]


def test_give_up_and_bought_at_the_same_instant_end_in_exactly_one_outcome_each_round(
        app, database_url, redis_url, instance_dir, make_user, make_child):
    donor, claim_ids = _claimed_wishes(make_user, make_child)
    race = make_test_app(database_url, redis_url, instance_dir, RATELIMIT_ENABLED=False,
                         SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4, "max_overflow": 0, "pool_timeout": 60})
    steps = {"release": claims.release_own, "bought": fulfil.mark_bought}
    results = {name: [None] * ROUNDS for name in steps}
    barrier, crashes = threading.Barrier(2), []
    donor_id = donor.id  # read here: the threads must not touch this session's objects

    def tapper(name):
        try:
            with race.app_context():  # its own session, so its own pooled connection
                me = db.session.get(User, donor_id)
                db.session.connection()
                for r, claim_id in enumerate(claim_ids):
                    barrier.wait(timeout=60)
                    try:
                        steps[name](me, claim_id)
                        results[name][r] = "done"
                    except InvalidInput as exc:
                        results[name][r] = exc.errors["status"]
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 (reported below; a broken barrier stops the other too)
            crashes.append(repr(exc))
            barrier.abort()

    threads = [threading.Thread(target=tapper, args=(name,)) for name in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    with race.app_context():
        db.engine.dispose()
    assert not crashes, crashes[:3]

    db.session.expire_all()
    wins = {"release": 0, "bought": 0}
    for r, claim_id in enumerate(claim_ids):
        outcome = (results["release"][r], results["bought"][r])
        assert outcome.count("done") == 1, (r, outcome)
        row = db.session.get(WishClaim, claim_id)
        wish = db.session.get(Wish, row.wish_id)
        if outcome[0] == "done":
            wins["release"] += 1
            assert (row.status, row.active_wish_id, row.bought_at) == ("released", None, None)
            assert (wish.status, wish.claimed_by_id) == ("published", None)
        else:
            wins["bought"] += 1
            assert outcome[0] is claims.ALREADY_BOUGHT, outcome
            assert (row.status, row.active_wish_id) == ("active", wish.id) and row.bought_at is not None
            assert (wish.status, wish.claimed_by_id) == ("bought", donor_id)
    assert sum(wins.values()) == ROUNDS
