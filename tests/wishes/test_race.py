"""The claim race: 50 donors tap the same wish at the same instant (a threading.Barrier releases them),
100 times over; each claimant has its own database connection (service level) or its own HTTP client.
Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""
import threading

from sqlalchemy import func, select

from tests.conftest import make_test_app
from tests.wishes.conftest import insert_published_wishes
from volunteer.accounts.models import User
from volunteer.extensions import db
from volunteer.needs.models import Wish
from volunteer.wishes import claims
from volunteer.wishes.models import WishClaim

CLAIMANTS = 50
ROUNDS = 100
HTTP_ROUNDS = 10  # every HTTP round is 50 full requests; the service race above covers the 100 rounds
HX = {"HX-Request": "true"}


def _setup(make_user, make_child, rounds):
    staff = make_user(role="admin")
    child = make_child(by=staff)
    donors = [make_user(role="volunteer") for _ in range(CLAIMANTS)]
    return donors, insert_published_wishes(staff, child, rounds)


def _race_app(database_url, redis_url, instance_dir):
    """Its own app on the same database and Redis, with a pool in which every claimant holds a connection."""
    return make_test_app(database_url, redis_url, instance_dir, RATELIMIT_ENABLED=False,
                         SQLALCHEMY_ENGINE_OPTIONS={"pool_size": CLAIMANTS + 2, "max_overflow": 0,
                                                    "pool_timeout": 60})


def _run(claimant, rounds):
    """Start CLAIMANTS threads running claimant(k, barrier, results) and return results[round][k]."""
    barrier = threading.Barrier(CLAIMANTS)
    results = [[None] * CLAIMANTS for _ in range(rounds)]
    crashes = []

    def guarded(k):
        try:
            claimant(k, barrier, results)
        except Exception as exc:  # noqa: BLE001 (reported below; a broken barrier stops the others too)
            crashes.append(repr(exc))
            barrier.abort()

    threads = [threading.Thread(target=guarded, args=(k,)) for k in range(CLAIMANTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not crashes, crashes[:3]
    return results


def _one_claim_row_per_wish(wishes, donors, winners):
    db.session.expire_all()
    for (wish_id, _ref), winner in zip(wishes, winners):
        rows = db.session.execute(select(WishClaim.donor_id, WishClaim.status)
                                  .where(WishClaim.wish_id == wish_id)).all()
        assert rows == [(donors[winner].id, "active")]
        wish = db.session.get(Wish, wish_id)
        assert wish.status == "claimed" and wish.claimed_by_id == donors[winner].id
    assert db.session.scalar(select(func.count(WishClaim.id))) == len(wishes)


def test_fifty_claimants_with_their_own_connections_leave_one_winner_in_each_of_100_rounds(
        app, database_url, redis_url, instance_dir, make_user, make_child):
    donors, wishes = _setup(make_user, make_child, ROUNDS)
    race = _race_app(database_url, redis_url, instance_dir)
    donor_ids = [d.id for d in donors]

    def claimant(k, barrier, results):
        with race.app_context():  # its own session, so its own pooled connection
            me = db.session.get(User, donor_ids[k])
            db.session.connection()
            for r, (_id, ref) in enumerate(wishes):
                barrier.wait(timeout=60)
                try:
                    results[r][k] = ("won", claims.claim(me, ref).donor_id)
                except claims.ClaimRefused as exc:
                    results[r][k] = ("told", exc.message)
            db.session.remove()

    results = _run(claimant, ROUNDS)
    with race.app_context():
        db.engine.dispose()
    winners = []
    for r, outcomes in enumerate(results):
        kinds = [o[0] for o in outcomes]
        assert kinds.count("won") == 1, (r, kinds)
        winners.append(kinds.index("won"))
        assert outcomes[winners[-1]][1] == donor_ids[winners[-1]]
        assert all(o[1] is claims.ALREADY_CLAIMED for o in outcomes if o[0] == "told")
    _one_claim_row_per_wish(wishes, donors, winners)


def test_fifty_http_clients_tapping_one_wish_get_one_200_and_49_clear_409s(
        app, database_url, redis_url, instance_dir, make_user, make_child):
    donors, wishes = _setup(make_user, make_child, HTTP_ROUNDS)
    race = _race_app(database_url, redis_url, instance_dir)
    clients = []
    for donor in donors:
        client = race.test_client()
        assert client.post("/login", data={"phone": donor.phone, "password": "Huhang-2026"}).status_code == 302
        clients.append(client)

    def claimant(k, barrier, results):
        for r, (_id, ref) in enumerate(wishes):
            barrier.wait(timeout=60)
            resp = clients[k].post(f"/wishes/{ref}/claim", headers=HX)
            results[r][k] = (resp.status_code, resp.get_data(as_text=True))

    results = _run(claimant, HTTP_ROUNDS)
    with race.app_context():
        db.engine.dispose()
    winners = []
    for r, outcomes in enumerate(results):
        statuses = [s for s, _ in outcomes]
        assert statuses.count(200) == 1 and statuses.count(409) == CLAIMANTS - 1, (r, statuses)
        winners.append(statuses.index(200))
        assert "Claimed by you" in outcomes[winners[-1]][1] or "已由您认领" in outcomes[winners[-1]][1]
        for status, body in outcomes:
            assert "database is locked" not in body
            if status == 409:
                assert 'class="flash flash-error claim-refused"' in body
    _one_claim_row_per_wish(wishes, donors, winners)
