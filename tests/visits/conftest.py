"""Visit fixtures: a coordinator, volunteers with skills near a child at a known point, needs."""
from datetime import datetime, time, timedelta

import pytest
from flask_babel import force_locale

from volunteer.extensions import db
from volunteer.types import utcnow
from volunteer.visits.services import LOCAL
from volunteer.volunteers.models import VolunteerSkill

HOME = (36.1102, 120.4622)  # the child's exact point in tests/conftest.py CHILD


@pytest.fixture(autouse=True)
def english(app):
    """Service messages are lazy strings: read them in English (the default locale is Chinese)."""
    with force_locale("en"):
        yield


def add_skills(user, *skills, verified=True):
    for s in skills:
        db.session.add(VolunteerSkill(user_id=user.id, skill=s, credential_status="verified" if verified else "none"))
    db.session.commit()


@pytest.fixture
def team(app, make_user, make_child):
    """coordinator (district 370212), three volunteers with home_visit + tutoring, a child, two needs."""
    from volunteer.needs.services import create_need

    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    vols = [make_user(role="volunteer") for _ in range(3)]
    for v in vols:
        add_skills(v, "home_visit", "tutoring")
    child = make_child(by=coord)
    tutoring = create_need(coord, child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                              "skills": ["tutoring"]})
    home = create_need(coord, child.ref, {"dimension": "social", "service_type": "home_visit_survey",
                                          "rhythm": "monthly", "skills": ["home_visit"]})
    return {"coord": coord, "vols": vols, "child": child, "tutoring": tutoring, "home": home}


def window(hours_from_now=24.0, length=2.0):
    """(start, end) about hours_from_now ahead; a day-scale window (12 h or more away) is moved earlier, by at
    most `length`, to end by Qingdao midnight: a visit crossing midnight counts on both days under the
    one-visit-a-day rule, so windows a day apart would otherwise clash at some hours of the day."""
    start = utcnow() + timedelta(hours=hours_from_now)
    end = start + timedelta(hours=length)
    if abs(hours_from_now) >= 12:
        midnight = datetime.combine(end.astimezone(LOCAL).date(), time(0), LOCAL)
        if start < midnight < end:
            start, end = midnight - timedelta(hours=length), midnight
    return start, end


@pytest.fixture
def private_instance(app, tmp_path, monkeypatch):
    """An instance folder of the test's own (report photos are written there)."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


def accepted_visit(team, hours_from_now):
    """(volunteer, visit): the team's tutoring need planned for its first volunteer, who accepted."""
    from volunteer.visits import answers, services

    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(hours_from_now), [v0.id])
    answers.respond(v0, visit.id, True)
    return v0, visit


@pytest.fixture
def api(client):
    """api(user, method, path, json=None, headers=None) -> response, with a token of user, in English."""
    from volunteer.api.services import issue_token

    tokens = {}

    def call(user, method, path, json=None, headers=None):
        if user.id not in tokens:
            tokens[user.id] = issue_token(user, "tests")[1]
        return client.open(path, method=method, json=json, headers={"Authorization": f"Bearer {tokens[user.id]}",
                                                                    "Accept-Language": "en", **(headers or {})})
    return call
