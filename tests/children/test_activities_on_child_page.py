"""A registered child's page lists the activities they take or took part in (title, type, date), for the
staff who may open the page; nothing for a child without any."""
from datetime import datetime, timedelta, timezone

import pytest

from volunteer.activities.models import Activity, ActivityChild
from volunteer.extensions import db

EN = {"Accept-Language": "en"}
MAY_2 = datetime(2026, 5, 2, 1, tzinfo=timezone.utc)  # 09:00 on 2 May in Qingdao


@pytest.fixture
def take_part(app, coordinator):
    """take_part(child, title, status="done", at=MAY_2, service_type="group_service") -> Activity."""
    def make(child, title, status="done", at=MAY_2, service_type="group_service"):
        a = Activity(title=title, service_type=service_type, starts_at=at, ends_at=at + timedelta(hours=2),
                     signup_deadline=at - timedelta(days=1), venue="沙子口社区中心", lat=36.11, lon=120.46,
                     district_code="370212", town_code="370212002", places=10, places_taken=0, waitlist_seq=0,
                     children_expected=0, status=status, created_by_id=coordinator.id)
        db.session.add(a)
        db.session.flush()
        db.session.add(ActivityChild(activity_id=a.id, child_id=child.id))
        db.session.commit()
        return a

    return make


def _section(body: str) -> str:
    start = body.find('id="child-activities"')
    assert start >= 0, "no activities section"
    return body[start:body.find("</section>", start)]


def test_the_child_page_lists_the_activities_the_child_takes_part_in(coord_client, make_child, take_part):
    child = make_child()
    fair = take_part(child, "六一游园会")
    take_part(child, "暑期夏令营", status="published", at=datetime(2026, 7, 20, 0, tzinfo=timezone.utc),
              service_type="camp")
    take_part(child, "取消的活动", status="cancelled")
    take_part(child, "草稿活动", status="draft")
    body = coord_client.get(f"/children/{child.ref}", headers=EN).get_data(as_text=True)
    section = _section(body)
    assert "六一游园会" in section and "Group service" in section and "2026-05-02" in section
    assert f'href="/activities/{fair.id}"' in section
    assert coord_client.get(f"/activities/{fair.id}").status_code == 200  # the link opens for the reader
    assert "暑期夏令营" in section and "Camp" in section and "2026-07-20" in section
    assert section.index("暑期夏令营") < section.index("六一游园会")  # the latest first
    assert "取消的活动" not in body and "草稿活动" not in body


def test_a_child_without_activities_has_no_activities_section(coord_client, make_child, take_part):
    child, other = make_child(), make_child(name="李小明")
    take_part(other, "六一游园会")
    body = coord_client.get(f"/children/{child.ref}", headers=EN).get_data(as_text=True)
    assert 'id="child-activities"' not in body and "六一游园会" not in body


def test_the_activities_are_seen_only_by_staff_who_may_open_the_page(client, login, outsider, make_child,
                                                                    take_part):
    child = make_child()
    take_part(child, "六一游园会")
    login(outsider)
    resp = client.get(f"/children/{child.ref}", headers=EN)
    assert resp.status_code == 404 and "六一游园会" not in resp.get_data(as_text=True)


def test_the_section_is_in_chinese_for_a_chinese_reader(coord_client, make_child, take_part):
    child = make_child()
    take_part(child, "六一游园会")
    section = _section(coord_client.get(f"/children/{child.ref}", headers={"Accept-Language": "zh-CN"})
                       .get_data(as_text=True))
    assert "小组服务" in section and "Group service" not in section
