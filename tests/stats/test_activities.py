"""Activities in the statistics: a done activity is one service of its type's form and content, dated by its
start, in its district and town; person-times are the registered children taking part plus the children
expected; hours are its volunteers' approved minutes; its attended volunteers are helpers."""
import io
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest

from volunteer.activities.models import Activity, ActivityChild, ActivitySignup
from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.stats import headline, ledgers, services
from volunteer.stats.json import as_dict

PERIOD = (date(2026, 1, 1), date(2026, 6, 30))
MAY_2 = datetime(2026, 5, 2, 1, tzinfo=timezone.utc)  # 09:00 in Qingdao


@pytest.fixture
def activity(app, make_user):
    """activity(status="done", service_type="group_service", at=MAY_2, children=(), expected=10,
    volunteers=((user, approved minutes or None, attended), ...), district/town) -> Activity rows."""
    creator = make_user(role="admin")

    def make(status="done", service_type="group_service", at=MAY_2, children=(), expected=10, volunteers=(),
             district="370212", town="370212002"):
        a = Activity(title="六一游园会", service_type=service_type, starts_at=at, ends_at=at + timedelta(hours=3),
                     signup_deadline=at - timedelta(days=1), venue="社区中心", lat=36.1, lon=120.46,
                     district_code=district, town_code=town, places=10, places_taken=len(volunteers),
                     waitlist_seq=0, children_expected=expected, status=status, created_by_id=creator.id)
        db.session.add(a)
        db.session.flush()
        for child in children:
            db.session.add(ActivityChild(activity_id=a.id, child_id=child.id))
        for user, minutes, attended in volunteers:
            db.session.add(ActivitySignup(
                activity_id=a.id, volunteer_id=user.id, status="confirmed",
                signed_in_at=at if attended else None,
                signed_out_at=at + timedelta(minutes=minutes or 60) if attended else None,
                minutes=(minutes or 60) if attended else None,
                hours_status=("approved" if minutes else "pending") if attended else None,
                approved_minutes=minutes))
        db.session.commit()
        return a

    return make


@pytest.fixture
def staff(make_user):
    return {"district": make_user(role="coordinator", scope_level="district", scope_code="370212"),
            "shazikou": make_user(role="coordinator", scope_level="town", scope_code="370212002"),
            "wanggezhuang": make_user(role="coordinator", scope_level="town", scope_code="370212003"),
            "shinan": make_user(role="coordinator", scope_level="district", scope_code="370202"),
            "city": make_user(role="coordinator", scope_level="city")}


@pytest.fixture
def group_day(activity, make_user, make_child):
    """A done group service in 沙子口 on 2 May: 2 registered children, 10 expected, two volunteers approved
    for 90 minutes each, one attended with hours still pending and one who did not come."""
    kids = [make_child(), make_child(name="李小明")]
    v1, v2, v3, v4 = (make_user(role="volunteer") for _ in range(4))
    return activity(children=kids, volunteers=[(v1, 90, True), (v2, 90, True), (v3, None, True),
                                               (v4, None, False)]), kids


def _by(rows, key="key"):
    return {r[key]: (r["services"], r["person_times"], r["hours"]) for r in rows}


def test_a_done_activity_counts_as_one_service_of_its_types_form_content_month_and_area(staff, group_day):
    f = services.figures(staff["district"], *PERIOD)
    assert _by(f.by_form)["group_service"] == (1, 12, 3.0)
    assert f.by_form_total == {"services": 1, "person_times": 12, "hours": 3.0}
    assert _by(f.by_content)["quality"] == (1, 12, 3.0)
    assert _by(f.by_month, "month")["2026-05"] == (1, 12, 3.0)
    assert _by(f.by_area, "area")["370212002"] == (1, 12, 3.0)
    assert _by(f.by_area, "area")["370212003"] == (0, 0, 0.0)
    rows = {r["service_type"]: (r["visits"], r["person_times"], r["hours"]) for r in f.services}
    assert rows["group_service"] == (1, 12, 3.0)
    assert f.services_total == {"visits": 1, "person_times": 12, "hours": 3.0}


def test_volunteers_who_attended_are_helpers_and_their_approved_minutes_the_hours(staff, group_day):
    f = services.figures(staff["district"], *PERIOD)
    # Three attended (one still waiting for approval: no hours yet); the one who did not come is not counted.
    assert f.volunteers == {"served": 3, "helper_times": 3, "hours": 3.0}
    assert f.reach["children_served"] == 2  # the registered children; the expected ones have no identity


def test_the_headline_and_the_json_count_the_activity(staff, group_day):
    f = services.figures(staff["district"], *PERIOD)
    values = {r["key"]: r["value"] for r in f.headline}
    assert (values["services"], values["person_times"], values["hours"], values["volunteers"]) == (1, 12, 3.0, 3)
    assert headline.totals("370212", *PERIOD)["services"] == 1
    assert as_dict(f)["by_form_total"] == {"services": 1, "person_times": 12, "hours": 3.0}


