"""Browser tests: a live server in a thread, Debian's chromium, an emulated phone in Chinese."""
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

# The browser tests run on the same real database, Redis and worker fixtures as the unit tests.
from tests.conftest import *  # noqa: F401,F403

CHROMIUM = "/usr/bin/chromium"
RESULTS = Path(__file__).resolve().parent.parent / "test-results"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browser here; Debian's chromium works through executable_path.
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--disable-background-networking", "--disable-component-update", "--no-first-run"]}


def _serve(app):
    """Serve app on a free port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """Serve the test app on a free port in a thread; yield its base URL."""
    yield from _serve(app)


# Module-scoped equivalents, for a module that builds one data set and reads it in many tests (test_layout.py).
# The next test using `app` cleans the tables again, so nothing leaks out of the module.
@pytest.fixture(scope="module")
def module_app(migrated, database_url, redis_url, instance_dir):
    """A fresh app on clean tables and an empty Redis for a whole module, inside an app context."""
    from tests.conftest import _clean, make_test_app
    from volunteer.extensions import db

    _clean(migrated)
    app = make_test_app(database_url, redis_url, instance_dir)
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def module_live_server(module_app):
    """Serve the module's app on a free port in a thread; yield its base URL."""
    yield from _serve(module_app)


def _contexts(browser, request, **options):
    """A factory of browser contexts (no network: tiles answer 204); screenshots if the test fails."""
    contexts = []

    def make(**extra):
        ctx = browser.new_context(timezone_id="Asia/Shanghai", **{**options, **extra})
        ctx.route("https://*.tile.openstreetmap.org/**", lambda route: route.fulfill(status=204))
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for i, ctx in enumerate(contexts):
        if failed:
            RESULTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            for j, page in enumerate(ctx.pages):
                page.screenshot(path=str(RESULTS / f"{name}-{i}-{j}.png"), full_page=True)
        ctx.close()


@pytest.fixture
def phone(browser, playwright, request):
    """phone(geolocation=(lat, lon), locale=...): an emulated iPhone in Chinese, at 崂山区 by default."""
    factory = _contexts(browser, request, **playwright.devices["iPhone 13"], permissions=["geolocation"])
    make = next(factory)

    def phone_page(geolocation=(36.1025, 120.4678), locale="zh-CN"):
        return make(locale=locale, geolocation={"latitude": geolocation[0], "longitude": geolocation[1]})

    yield phone_page
    next(factory, None)


@pytest.fixture
def desktop(browser, request):
    """desktop(locale=...): a 1280x800 desktop browser in Chinese by default."""
    factory = _contexts(browser, request, viewport={"width": 1280, "height": 800})
    make = next(factory)
    yield lambda locale="zh-CN": make(locale=locale)
    next(factory, None)
