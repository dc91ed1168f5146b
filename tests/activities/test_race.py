"""The sign-up race: 50 volunteers tap one 10-place activity at the same instant (a threading.Barrier
releases them), round after round; each has its own database connection. Runs on SQLite and, with
DATABASE_URL, on PostgreSQL."""
from sqlalchemy import select

from tests.activities.conftest import activity_data
from tests.wishes.test_race import _race_app, _run
from volunteer.accounts.models import User
from volunteer.activities import services
from volunteer.activities.models import Activity, ActivitySignup
from volunteer.extensions import db

VOLUNTEERS = 50  # the same as tests.wishes.test_race.CLAIMANTS, which _run and _race_app use
PLACES = 10
ROUNDS = 20


def _rows(activity_id):
    return db.session.execute(select(ActivitySignup.volunteer_id, ActivitySignup.status, ActivitySignup.position)
                              .where(ActivitySignup.activity_id == activity_id)).all()


def test_fifty_volunteers_racing_for_ten_places_get_exactly_ten_and_a_gapless_waitlist(
        app, database_url, redis_url, instance_dir, make_user, people):
    coord = people["coordinator"]
    activities = [services.publish(coord, services.create(coord, activity_data(places=PLACES)).id).id
                  for _ in range(ROUNDS)]
    ids = [make_user(role="volunteer").id for _ in range(VOLUNTEERS)]
    race = _race_app(database_url, redis_url, instance_dir)

    def volunteer(k, barrier, results):
        with race.app_context():  # its own session, so its own pooled connection
            me = db.session.get(User, ids[k])
            db.session.connection()
            for r, activity_id in enumerate(activities):
                barrier.wait(timeout=60)
                row = services.sign_up(me, activity_id)
                results[r][k] = (row.status, row.position)
                again = services.sign_up(me, activity_id)  # a double tap: the same row
                assert (again.id, again.status) == (row.id, row.status)
            db.session.remove()

    results = _run(volunteer, ROUNDS)
    with race.app_context():
        db.engine.dispose()
    db.session.expire_all()
    for r, activity_id in enumerate(activities):
        statuses = [s for s, _p in results[r]]
        assert statuses.count("confirmed") == PLACES, (r, statuses)
        rows = _rows(activity_id)
        assert sorted(p for _v, s, p in rows if s == "waitlisted") == list(range(1, VOLUNTEERS - PLACES + 1))
        assert len(rows) == VOLUNTEERS and db.session.get(Activity, activity_id).places_taken == PLACES


def test_promotion_after_the_race_follows_the_waitlist_order(
        app, database_url, redis_url, instance_dir, make_user, people):
    coord = people["coordinator"]
    activity_id = services.publish(coord, services.create(coord, activity_data(places=PLACES)).id).id
    ids = [make_user(role="volunteer").id for _ in range(VOLUNTEERS)]
    race = _race_app(database_url, redis_url, instance_dir)

    def volunteer(k, barrier, results):
        with race.app_context():
            me = db.session.get(User, ids[k])
            db.session.connection()
            barrier.wait(timeout=60)
            results[0][k] = services.sign_up(me, activity_id).status
            db.session.remove()

    _run(volunteer, 1)
    with race.app_context():
        db.engine.dispose()
    db.session.expire_all()
    rows = _rows(activity_id)
    confirmed = [v for v, s, _p in rows if s == "confirmed"]
    queue = [v for v, _s, _p in sorted((r for r in rows if r[1] == "waitlisted"), key=lambda r: r[2])]
    for n, leaver in enumerate(confirmed[:5]):
        services.cancel_signup(db.session.get(User, leaver), activity_id)
        db.session.expire_all()
        now = {v: s for v, s, _p in _rows(activity_id)}
        assert [now[v] for v in queue[:n + 1]] == ["confirmed"] * (n + 1)
        assert [now[v] for v in queue[n + 1:]] == ["waitlisted"] * (len(queue) - n - 1)
    assert db.session.get(Activity, activity_id).places_taken == PLACES


def test_cancels_racing_new_sign_ups_never_leave_a_free_place_while_someone_waits(
        app, database_url, redis_url, instance_dir, make_user, people):
    coord = people["coordinator"]
    activities = [services.publish(coord, services.create(coord, activity_data(places=PLACES)).id).id
                  for _ in range(5)]
    ids = [make_user(role="volunteer").id for _ in range(VOLUNTEERS)]
    for activity_id in activities:  # the first 10 hold the places; they cancel while 40 others sign up
        for k in range(PLACES):
            services.sign_up(db.session.get(User, ids[k]), activity_id)
    race = _race_app(database_url, redis_url, instance_dir)

    def volunteer(k, barrier, results):
        with race.app_context():
            me = db.session.get(User, ids[k])
            db.session.connection()
            for r, activity_id in enumerate(activities):
                barrier.wait(timeout=60)
                act = services.cancel_signup if k < PLACES else services.sign_up
                results[r][k] = act(me, activity_id).status
            db.session.remove()

    _run(volunteer, len(activities))
    with race.app_context():
        db.engine.dispose()
    db.session.expire_all()
    for activity_id in activities:
        rows = _rows(activity_id)
        confirmed = [v for v, s, _p in rows if s == "confirmed"]
        assert len(confirmed) == PLACES == db.session.get(Activity, activity_id).places_taken, rows
        assert set(confirmed) <= set(ids[PLACES:])
        assert len([1 for _v, s, _p in rows if s == "waitlisted"]) == VOLUNTEERS - 2 * PLACES
