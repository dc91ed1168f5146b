"""A driver's runs on any home: the runs still to drive, with their stops, each opening its route; the count is
the list "To drive" of /deliveries, and a finished run or nobody's run shows nothing."""
import re

from tests.logistics.conftest import logi  # noqa: F401 (a fixture)
from tests.logistics.test_delivery import confirmed  # noqa: F401 (a fixture)
from volunteer.extensions import db
from volunteer.logistics import runs
from volunteer.logistics.models import DeliveryRun

from .people import client_of, element, get, href, items


def _give(confirmed, driver, capacity=3):
    made = runs.plan(confirmed["campaign"].id, capacity)
    run_list = runs.runs_of(confirmed["campaign"].id)
    assert made == len(run_list) >= 2
    for r in run_list:
        runs.assign_driver(confirmed["coordinator"], r.id, driver.phone)
    return run_list


def test_a_volunteers_home_lists_the_runs_to_drive_as_my_deliveries_does(app, confirmed, make_user):
    driver = make_user(role="volunteer")
    run_list = _give(confirmed, driver)
    runs.finish(driver, run_list[0].id)
    c = client_of(app, driver)
    home = get(c, "/")
    assert home.index('id="home-runs"') < home.index('id="home-visits"')
    shown = re.findall(r'id="home-run-(\d+)"', element(home, "home-run-list"))
    to_drive = re.findall(r'id="my-run-(\d+)"', element(get(c, href(home, "home-runs-all")), "my-runs"))
    assert sorted(shown) == sorted(to_drive) and len(shown) == len(run_list) - 1
    assert f'>{len(shown)}<' in element(home, "home-runs-count")
    second = db.session.get(DeliveryRun, run_list[1].id)
    link = element(home, f"home-run-{second.id}")
    assert f'href="/deliveries/{second.id}"' in link and f"{len(second.stops)} 个站点" in link
    assert get(c, href(home, f"home-run-{second.id}"))


def test_a_coordinator_who_drives_gets_the_runs_on_their_home_too(app, confirmed):
    coordinator = confirmed["coordinator"]
    _give(confirmed, coordinator)
    assert items(get(client_of(app, coordinator), "/"), "home-run-list") >= 2


def test_without_a_run_to_drive_the_home_shows_no_runs(app, confirmed, make_user):
    driver = make_user(role="volunteer")
    _give(confirmed, make_user(role="volunteer"))
    assert 'id="home-runs"' not in get(client_of(app, driver), "/")
