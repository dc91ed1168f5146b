"""Actions taken without signal and sent later: the phone's time and fix are believed when the time lies in
the visit's window and the fix within the radius; refused when late by more than 48 hours, after the visit was
cancelled, or with a time in the future or before the offer. The coordinator sees when they arrived."""
from datetime import timedelta

import pytest

from volunteer.children.models import AccessGrant
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.types import utcnow
from volunteer.visits import answers, checkin, reports, services
from volunteer.visits.models import Visit

from tests.visits.conftest import HOME, window

KM_NORTH = 1 / 111.2


def _accepted(team, hours_ago=None, length=2.0):
    """(volunteer, visit) accepted; hours_ago: the visit started that long ago (planned and offered a day
    before), else it starts in 12 minutes (check-in open now)."""
    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(0.2, length), [v0.id])
    answers.respond(v0, visit.id, True)
    if hours_ago is not None:
        shift = visit.starts_at - (utcnow() - timedelta(hours=hours_ago))
        visit.starts_at, visit.ends_at = visit.starts_at - shift, visit.ends_at - shift
        visit.created_at = visit.starts_at - timedelta(days=1)
        for a in visit.assignees:
            a.offered_at = visit.created_at
        for g in db.session.query(AccessGrant).filter(AccessGrant.reason == f"visit:{visit.id}"):
            g.starts_at, g.ends_at = g.starts_at - shift, g.ends_at - shift
        db.session.commit()
    return v0, visit


def _refused(call) -> str:
    with pytest.raises(InvalidInput) as exc:
        call()
    db.session.rollback()
    return " ".join(str(m) for m in exc.value.errors.values())


def test_a_check_in_taken_in_the_window_and_sent_hours_later_keeps_the_phone_time_and_is_marked(team):
    v0, visit = _accepted(team, hours_ago=4)
    taken = visit.starts_at + timedelta(minutes=10)
    checkin.check_in(v0, visit.id, HOME[0] + 0.0005, HOME[1], 20, recorded_at=taken)
    visit = db.session.get(Visit, visit.id)
    assert visit.status == "checked_in" and visit.checked_in_at == taken
    assert visit.assignees[0].checked_in_at == taken
    assert visit.check_in_method == "gps" and visit.check_in_distance_m < 100
    assert abs(visit.check_in_synced_at - utcnow()) < timedelta(minutes=1)


def test_an_online_check_in_is_not_marked_as_synced_later(team):
    v0, visit = _accepted(team)
    checkin.check_in(v0, visit.id, *HOME)
    assert db.session.get(Visit, visit.id).check_in_synced_at is None


def test_a_check_in_arriving_more_than_48_hours_late_is_refused(team):
    v0, visit = _accepted(team, hours_ago=50)
    taken = visit.starts_at + timedelta(minutes=5)
    assert "more than 48 hours ago" in _refused(lambda: checkin.check_in(v0, visit.id, *HOME, recorded_at=taken))
    assert db.session.get(Visit, visit.id).status == "accepted"


def test_a_check_in_arriving_after_the_visit_was_cancelled_is_refused(team):
    v0, visit = _accepted(team)
    taken = utcnow() - timedelta(minutes=2)
    answers.cancel(team["coord"], visit.id)
    assert "cancelled" in _refused(lambda: checkin.check_in(v0, visit.id, *HOME, recorded_at=taken))
    assert db.session.get(Visit, visit.id).assignees[0].checked_in_at is None


def test_a_recorded_time_in_the_future_is_refused(team):
    v0, visit = _accepted(team)
    ahead = utcnow() + timedelta(hours=1)
    assert "ahead of the real time" in _refused(lambda: checkin.check_in(v0, visit.id, *HOME, recorded_at=ahead))


def test_a_recorded_time_before_the_offer_is_refused(team):
    v0, visit = _accepted(team, hours_ago=4)
    early = visit.created_at - timedelta(hours=1)
    assert "before the visit was offered" in _refused(
        lambda: checkin.check_in(v0, visit.id, *HOME, recorded_at=early))


def test_a_recorded_time_outside_the_visits_window_is_refused(team):
    v0, visit = _accepted(team, hours_ago=4)
    before_it_opens = visit.starts_at - timedelta(hours=3)
    assert "one hour before" in _refused(
        lambda: checkin.check_in(v0, visit.id, *HOME, recorded_at=before_it_opens))


def test_a_late_check_in_whose_fix_is_too_far_is_refused_and_saves_nothing(team):
    v0, visit = _accepted(team, hours_ago=4)
    taken = visit.starts_at + timedelta(minutes=10)
    assert "not at the child's home" in _refused(
        lambda: checkin.check_in(v0, visit.id, HOME[0] + KM_NORTH, HOME[1], 15, recorded_at=taken))
    assert db.session.get(Visit, visit.id).check_in_synced_at is None


def test_a_late_check_out_counts_the_time_between_the_phones_times(team):
    v0, visit = _accepted(team, hours_ago=4)
    inside = visit.starts_at + timedelta(minutes=10)
    checkin.check_in(v0, visit.id, *HOME, recorded_at=inside)
    checkin.check_out(v0, visit.id, recorded_at=inside + timedelta(minutes=95))
    visit = db.session.get(Visit, visit.id)
    assert visit.status == "done" and visit.checked_out_at == inside + timedelta(minutes=95)
    assert visit.assignees[0].service_minutes == 95 and visit.service_minutes == 95
    assert visit.check_out_synced_at is not None


def test_a_check_out_recorded_before_the_check_in_is_refused(team):
    v0, visit = _accepted(team, hours_ago=4)
    inside = visit.starts_at + timedelta(minutes=30)
    checkin.check_in(v0, visit.id, *HOME, recorded_at=inside)
    assert "before your check-in" in _refused(
        lambda: checkin.check_out(v0, visit.id, recorded_at=inside - timedelta(minutes=20)))
    assert db.session.get(Visit, visit.id).status == "checked_in"


def test_a_report_filled_without_signal_keeps_its_time_and_when_it_arrived(team, tmp_path, monkeypatch, app):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    v0, visit = _accepted(team, hours_ago=4)
    checkin.check_in(v0, visit.id, *HOME, recorded_at=visit.starts_at + timedelta(minutes=5))
    filled = visit.starts_at + timedelta(minutes=80)
    report = reports.file_report(v0, visit.id, {"body": "Healthy"}, recorded_at=filled)
    assert report.created_at == filled and abs(report.synced_at - utcnow()) < timedelta(minutes=1)


def test_a_report_arriving_more_than_48_hours_late_is_refused(team):
    v0, visit = _accepted(team, hours_ago=55)
    checkin.check_in(v0, visit.id, *HOME, recorded_at=utcnow() - timedelta(hours=47))  # in time, just
    late = utcnow() - timedelta(hours=49)
    assert "more than 48 hours ago" in _refused(
        lambda: reports.file_report(v0, visit.id, {"body": "Healthy"}, recorded_at=late))
    assert db.session.get(Visit, visit.id).report is None
