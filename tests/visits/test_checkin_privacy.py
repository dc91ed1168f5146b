"""Refused check-ins give the child's home away neither through what they say nor through how often they
may be tried: a refusal says only "more than the radius", tries are limited per visit and helper (also
when several processes answer at once), and the stored check-in distance is for staff only."""
import math
import re
import threading
from datetime import timedelta

import numpy as np
import pytest
from scipy.optimize import least_squares
from sqlalchemy import select

from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.visits import answers, checkin, services
from volunteer.visits.models import Visit

from .conftest import HOME, accepted_visit, window
from .test_pages import EN, _as

M_PER_DEG = 6_371_000 * math.pi / 180  # the haversine's metres per degree of latitude
RADIUS = 300


def _point(east_m, north_m):
    """The WGS-84 point east_m, north_m metres from the home."""
    return (HOME[0] + north_m / M_PER_DEG, HOME[1] + east_m / (M_PER_DEG * math.cos(math.radians(HOME[0]))))


def _refusals(user, visit_id):
    return db.session.scalars(select(AuditEntry.reason).where(
        AuditEntry.user_id == user.id, AuditEntry.object_id == visit_id, AuditEntry.action == "deny")).all()


def _try(user, visit_id, east_m, north_m) -> str:
    with pytest.raises(checkin.InvalidInput) as exc:
        checkin.check_in(user, visit_id, *_point(east_m, north_m), accuracy=10)
    return str(exc.value.errors["location"])


def _an_hour_passes(visit_id):
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == visit_id)):
        entry.at -= timedelta(hours=1, minutes=1)
    db.session.commit()


def _revealed_metres(message: str) -> float | None:
    """The first distance a message states, in metres (what an attacker would read off it)."""
    m = re.search(r"(\d+(?:\.\d+)?)\s*(km|m)\b", message)
    return None if m is None else float(m.group(1)) * (1000 if m.group(2) == "km" else 1)


def _attack(points, messages):
    """The attacker's best guesses of the home (metres east, north) from refused points and their
    messages: least squares on the distances the messages state, and the centre of the area that no
    refusal rules out (every refusal says the home is farther than its stated distance)."""
    pts = np.array(points)
    dist = np.array([_revealed_metres(m) or RADIUS for m in messages])
    fit = least_squares(lambda c: np.linalg.norm(pts - c, axis=1) - dist, pts.mean(axis=0)).x
    lo, hi = pts.min(axis=0) - 500, pts.max(axis=0) + 500
    grid = np.stack(np.meshgrid(np.linspace(lo[0], hi[0], 150), np.linspace(lo[1], hi[1], 150)), -1).reshape(-1, 2)
    possible = grid[(np.linalg.norm(grid[:, None] - pts[None], axis=2) > dist[None]).all(axis=1)]
    return fit, possible.mean(axis=0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_refused_check_ins_from_random_points_cannot_place_the_home_closer_than_250_m(team, seed):
    """The helper tries from random points of a 1.5 km area around a spot 800 m off the home (they do not
    know where it is), waiting out each hourly limit, until no tries are left."""
    v0, visit = accepted_visit(team, 0.3)
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi)
    centre = 800 * np.array([np.cos(angle), np.sin(angle)])
    points, messages = [], []
    while len(points) < 200:
        r, a = 1500 * np.sqrt(rng.uniform()), rng.uniform(0, 2 * np.pi)
        p = centre + r * np.array([np.cos(a), np.sin(a)])
        if np.linalg.norm(p) <= RADIUS + 10:
            continue  # that try would be accepted, which says "within 300 m" by design
        message = _try(v0, visit.id, *p)
        if "Try again in" in message:
            _an_hour_passes(visit.id)
            continue
        if "used all" in message:
            break
        points.append(p)
        messages.append(message)
    fit, centre_of_possible = _attack(points, messages)
    assert np.linalg.norm(fit) >= 250 and np.linalg.norm(centre_of_possible) >= 250, (len(points), fit,
                                                                                      centre_of_possible)


def test_a_refused_check_in_says_the_same_from_near_and_far(team):
    v0, visit = accepted_visit(team, 0.3)
    messages = {_try(v0, visit.id, 0, d) for d in (310, 590, 1234, 5000)}
    assert messages == {"You are not at the child's home yet (more than 300 m away). Go to the home, or ask "
                        "the coordinator to check you in."}


def test_the_eleventh_refusal_in_an_hour_waits_even_at_the_home_and_every_refusal_is_audited(team):
    v0, visit = accepted_visit(team, 0.3)
    for i in range(10):
        assert "more than 300 m" in _try(v0, visit.id, 0, 400 + 50 * i)
    message = _try(v0, visit.id, 0, 0)  # at the door now: a yes here would answer the eleventh question
    assert message.startswith("Too many check-in tries for this visit. Try again in 1 hour")
    assert _refusals(v0, visit.id) == ["checkin:far"] * 10 + ["checkin:limit"]
    _an_hour_passes(visit.id)
    checkin.check_in(v0, visit.id, *HOME)
    assert db.session.get(Visit, visit.id).status == "checked_in"


