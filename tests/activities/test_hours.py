"""Service hours: minutes counted at sign-out, the organiser's approval and correction, a volunteer's summary."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from volunteer.activities import attendance, hours, services
from volunteer.activities.models import ActivitySignup
from volunteer.audit.models import AuditEntry
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.visits.models import Visit, VisitAssignee


@pytest.fixture
def day(published, make_user):
    """A 3-hour activity with three confirmed volunteers; `scan(v, minutes)` scans v in or out then."""
    a = published(places=5)
    vols = [make_user(role="volunteer", locale="en") for _ in range(3)]
    for v in vols:
        services.sign_up(v, a.id)

    def scan(v, minutes):
        t = a.starts_at + timedelta(minutes=minutes)
        return attendance.scan(v, a.id, attendance.code_for(a.id, t), now=t)

    return {"activity": a, "vols": vols, "scan": scan}


def _row(activity_id, user):
    db.session.expire_all()
    return db.session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                          ActivitySignup.volunteer_id == user.id))


def _audit(activity_id):
    return db.session.scalars(select(AuditEntry.reason).where(
        AuditEntry.collection == "activity", AuditEntry.object_id == activity_id, AuditEntry.action == "update")
        .order_by(AuditEntry.id)).all()


def test_minutes_run_from_the_start_to_the_end_at_most():
    start = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)
    end = start + timedelta(hours=3)
    assert hours.minutes_served(start, end, start - timedelta(minutes=25), start + timedelta(minutes=90)) == 90
    assert hours.minutes_served(start, end, start + timedelta(minutes=10), end + timedelta(minutes=50)) == 170
    assert hours.minutes_served(start, end, start - timedelta(minutes=25), start - timedelta(minutes=5)) == 0
    assert hours.minutes_served(start, end, start, start + timedelta(seconds=119)) == 1


def test_scanning_in_early_and_out_late_counts_only_the_activitys_time(day):
    a, v, scan = day["activity"], day["vols"][0], day["scan"]
    scan(v, -20)
    scan(v, 200)
    row = _row(a.id, v)
    assert row.minutes == 180 and row.hours_status == "pending" and row.approved_minutes is None


def test_the_organiser_approves_pending_minutes_as_counted(day, people):
    a, v, scan, coord = day["activity"], day["vols"][0], day["scan"], people["coordinator"]
    scan(v, 0)
    scan(v, 95)
    row = hours.approve(coord, a.id, _row(a.id, v).id, now=a.ends_at)
    assert (row.hours_status, row.approved_minutes, row.approved_by_id) == ("approved", 95, coord.id)
    assert row.approved_at == a.ends_at and row.hours_reason is None
    assert hours.approve(coord, a.id, row.id).approved_minutes == 95  # again: nothing changes
    assert _audit(a.id)[-1] == "hours approved" and _audit(a.id).count("hours approved") == 1


def test_the_form_sending_back_the_counted_minutes_is_a_plain_approval(day, people):
    a, v, scan = day["activity"], day["vols"][0], day["scan"]
    scan(v, 0)
    scan(v, 60)
    row = hours.approve(people["coordinator"], a.id, _row(a.id, v).id, minutes="60", reason="")
    assert row.approved_minutes == 60 and row.hours_reason is None


def test_a_correction_needs_a_reason_and_keeps_it(day, people):
    a, v, scan, coord = day["activity"], day["vols"][0], day["scan"], people["coordinator"]
    scan(v, 0)
    scan(v, 30)
    row_id = _row(a.id, v).id
    with pytest.raises(InvalidInput) as e:
        hours.approve(coord, a.id, row_id, minutes=120, reason=" ")
    assert "reason" in e.value.errors and _row(a.id, v).hours_status == "pending"
    with pytest.raises(InvalidInput) as e:
        hours.approve(coord, a.id, row_id, minutes="two hours", reason="忘了签退")
    assert "minutes" in e.value.errors
    row = hours.approve(coord, a.id, row_id, minutes="150", reason="签退时手机没电")
    assert (row.approved_minutes, row.minutes, row.hours_reason) == (150, 30, "签退时手机没电")
    row = hours.approve(coord, a.id, row_id, minutes=140, reason="核对签到表后更正")  # corrects an approval
    assert row.approved_minutes == 140 and _audit(a.id)[-2:] == ["hours corrected", "hours corrected"]


def test_a_volunteer_who_never_signed_out_gets_minutes_by_hand_with_a_reason(day, people):
    a, v, scan, coord = day["activity"], day["vols"][0], day["scan"], people["coordinator"]
    scan(v, 0)
    row_id = _row(a.id, v).id
    with pytest.raises(InvalidInput) as e:
        hours.approve(coord, a.id, row_id)
    assert "never signed out" in str(e.value.errors["minutes"])
    row = hours.approve(coord, a.id, row_id, minutes=170, reason="走时忘了扫码")
    assert (row.hours_status, row.approved_minutes, row.signed_out_at) == ("approved", 170, None)
    assert _audit(a.id)[-1] == "hours by hand"


def test_nobody_approves_hours_of_someone_who_did_not_come_nor_outside_their_area(day, people):
    a, v, scan = day["activity"], day["vols"][0], day["scan"]
    with pytest.raises(services.ActivityError) as e:
        hours.approve(people["coordinator"], a.id, _row(a.id, v).id, minutes=60, reason="来了")
    assert "did not sign in" in str(e.value.message)
    scan(v, 0)
    with pytest.raises(services.ActivityNotFound):
        hours.approve(people["outsider"], a.id, _row(a.id, v).id, minutes=60, reason="来了")
    with pytest.raises(services.ActivityNotFound):
        hours.approve(people["coordinator"], a.id, 999999)


def test_approve_all_approves_only_the_pending(day, people):
    a, (v1, v2, v3), scan, coord = day["activity"], day["vols"], day["scan"], people["coordinator"]
    for v, out in ((v1, 60), (v2, 120)):
        scan(v, 0)
        scan(v, out)
    scan(v3, 0)  # never signed out: stays as it is
    assert hours.approve_all(coord, a.id) == 2
    assert [(r.hours_status, r.approved_minutes) for r in (_row(a.id, v1), _row(a.id, v2), _row(a.id, v3))] == [
        ("approved", 60), ("approved", 120), (None, None)]
    assert hours.approve_all(coord, a.id) == 0
    assert _audit(a.id)[-1] == "hours approved all 2"


def test_the_roster_lists_the_signed_in_first_with_names(day, people):
    a, (v1, v2, v3), scan = day["activity"], day["vols"], day["scan"]
    scan(v2, 0)
    scan(v1, 5)
    activity, rows = hours.roster(people["coordinator"], a.id)
    assert activity.id == a.id
    assert [(s.volunteer_id, name) for s, name in rows] == [(v2.id, v2.name), (v1.id, v1.name), (v3.id, v3.name)]
    with pytest.raises(services.ActivityNotFound):
        hours.roster(people["outsider"], a.id)


def _visit(make_child, people, volunteer, when, minutes, status="done", service_type="tutoring"):
    from volunteer.needs.services import create_need

    child = make_child(by=people["coordinator"])
    need = create_need(people["coordinator"], child.ref, {"dimension": "intellect", "service_type": service_type,
                                                          "urgency": "normal", "rhythm": "once"})
    visit = Visit(need_id=need.id, child_id=child.id, starts_at=when, ends_at=when + timedelta(hours=2),
                  status=status, checked_in_at=when)
    visit.assignees.append(VisitAssignee(user_id=volunteer.id, status="accepted", checked_in_at=when,
                                         checked_out_at=when + timedelta(minutes=minutes),
                                         service_minutes=minutes))
    db.session.add(visit)
    db.session.commit()
    return visit


def test_the_summary_counts_approved_activity_hours_and_visits_by_year_type_and_item(day, people, make_child):
    a, (v, _v2, _v3), scan, coord = day["activity"], day["vols"], day["scan"], people["coordinator"]
    scan(v, 0)
    scan(v, 120)
    hours.approve(coord, a.id, _row(a.id, v).id)
    this_year = a.starts_at.astimezone(hours.LOCAL).year
    last = datetime(this_year - 1, 12, 31, 17, 0, tzinfo=timezone.utc)  # 1 January 01:00 in Qingdao
    first = datetime(this_year - 1, 12, 31, 15, 0, tzinfo=timezone.utc)  # 31 December 23:00 in Qingdao
    v1 = _visit(make_child, people, v, last, 45)
    v0 = _visit(make_child, people, v, first, 30, service_type="companionship")
    _visit(make_child, people, v, first, 999, status="cancelled")  # did not take place: not counted
    s = hours.summary(v.id, today=date(this_year, 6, 1))
    assert s["year"] == this_year and s["year_minutes"] == 165 and s["total_minutes"] == 195
    assert s["by_year"] == [{"year": this_year, "minutes": 165}, {"year": this_year - 1, "minutes": 30}]
    assert s["by_type"] == [{"service_type": "group_service", "minutes": 120},
                            {"service_type": "tutoring", "minutes": 45},
                            {"service_type": "companionship", "minutes": 30}]
    assert [(i["kind"], i["id"], i["date"], i["minutes"]) for i in s["items"]] == [
        ("activity", a.id, a.starts_at.astimezone(hours.LOCAL).date().isoformat(), 120),
        ("visit", v1.id, f"{this_year}-01-01", 45), ("visit", v0.id, f"{this_year - 1}-12-31", 30)]
    assert s["items"][0]["title"] == a.title and s["pending"] == []


def test_pending_and_open_hours_are_listed_apart_and_not_counted(day, people, published):
    a, (v, _v2, _v3), scan = day["activity"], day["vols"], day["scan"]
    scan(v, 0)
    scan(v, 50)
    b = published(title="社区读书会")
    services.sign_up(v, b.id)
    attendance.scan(v, b.id, attendance.code_for(b.id, b.starts_at), now=b.starts_at)
    s = hours.summary(v.id)
    assert s["total_minutes"] == 0 and s["items"] == []
    assert sorted((p["id"], p["minutes"], p["status"]) for p in s["pending"]) == sorted(
        [(a.id, 50, "pending"), (b.id, None, "signed_in")])


def test_the_summary_of_someone_with_no_service_is_empty(make_user):
    s = hours.summary(make_user(role="volunteer").id)
    assert s["total_minutes"] == 0 and s["by_year"] == [] and s["by_type"] == [] and s["pending"] == []
