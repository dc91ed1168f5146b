"""Visit fixtures: a coordinator, volunteers with skills near a child at a known point, needs."""
from datetime import timedelta

import pytest
from flask_babel import force_locale

from volunteer.extensions import db
from volunteer.types import utcnow
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
    start = utcnow() + timedelta(hours=hours_from_now)
    return start, start + timedelta(hours=length)
