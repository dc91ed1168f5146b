"""Expiry reminders: once, 30 days before, by the periodic job on a real worker; opening it shows /my/checks."""
from datetime import timedelta

from sqlalchemy import select

from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.safeguarding import expiry, proofs
from volunteer.safeguarding.models import SafeguardingCheck
from volunteer.safeguarding.services import today
from volunteer.tasks import periodic

from .conftest import expiring_in, jpeg, volunteer_here


def _messages(user_id):
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id)).all()


def test_the_job_reminds_once_30_days_before_and_schedules_its_next_run(app, make_user, run_worker, login, client):
    soon, later, renewed = (volunteer_here(make_user) for _ in range(3))
    due = expiring_in(soon, 20)
    expiring_in(later, 45)
    expiring_in(renewed, 10)
    expiring_in(renewed, 380)
    assert expiry.start()
    assert run_worker() >= 1
    db.session.expire_all()
    [message] = _messages(soon.id)
    assert message.target_kind == "safeguarding" and due.expires_on.isoformat() in message.title
    assert db.session.get(SafeguardingCheck, due.id).reminded_at is not None
    assert _messages(later.id) == [] and _messages(renewed.id) == []
    assert periodic.state(expiry.JOB_ID)[0], "the job comes back on the scheduler"

    # Another run (a second worker, the next period) finds nothing new to send.
    assert expiry.remind_expiring() == 0
    assert len(_messages(soon.id)) == 1

    login(soon)
    opened = client.post(f"/inbox/{message.id}/open")
    assert opened.status_code == 303 and opened.headers["Location"] == "/my/checks"


def test_a_volunteer_with_a_new_proof_waiting_is_not_reminded(make_user, private_instance):
    v = volunteer_here(make_user)
    expiring_in(v, 15)
    proofs.upload(v, "no_criminal_record", "new.jpg", jpeg())
    assert expiry.remind_expiring() == 0 and _messages(v.id) == []


def test_a_run_that_read_the_check_before_another_sent_it_sends_nothing(make_user, monkeypatch):
    v = volunteer_here(make_user)
    row = expiring_in(v, 5)
    read_early = expiry._due(today(), today() + timedelta(days=30))  # a slower run has read the row...
    assert [r.id for r in read_early] == [row.id]
    assert expiry.remind_expiring() == 1                             # ...then this run reminds
    monkeypatch.setattr(expiry, "_due", lambda day, soon: read_early)
    assert expiry.remind_expiring() == 0                             # its conditional UPDATE takes nothing
    assert len(_messages(v.id)) == 1
