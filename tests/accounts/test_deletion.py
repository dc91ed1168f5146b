"""Delete my account: the password and a tick, every session ends, a grace period in which a login offers
to keep it, then a periodic job erases the personal data once; service records and statistics stay."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from tests.stats.conftest import laoshan, serve  # noqa: F401 (fixtures)
from volunteer.accounts import deletion
from volunteer.accounts.models import User, UserSession
from volunteer.api.models import ApiToken
from volunteer.api.services import issue_token
from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.notifications.models import ChannelChoice
from volunteer.safeguarding import files
from volunteer.safeguarding.models import SafeguardingCheck
from volunteer.stats import services as stats
from volunteer.stats.json import as_dict
from volunteer.tasks import get_queue
from volunteer.types import utcnow
from volunteer.visits.models import VisitAssignee
from volunteer.volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill

EN = {"Accept-Language": "en"}
PASSWORD = "Huhang-2026"


def _delete(client, password=PASSWORD, understood="y"):
    return client.post("/account/delete", data={"password": password, "understood": understood}, headers=EN)


def _after_grace(user, days=8):
    """Move the user's request back in time, as if `days` had passed."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(deletion_requested_at=utcnow() - timedelta(days=days)))
    db.session.commit()


@pytest.fixture
def volunteer(make_user):
    user = make_user(role="volunteer", email="v@example.org")
    profile = db.session.get(VolunteerProfile, user.id)
    profile.lat, profile.lon, profile.location_source = 36.1, 120.46, "gps"
    profile.district_code, profile.town_code, profile.birth_date = "370212", "370212002", date(1990, 3, 7)
    profile.id_number_enc, profile.id_number_mask = "gAAAA-secret", "3702**********1234"
    db.session.add_all([VolunteerSkill(user_id=user.id, skill="counselling", credential="证书 123",
                                       credential_status="verified"),
                        AvailabilitySlot(user_id=user.id, weekday=1, period="pm"),
                        ChannelChoice(user_id=user.id, sms=True, email=True)])
    db.session.commit()
    return user


def test_deleting_needs_the_password_and_the_tick(client, login, volunteer):
    login(volunteer)
    assert _delete(client, password="wrong-one").status_code == 422
    assert _delete(client, understood="").status_code == 422
    page = client.get("/account/delete", headers=EN).get_data(as_text=True)
    assert 'id="delete-form"' in page and "window.confirm" not in page
    db.session.refresh(volunteer)
    assert volunteer.deletion_requested_at is None


def test_asking_ends_every_session_and_the_erasure_waits_for_the_grace(app, client, login, volunteer):
    other = app.test_client()
    login(volunteer)
    other.post("/login", data={"phone": volunteer.phone, "password": PASSWORD})
    resp = _delete(client)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    assert other.get("/account").status_code == 302 and client.get("/account").status_code == 302
    db.session.refresh(volunteer)
    assert volunteer.deletion_requested_at is not None
    assert deletion.due_at(volunteer) - volunteer.deletion_requested_at == timedelta(days=7)
    assert db.session.scalar(select(UserSession.id).where(UserSession.user_id == volunteer.id)) is None


def test_logging_in_within_the_grace_offers_to_keep_the_account(client, login, volunteer):
    login(volunteer)
    _delete(client)
    login(volunteer)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/account")
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert 'id="cancel-deletion"' in page and 'id="delete-account"' not in page
    assert client.post("/account/deletion/cancel").status_code == 302
    db.session.refresh(volunteer)
    assert volunteer.deletion_requested_at is None
    assert client.get("/").status_code == 200


def test_the_job_erases_after_the_grace_and_not_before(client, login, volunteer, run_worker, tmp_path):
    token, _ = issue_token(volunteer, "脚本")
    proof = files.write(b"%PDF-1.4 test", "pdf")
    db.session.add(SafeguardingCheck(user_id=volunteer.id, kind="no_criminal_record", file_name=proof,
                                     content_type="application/pdf", size=13, status="verified"))
    db.session.commit()
    login(volunteer)
    _delete(client)
    deletion.start_erasure()
    assert run_worker() == 1
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).erased_at is None  # still in the grace

    login(volunteer)  # a session opened in the grace ends with the erasure
    _after_grace(volunteer)
    get_queue().enqueue("jobs.accounts.erase_due")
    assert run_worker() == 1
    db.session.expire_all()
    user = db.session.get(User, volunteer.id)
    assert user.erased_at is not None and user.name == "已注销志愿者" and user.email is None
    assert user.phone == f"erased:{user.id}" and not user.active
    profile = db.session.get(VolunteerProfile, user.id)
    cleared = (profile.lat, profile.lon, profile.birth_date, profile.id_number_enc, profile.id_number_mask)
    assert cleared == (None,) * 5
    assert db.session.scalar(select(VolunteerSkill.credential).where(VolunteerSkill.user_id == user.id)) is None
    assert db.session.scalar(select(AvailabilitySlot.id).where(AvailabilitySlot.user_id == user.id)) is None
    assert db.session.get(ChannelChoice, user.id) is None
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert db.session.scalar(select(UserSession.id).where(UserSession.user_id == user.id)) is None
    assert db.session.scalar(select(SafeguardingCheck.id).where(SafeguardingCheck.user_id == user.id)) is None
    assert not files.stored(proof).exists()