def test_tries_end_after_thirty_refusals_for_the_visit(team):
    v0, visit = accepted_visit(team, 0.3)
    for hour in range(3):
        for i in range(10):
            _try(v0, visit.id, 0, 400 + 10 * i)
        _an_hour_passes(visit.id)
    assert _try(v0, visit.id, 0, 0) == ("You have used all 30 check-in tries for this visit. Ask the "
                                         "coordinator to check you in.")
    checkin.override_check_in(team["coord"], visit.id, "GPS keeps drifting")
    assert db.session.get(Visit, visit.id).status == "checked_in"


def test_the_limit_is_per_helper_and_configurable(app, team, monkeypatch):
    v0, v1 = team["vols"][:2]
    visit = services.assign_visit(team["coord"], team["home"].id, *window(0.3), [v0.id, v1.id])
    for v in (v0, v1):
        answers.respond(v, visit.id, True)
    monkeypatch.setitem(app.config, "VISIT_CHECKIN_TRIES_PER_HOUR", 2)
    _try(v0, visit.id, 0, 500)
    _try(v0, visit.id, 0, 600)
    assert "Try again in" in _try(v0, visit.id, 0, 700)
    assert "more than 300 m" in _try(v1, visit.id, 0, 700)  # the other helper has a count of their own


def test_racing_tries_from_many_threads_never_get_more_answers_than_the_limit(app, team):
    """Each thread has its own app context, so its own session and database connection (like a process)."""
    v0, visit = accepted_visit(team, 0.3)
    user_class, user_id, visit_id = type(v0), v0.id, visit.id  # the test's own objects stay in this thread
    go, unexpected = threading.Event(), []

    def tries(n):
        go.wait()
        with app.app_context():
            user = db.session.get(user_class, user_id)
            for k in range(3):
                try:
                    checkin.check_in(user, visit_id, *_point(0, 400 + 7 * n + k), accuracy=10)
                except checkin.InvalidInput:
                    pass
                except Exception as exc:  # noqa: BLE001  (reported below)
                    unexpected.append(exc)

    threads = [threading.Thread(target=tries, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join(timeout=120)
    reasons = _refusals(v0, visit.id)
    assert not unexpected and reasons.count("checkin:far") == 10 and reasons.count("checkin:limit") == 14


def test_the_api_answers_429_with_retry_after_once_the_tries_are_used(team, api):
    v0, visit = accepted_visit(team, 0.3)
    url = f"/api/v1/visits/{visit.id}/checkin"
    far = api(v0, "POST", url, {"lat": _point(0, 640)[0], "lon": HOME[1], "accuracy": 10})
    assert far.status_code == 422
    assert far.get_json()["error"]["fields"]["location"].startswith("You are not at the child's home yet (more "
                                                                   "than 300 m away)")
    for i in range(9):
        api(v0, "POST", url, {"lat": _point(0, 700 + i)[0], "lon": HOME[1]})
    r = api(v0, "POST", url, {"lat": HOME[0], "lon": HOME[1]})
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "rate_limited"
    assert "Try again in" in r.get_json()["error"]["message"] and 3000 < int(r.headers["Retry-After"]) <= 3600


def test_the_page_shows_the_wait_once_the_tries_are_used(app, team):
    v0, visit = accepted_visit(team, 0.3)
    vol = _as(app, v0)
    for i in range(10):
        vol.post(f"/visits/{visit.id}/checkin", data={"lat": _point(0, 640 + i)[0], "lon": HOME[1]}, headers=EN)
    page = vol.post(f"/visits/{visit.id}/checkin", data={"lat": HOME[0], "lon": HOME[1]}, headers=EN)
    body = page.get_data(as_text=True)
    assert page.status_code == 422 and "Too many check-in tries for this visit. Try again in 1 hour" in body
    assert "checkin-form" in body  # the button stays: the helper may try again after the wait


def _values(data):
    """Every value of a JSON document, nested ones too."""
    if isinstance(data, dict):
        return [v for x in data.values() for v in _values(x)]
    if isinstance(data, list):
        return [v for x in data for v in _values(x)]
    return [data]


def test_helpers_never_see_the_stored_check_in_distance_staff_do(app, team, api):
    v0, visit = accepted_visit(team, 0.3)
    checkin.check_in(v0, visit.id, *_point(0, 187))
    assert 186 < db.session.get(Visit, visit.id).check_in_distance_m < 188
    page = _as(app, v0).get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
    # The page's text, and the JSON's values, hold no such distance (ids may contain the digits: on PostgreSQL
    # ids go on counting, and a user was 190 once).
    text = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"\b(18[5-9]|190)\b", text) and "from the home" not in page
    helper = api(v0, "GET", f"/api/v1/visits/{visit.id}").get_json()
    assert "check_in_distance_m" not in helper
    assert not [v for v in _values(helper) if isinstance(v, float) and 180 < v < 195]
    assert "check_in_distance_m" not in api(v0, "GET", "/api/v1/my/visits").get_json()["items"][0]
    staff = api(team["coord"], "GET", f"/api/v1/visits/{visit.id}").get_json()
    assert 186 < staff["check_in_distance_m"] < 188
    assert "from the home" in _as(app, team["coord"]).get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
