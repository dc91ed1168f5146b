"""Download my data: every section, as a JSON file and a readable page; no child's name or reference in
either, even for a helper with visits; audited."""
import json
from datetime import date, timedelta

import pytest

from volunteer.activities.models import Activity, ActivitySignup
from volunteer.api.services import issue_token
from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.accounts.mydata import SECTIONS
from volunteer.needs.models import Wish
from volunteer.needs.services import create_need
from volunteer.notifications.services import notify
from volunteer.notifications.targets import Target
from volunteer.privacy.models import PrivacyConsent, PrivacyNotice
from volunteer.safeguarding.models import SafeguardingCheck
from volunteer.types import utcnow
from volunteer.visits.models import Visit, VisitAssignee
from volunteer.volunteers.models import AvailabilitySlot, VolunteerSkill
from volunteer.wishes.models import WishClaim

EN = {"Accept-Language": "en"}


@pytest.fixture
def helper(app, make_user, make_child):
    """A volunteer with a little of everything: a visit to a child, an activity, a claim, a consent, a
    credential, a free slot, a safeguarding check, a message and a token."""
    admin = make_user(role="admin")
    user = make_user(role="volunteer", name="李志愿", email="li@example.org")
    child = make_child(by=admin)
    need = create_need(admin, child.ref, {"dimension": "intellect", "service_type": "tutoring"})
    at = utcnow() - timedelta(days=3)
    visit = Visit(need_id=need.id, child_id=child.id, status="done", starts_at=at, ends_at=at + timedelta(hours=2))
    visit.assignees = [VisitAssignee(user_id=user.id, status="accepted", checked_in_at=at, service_minutes=75)]
    activity = Activity(title="六一游园会", service_type="group_service", starts_at=at, ends_at=at + timedelta(hours=3),
                        signup_deadline=at, venue="崂山区社区中心", lat=36.1, lon=120.4, district_code="370212",
                        places=10, status="done")
    db.session.add_all([visit, activity])
    db.session.flush()
    db.session.add(ActivitySignup(activity_id=activity.id, volunteer_id=user.id, status="confirmed", minutes=120,
                                  hours_status="approved", approved_minutes=110))
    wish = Wish(ref="W-TEST-1", child_id=child.id, item="书包", category="study", price_yuan=80, status="claimed")
    db.session.add(wish)
    db.session.flush()
    db.session.add(WishClaim(wish_id=wish.id, donor_id=user.id, status="done"))
    notice = PrivacyNotice(version="2026-12", text_zh="隐私", text_en="Privacy")
    db.session.add(notice)
    db.session.flush()
    db.session.add(PrivacyConsent(user_id=user.id, notice_id=notice.id, via="signup"))
    db.session.add(VolunteerSkill(user_id=user.id, skill="counselling", credential="心理咨询师 No. 123",
                                  credential_status="pending"))
    db.session.add(AvailabilitySlot(user_id=user.id, weekday=5, period="am"))
    db.session.add(SafeguardingCheck(user_id=user.id, kind="no_criminal_record", file_name="a" * 32 + ".jpg",
                                     content_type="image/jpeg", size=1000, issued_on=date(2026, 11, 1),
                                     status="verified"))
    db.session.commit()
    notify(user.id, "visit", "visit:test", "家访提醒", "body", target=Target("visit", visit.id))
    _, secret = issue_token(user, "我的脚本")
    db.session.commit()
    return {"user": user, "child": child, "secret": secret}


def test_the_json_download_is_an_attachment_with_every_section(client, login, helper):
    login(helper["user"])
    resp = client.get("/account/data.json", headers=EN)
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(resp.get_data(as_text=True))
    assert set(SECTIONS) <= set(data)
    assert data["account"]["name"] == "李志愿" and data["account"]["email"] == "li@example.org"
    assert [v["minutes"] for v in data["visits"]] == [75] and data["visits"][0]["service_type"] == "tutoring"
    assert data["activities"][0]["title"] == "六一游园会" and data["activities"][0]["approved_minutes"] == 110
    assert data["hours"] == {"visit_minutes": 75, "activity_minutes": 110, "total_minutes": 185}
    assert data["wish_claims"][0]["item"] == "书包"
    assert "2026-12" in [c["version"] for c in data["consents"]]
    assert data["skills"][0]["credential"] == "心理咨询师 No. 123"
    assert data["availability"][0]["weekday"] == 5
    assert data["safeguarding_checks"][0]["status"] == "verified"
    assert data["notifications"][0]["title"] == "家访提醒"
    assert data["api_tokens"][0]["name"] == "我的脚本"
    assert len(data["sign_ins"]["open_sessions"]) == 1


def test_neither_the_json_nor_the_page_holds_a_childs_name_ref_or_address(client, login, helper):
    login(helper["user"])
    child = helper["child"]
    for path in ("/account/data.json", "/account/data"):
        resp = client.get(path, headers=EN)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 200 and "书包" in body and "六一游园会" in body
        for secret in (child.name, child.ref, child.address, child.guardian_name, "W-TEST-1"):
            assert secret not in body, (path, secret)


def test_a_tokens_secret_and_a_safeguarding_files_name_never_appear(client, login, helper):
    login(helper["user"])
    body = client.get("/account/data.json").get_data(as_text=True)
    assert helper["secret"] not in body and helper["secret"][:12] not in body and "a" * 32 not in body


def test_each_download_is_audited_as_the_users_own_export(client, login, helper):
    user = helper["user"]
    login(user)
    client.get("/account/data.json")
    client.get("/account/data")
    rows = db.session.query(AuditEntry).filter_by(collection="account", object_id=user.id, action="export").all()
    assert sorted(r.reason for r in rows) == ["my data json", "my data page"]
    assert all(r.user_id == user.id for r in rows)


def test_the_readable_copy_shows_the_sections_and_prints(client, login, helper):
    login(helper["user"])
    page = client.get("/account/data", headers=EN).get_data(as_text=True)
    for section in ("mydata-account", "mydata-profile", "mydata-hours", "mydata-claims", "mydata-consents",
                    "mydata-checks", "mydata-messages", "mydata-signins"):
        assert f'id="{section}"' in page
    assert "六一游园会" in page and "书包" in page and "data-print" in page and "js/mydata" in page


def test_someone_without_a_profile_gets_the_sections_too(client, login, make_user):
    login(make_user(role="coordinator", scope_level="district", scope_code="370212"))
    data = client.get("/account/data.json").get_json(force=True)
    assert set(SECTIONS) <= set(data) and data["profile"] is None
    assert client.get("/account/data").status_code == 200


def test_my_data_needs_a_login(client):
    assert client.get("/account/data.json").status_code == 302
    assert client.get("/account/data").status_code == 302
