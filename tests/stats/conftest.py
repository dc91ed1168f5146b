"""Statistics fixtures: services that took place, written as rows (as the visits flow leaves them)."""
from datetime import datetime, timedelta, timezone

import pytest

from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.visits.models import Visit, VisitAssignee


@pytest.fixture
def serve(app):
    """serve(need, helpers, at, minutes=60, children=1, form=None, content=None, status="done") -> Visit:
    a visit that took place at `at` (aware UTC), each helper checked in for `minutes`."""
    def make(need, helpers, at, minutes=60, children=1, form=None, content=None, status="done"):
        visit = Visit(need_id=need.id, child_id=need.child_id, status=status, starts_at=at,
                      ends_at=at + timedelta(hours=2), checked_in_at=at,
                      children_served=children, service_form=form, service_content=content)
        visit.assignees = [VisitAssignee(user_id=h.id, status="accepted", checked_in_at=at,
                                         checked_out_at=at + timedelta(minutes=minutes), service_minutes=minutes)
                           for h in helpers]
        db.session.add(visit)
        db.session.commit()
        return visit

    return make


SHINAN = {"district_code": "370202", "town_code": "370202001", "lat": "36.0661", "lon": "120.3830"}
WANGGEZHUANG = {"town_code": "370212003"}  # 崂山区, another town than the factory's 沙子口街道


def _utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def laoshan(app, make_user, make_child, serve):
    """Services in 崂山区's two towns (one a group activity with 12 children, some with overrides) and in
    市南区, plus services that do not count (cancelled, before the period)."""
    admin = make_user(role="admin")
    users = {"admin": admin,
             "district": make_user(role="coordinator", scope_level="district", scope_code="370212"),
             "town": make_user(role="coordinator", scope_level="town", scope_code="370212003")}
    v1, v2, v3 = (make_user(role="volunteer") for _ in range(3))
    a = make_child(by=admin, category="orphan")                      # 沙子口街道
    b = make_child(by=admin, category="left_behind", **WANGGEZHUANG)  # 王哥庄街道
    c = make_child(by=admin, **SHINAN)                               # 市南区
    tutoring = create_need(admin, a.ref, {"dimension": "intellect", "service_type": "tutoring"})
    survey = create_need(admin, b.ref, {"dimension": "social", "service_type": "home_visit_survey"})
    group = create_need(admin, b.ref, {"dimension": "mind", "service_type": "group_service"})
    far = create_need(admin, c.ref, {"dimension": "body", "service_type": "rehabilitation"})
    serve(tutoring, [v1], _utc(2026, 3, 10, 2), 90)                     # case service, tutoring
    serve(survey, [v1, v2], _utc(2026, 3, 31, 17), 60)                  # 1 April 01:00 in Qingdao
    serve(group, [v2, v3], _utc(2026, 5, 2, 1), 120, children=12)       # group service, quality
    serve(tutoring, [v3], _utc(2026, 5, 20, 6), 60, children=3, form="group_service", content="camp_other")
    serve(group, [v1], _utc(2026, 6, 30, 15), 30, content="none")       # 23:00 on 30 June in Qingdao
    serve(far, [v3], _utc(2026, 3, 10, 2), 45)                          # 市南区
    serve(survey, [v1], _utc(2026, 3, 12, 2), 60, status="cancelled")   # did not take place
    serve(survey, [v1], _utc(2025, 12, 31, 15), 60)                     # 23:00 on 31 December: last year
    return users