def test_the_job_run_twice_erases_once(volunteer, run_worker):
    deletion.request_deletion(volunteer, PASSWORD)
    _after_grace(volunteer)
    get_queue().enqueue("jobs.accounts.erase_due")
    get_queue().enqueue("jobs.accounts.erase_due")
    assert run_worker() == 2
    db.session.expire_all()
    first = db.session.get(User, volunteer.id).erased_at
    assert first is not None and deletion.erase(volunteer.id) is False
    assert db.session.get(User, volunteer.id).erased_at == first
    erasures = db.session.scalars(select(AuditEntry).where(AuditEntry.collection == "account",
                                                           AuditEntry.reason == "personal data erased")).all()
    assert len(erasures) == 1


def test_an_erased_user_can_log_in_neither_with_the_password_nor_a_token(client, volunteer):
    _, secret = issue_token(volunteer, "脚本")
    deletion.request_deletion(volunteer, PASSWORD)
    _after_grace(volunteer)
    assert deletion.erase_due() == 1
    resp = client.post("/login", data={"phone": volunteer.phone, "password": PASSWORD}, headers=EN)
    assert resp.status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_keeping_the_account_after_the_grace_but_before_the_job_wins(volunteer):
    deletion.request_deletion(volunteer, PASSWORD)
    _after_grace(volunteer)
    assert deletion.cancel_deletion(volunteer) is True
    assert deletion.erase_due() == 0
    db.session.refresh(volunteer)
    assert volunteer.erased_at is None and volunteer.name != "已注销志愿者"


def test_erasing_helpers_leaves_the_statistics_and_their_service_records_as_they_were(laoshan):  # noqa: F811
    period = (date(2026, 1, 1), date(2026, 12, 31))
    before = {k: as_dict(stats.figures(laoshan[k], *period)) for k in ("admin", "district", "town")}
    helpers = db.session.scalars(select(VisitAssignee.user_id).distinct()).all()
    records = db.session.execute(select(VisitAssignee.user_id, VisitAssignee.service_minutes)
                                 .order_by(VisitAssignee.id)).all()
    for uid in helpers:
        deletion.request_deletion(db.session.get(User, uid), None)
        _after_grace(db.session.get(User, uid))
    assert deletion.erase_due() == len(helpers) == 3
    after = {k: as_dict(stats.figures(laoshan[k], *period)) for k in ("admin", "district", "town")}
    assert after == before
    assert db.session.execute(select(VisitAssignee.user_id, VisitAssignee.service_minutes)
                              .order_by(VisitAssignee.id)).all() == records


def test_staff_close_their_accounts_through_an_administrator(client, login, make_user):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    login(coordinator)
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert 'id="delete-account"' not in page and "closed by an administrator" in page
    assert _delete(client).status_code == 302
    db.session.refresh(coordinator)
    assert coordinator.deletion_requested_at is None


def test_an_administrator_erases_a_staff_account_at_once_from_the_command_line(app, make_user):
    staff = make_user(role="coordinator", scope_level="city")
    result = app.test_cli_runner().invoke(args=["accounts", "delete-account", str(staff.id), "--now"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, staff.id).erased_at is not None


def test_pages_show_an_erased_user_as_a_deleted_volunteer_in_the_readers_language(app, volunteer):
    deletion.request_deletion(volunteer, PASSWORD)
    _after_grace(volunteer)
    deletion.erase_due()
    db.session.refresh(volunteer)
    with app.test_request_context(headers=EN):
        assert app.jinja_env.from_string("{{ u|account_name }}").render(u=volunteer) == "Deleted volunteer"


def test_the_deletion_page_asks_to_call_off_what_is_ahead_first(client, login, volunteer, make_child, make_user):
    from volunteer.needs.services import create_need
    from volunteer.visits.models import Visit

    admin = make_user(role="admin")
    need = create_need(admin, make_child(by=admin).ref, {"dimension": "intellect", "service_type": "tutoring"})
    at = utcnow() + timedelta(days=2)
    visit = Visit(need_id=need.id, child_id=need.child_id, status="accepted", starts_at=at,
                  ends_at=at + timedelta(hours=1))
    visit.assignees = [VisitAssignee(user_id=volunteer.id, status="accepted")]
    db.session.add(visit)
    db.session.commit()
    assert deletion.commitments(volunteer) == {"visits": 1, "activities": 0}
    login(volunteer)
    page = client.get("/account/delete", headers=EN).get_data(as_text=True)
    assert 'id="delete-ahead"' in page and "1 visit ahead." in page and 'href="/my/visits"' in page
