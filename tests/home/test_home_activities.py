"""The volunteer home's activities part: my next sign-ups, and how many activities /activities lists near home."""
from datetime import timedelta

from tests.activities.conftest import activity_data
from tests.matching.test_nearme import HOME as NEAR_HOME, make_volunteer
from volunteer.activities import services
from volunteer.types import utcnow

from .people import client_of, element, get, href, items


def _published(coordinator, **over):
    return services.publish(coordinator, services.create(coordinator, activity_data(**over)).id)


def test_my_sign_up_shows_on_home_with_its_status_and_opens_the_activity(app, make_user):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    volunteer = make_volunteer(make_user, point=NEAR_HOME)
    soon = _published(coordinator, title="周末亲子阅读会")
    full = _published(coordinator, title="海边环保小卫士", places=1,
                      starts_at=utcnow().replace(microsecond=0) + timedelta(days=9),
                      ends_at=utcnow().replace(microsecond=0) + timedelta(days=9, hours=2),
                      signup_deadline=utcnow() + timedelta(days=8))
    services.sign_up(make_user(role="volunteer"), full.id)
    services.sign_up(volunteer, soon.id)
    services.sign_up(volunteer, full.id)
    c = client_of(app, volunteer)
    part = element(get(c, "/"), "home-activities")
    assert "周末亲子阅读会" in part and "已报名" in part and "候补第 1 位" in part
    assert part.index("周末亲子阅读会") < part.index("海边环保小卫士")  # soonest first
    assert "周末亲子阅读会" in get(c, href(part, f"home-activity-{soon.id}"))


def test_the_near_count_is_what_the_activities_page_lists(app, make_user):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    volunteer = make_volunteer(make_user, point=NEAR_HOME)
    for n in range(3):
        _published(coordinator, title=f"活动{n}")
    c = client_of(app, volunteer)
    part = element(get(c, "/"), "home-activities")
    link = element(part, "home-activities-near")
    assert "3" in link
    assert items(get(c, href(part, "home-activities-near")), "activity-list", r'<li\b[^>]*id="activity-') == 3


def test_with_no_activity_near_the_part_says_so(app, make_user):
    part = element(get(client_of(app, make_volunteer(make_user, point=NEAR_HOME)), "/"), "home-activities")
    assert "附近暂时没有活动" in part