def test_a_camp_counts_under_other_form_and_camps_and_other_services(staff, activity):
    activity(service_type="camp", expected=5)
    f = services.figures(staff["district"], *PERIOD)
    assert _by(f.by_form)["other"] == (1, 5, 0.0)
    assert _by(f.by_content)["camp_other"] == (1, 5, 0.0)


def test_a_community_activity_counts_as_such(staff, activity):
    activity(service_type="community_activity", expected=7)
    f = services.figures(staff["district"], *PERIOD)
    assert _by(f.by_form)["community_activity"] == (1, 7, 0.0)


@pytest.mark.parametrize("status", ["draft", "published", "closed", "cancelled"])
def test_an_activity_not_done_is_not_counted(staff, activity, make_user, status):
    activity(status=status, volunteers=[(make_user(role="volunteer"), 90, True)])
    f = services.figures(staff["district"], *PERIOD)
    assert f.by_form_total == {"services": 0, "person_times": 0, "hours": 0.0}
    assert f.volunteers == {"served": 0, "helper_times": 0, "hours": 0.0}


def test_an_activity_outside_the_period_is_not_counted(staff, activity):
    activity(at=datetime(2025, 12, 31, 15, tzinfo=timezone.utc))  # 23:00 on 31 December in Qingdao
    assert services.figures(staff["district"], *PERIOD).by_form_total["services"] == 0


def test_coordinators_see_an_activity_only_inside_their_scope(staff, group_day):
    assert services.figures(staff["shazikou"], *PERIOD).by_form_total["services"] == 1
    assert services.figures(staff["city"], *PERIOD).by_form_total["services"] == 1
    for outsider in ("wanggezhuang", "shinan"):
        f = services.figures(staff[outsider], *PERIOD)
        assert f.by_form_total == {"services": 0, "person_times": 0, "hours": 0.0}, outsider
        assert f.volunteers["served"] == 0 and f.reach["children_served"] == 0


def test_the_city_counts_the_activity_in_its_district(staff, group_day):
    f = services.figures(staff["city"], *PERIOD)
    assert _by(f.by_area, "area")["370212"] == (1, 12, 3.0)


def test_visits_and_activities_add_up_and_a_child_served_by_both_counts_once(staff, activity, make_child,
                                                                             make_user, app):
    from tests.stats.conftest import _utc
    from volunteer.visits.models import Visit, VisitAssignee

    admin = make_user(role="admin")
    kid = make_child(by=admin)
    helper = make_user(role="volunteer")
    need = create_need(admin, kid.ref, {"dimension": "intellect", "service_type": "tutoring"})
    at = _utc(2026, 5, 10, 2)
    visit = Visit(need_id=need.id, child_id=kid.id, status="done", starts_at=at, ends_at=at + timedelta(hours=1),
                  checked_in_at=at, children_served=1)
    visit.assignees = [VisitAssignee(user_id=helper.id, status="accepted", checked_in_at=at, service_minutes=60)]
    db.session.add(visit)
    db.session.commit()
    activity(children=[kid], expected=4, volunteers=[(helper, 120, True)])
    f = services.figures(staff["district"], *PERIOD)
    assert _by(f.by_month, "month")["2026-05"] == (2, 6, 3.0)
    assert f.volunteers == {"served": 1, "helper_times": 2, "hours": 3.0}
    assert f.reach["children_served"] == 1


def _sheet(content: bytes):
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return rows[1], [dict(zip(rows[1], r)) for r in rows[2:-1]]


def test_the_ledgers_list_the_activity_and_add_up_to_the_figures(app, staff, group_day):
    _activity, kids = group_day
    with app.test_request_context(headers={"Accept-Language": "en"}):
        f = services.figures(staff["district"], *PERIOD)
        _header, rows = _sheet(ledgers.services_workbook(staff["district"], *PERIOD))
        assert len(rows) == f.services_total["visits"] == 1
        row = rows[0]
        assert (row["Date"], row["Child reference"], row["Town or street"], row["Service form"],
                row["Service content"], row["Volunteer check-ins"], row["Person-times"], row["Service hours"],
                row["Visit report"]) == (datetime(2026, 5, 2), f"{kids[0].ref}、{kids[1].ref}", "沙子口街道",
                                         "Group service", "Quality improvement", 3, 12, 3.0, "Activity: 六一游园会")
        _header, people = _sheet(ledgers.volunteers_workbook(staff["district"], *PERIOD))
        assert len(people) == f.volunteers["served"] == 3
        assert sum(p["Number of services"] for p in people) == f.volunteers["helper_times"]
        assert round(sum(p["Service hours"] for p in people), 1) == f.volunteers["hours"] == 3.0
        assert {p["Last service"] for p in people} == {datetime(2026, 5, 2)}
        for outsider in ("wanggezhuang", "shinan"):
            assert _sheet(ledgers.services_workbook(staff[outsider], *PERIOD))[1] == []
            assert _sheet(ledgers.volunteers_workbook(staff[outsider], *PERIOD))[1] == []
