from datetime import timedelta
from functools import partial

import pytest
from flask_babel import force_locale

from volunteer.activities import services
from volunteer.types import utcnow


@pytest.fixture(autouse=True)
def english(app):
    """Service messages are lazy strings: read them in English (the default locale is Chinese)."""
    with force_locale("en"):
        yield


def activity_data(**over) -> dict:
    """Valid fields of a 崂山区 group service a week away (sign-up until the day before), open to every
    volunteer (no required skills, no minimum age: tests of those rules set them)."""
    start = utcnow().replace(microsecond=0) + timedelta(days=7)
    data = {"title": "六一游园会", "service_type": "group_service", "starts_at": start,
            "ends_at": start + timedelta(hours=3), "signup_deadline": start - timedelta(days=1),
            "venue": "崂山区社区中心", "lat": 36.107, "lon": 120.468, "district_code": "370212",
            "town_code": "370212001", "places": 10, "skills": [], "min_age": None,
            "children_expected": 30}
    data.update(over)
    return data


@pytest.fixture
def people(make_user, make_org):
    """A 崂山区 coordinator, one of 市南区, an org admin and a plain volunteer, reading in English."""
    org = make_org()
    make_user = partial(make_user, locale="en")
    return {
        "coordinator": make_user(role="coordinator", scope_level="district", scope_code="370212"),
        "outsider": make_user(role="coordinator", scope_level="district", scope_code="370202"),
        "org_admin": make_user(role="org_admin", organisation_id=org.id),
        "volunteer": make_user(role="volunteer"),
    }


@pytest.fixture
def published(people):
    """published(**fields): a published activity organised by the 崂山区 coordinator."""
    def make(**over):
        activity = services.create(people["coordinator"], activity_data(**over))
        return services.publish(people["coordinator"], activity.id)

    return make
