"""Service certificates: a period's approved hours (activities and visits), issuing, the PDF, the public check."""
import re
import zlib
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from e2e.pdf_text import OBJECT, _cmap, _stream
from volunteer.activities import certificates
from volunteer.activities.models import Activity, ActivitySignup, Certificate
from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.types import utcnow
from volunteer.visits.models import Visit, VisitAssignee

LOCAL = ZoneInfo("Asia/Shanghai")
TODAY = datetime.now(LOCAL).date()
LAST_YEAR = TODAY.year - 1


def at(day: date, hour=9) -> datetime:
    return datetime.combine(day, time(hour), LOCAL).astimezone(timezone.utc)


@pytest.fixture
def served(people):
    """served(user, day, minutes, title=..., status="approved", org_id=None): a done activity on that local day
    with the user's sign-up, its hours approved (or pending)."""
    def make(user, day, minutes, title="六一游园会", status="approved", org_id=None):
        activity = Activity(title=title, service_type="group_service", starts_at=at(day), ends_at=at(day, 12),
                            signup_deadline=at(day) - timedelta(days=1), venue="崂山区社区中心", lat=36.1,
                            lon=120.4, district_code="370212", town_code="370212001", places=10, places_taken=1,
                            status="done", created_by_id=people["coordinator"].id, org_id=org_id)
        db.session.add(activity)
        db.session.flush()
        db.session.add(ActivitySignup(
            activity_id=activity.id, volunteer_id=user.id, status="confirmed", signed_in_at=at(day),
            signed_out_at=at(day, 12), minutes=minutes, hours_status=status,
            approved_minutes=minutes if status == "approved" else None,
            approved_at=utcnow() if status == "approved" else None))
        db.session.commit()
        return activity

    return make


@pytest.fixture
def visited(make_child, people):
    """visited(user, day, minutes, status="done"): a home visit the user checked into on that day."""
    from volunteer.needs.services import create_need

    child = make_child(by=people["coordinator"])
    counter = {"n": 0}

    def make(user, day, minutes, status="done", org_id=None):
        counter["n"] += 1
        need = create_need(people["coordinator"], child.ref, {
            "dimension": "intellect", "service_type": "tutoring", "urgency": "normal", "rhythm": "once",
            "skills": ["tutoring"]})
        visit = Visit(need_id=need.id, child_id=child.id, starts_at=at(day), ends_at=at(day, 11), status=status,
                      checked_in_at=at(day), checked_out_at=at(day, 11), service_minutes=minutes, org_id=org_id)
        db.session.add(visit)
        db.session.flush()
        db.session.add(VisitAssignee(visit_id=visit.id, user_id=user.id, status="accepted", checked_in_at=at(day),
                                     checked_out_at=at(day, 11), service_minutes=minutes))
        db.session.commit()
        return visit

    return make


@pytest.fixture
def wang(make_user):
    return make_user(role="volunteer", name="王小明", locale="en")


def last_year(month, day):
    return date(LAST_YEAR, month, day)


def test_a_period_counts_approved_activity_hours_and_visits_that_took_place_only(wang, people, served, visited):
    served(wang, last_year(3, 1), 150, title="植树")
    served(wang, last_year(6, 1), 90, title="游园会")
    served(wang, last_year(7, 1), 500, status="pending")  # not yet approved
    served(wang, date(LAST_YEAR - 1, 12, 31), 60)  # the year before
    served(people["volunteer"], last_year(3, 1), 600)  # someone else's
    visited(wang, last_year(4, 2), 60)
    visited(wang, last_year(4, 9), 45, status="cancelled")
    s = certificates.summary(wang.id, last_year(1, 1), last_year(12, 31))
    assert (s["minutes"], s["count"]) == (300, 3)
    assert [(r.day, r.minutes) for r in s["rows"]] == [(last_year(3, 1), 150), (last_year(4, 2), 60),
                                                       (last_year(6, 1), 90)]
    assert s["rows"][0].title == "植树" and "Tutoring" in str(s["rows"][1].title)


def test_issuing_freezes_the_period_with_a_masked_name_and_an_unguessable_number(wang, served):
    served(wang, last_year(3, 1), 150)
    cert = certificates.issue(wang, last_year(1, 1), last_year(12, 31))
    assert re.fullmatch(rf"HH{TODAY.year}-[A-Z2-7]{{8}}", cert.number)
    assert (cert.masked_name, cert.minutes, cert.activities) == ("王*明", 150, 1)
    assert (cert.period_start, cert.period_end) == (last_year(1, 1), last_year(12, 31))
    assert cert.issuer == certificates.PLATFORM
    assert certificates.issue(wang, last_year(1, 1), last_year(12, 31)).id == cert.id  # a double tap: one
    served(wang, last_year(5, 1), 30)
    other = certificates.issue(wang, last_year(1, 1), last_year(12, 31))
    assert other.number != cert.number and other.minutes == 180


@pytest.mark.parametrize("name,masked", [("王明", "王*"), ("王小明", "王*明"), ("欧阳小明", "欧**明"), ("李", "李")])
def test_names_are_masked_keeping_the_first_and_last_characters(name, masked):
    assert certificates.masked_name(name) == masked


def test_the_issuer_is_the_volunteers_organisation_only_when_it_organised_all_the_service(
        make_user, make_org, served, visited):
    org = make_org(name="崂山青年志愿者协会")
    member = make_user(role="org_member", organisation_id=org.id, name="张三")
    served(member, last_year(3, 1), 60, org_id=org.id)
    visited(member, last_year(3, 2), 60, org_id=org.id)
    assert certificates.issue(member, last_year(1, 1), last_year(12, 31)).issuer == "崂山青年志愿者协会"
    served(member, last_year(3, 3), 60)  # a coordinator's activity: the platform vouches for it
    assert certificates.issue(member, last_year(1, 1), last_year(12, 31)).issuer == certificates.PLATFORM


@pytest.mark.parametrize("first,last,message", [
    (last_year(1, 1), last_year(12, 31), "no approved service hours"),
    (last_year(5, 1), last_year(4, 1), "start must not be after"),
    (TODAY, TODAY + timedelta(days=1), "cannot end after today"),
])
def test_a_period_without_hours_or_the_wrong_way_round_is_refused(wang, first, last, message):
    with pytest.raises(certificates.CertificateError) as exc:
        certificates.issue(wang, first, last)
    assert message in str(exc.value.message)


# --- pages -------------------------------------------------------------------------------------------------

def pdf_text(pdf: bytes) -> str:
    """The text fpdf2 draws, a line each: literal strings of two-byte glyph codes (Tj, TJ), read through the
    font's ToUnicode map (e2e/pdf_text.py reads Chromium's hex strings; this reads fpdf2's)."""
    objects = {int(n): body for n, body in OBJECT.findall(pdf)}
    glyphs = {}
    for body in objects.values():
        ref = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", body)
        if ref:
            glyphs.update(_cmap(_stream(objects[int(ref.group(1))])))
    out = []
    for body in objects.values():
        try:
            content = _stream(body)
        except zlib.error:
            continue
        for block in re.findall(rb"BT(.*?)ET", content, re.S):  # a line: (..) Tj, or [(..) -12 (..)] TJ
            line = []
            for literal in re.findall(rb"\(((?:[^\\)]|\\.)*)\)", block, re.S):
                raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: _unescape(m.group(1)), literal, flags=re.S)
                line += [glyphs.get(int.from_bytes(raw[i:i + 2], "big"), "") for i in range(0, len(raw), 2)]
            if line:
                out.append("".join(line))
    return "\n".join(out)


def _unescape(seq: bytes) -> bytes:
    if seq[:1].isdigit():
        return bytes([int(seq, 8)])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(seq, seq)


def issue_last_year(client):
    return client.post("/my/certificates", data={"period": "last_year"}, headers={"Accept-Language": "en"})


def test_a_volunteer_sees_the_periods_total_then_issues_and_downloads_the_pdf(client, login, wang, served, visited):
    served(wang, last_year(3, 1), 150, title="植树")
    visited(wang, last_year(4, 2), 60)
    login(wang)
    page = client.get("/my/certificates?period=last_year", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "3.5" in page and "植树" in page
    resp = issue_last_year(client)
    assert resp.status_code == 302
    cert = db.session.scalar(select(Certificate).where(Certificate.volunteer_id == wang.id))
    listed = client.get("/my/certificates", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert cert.number in listed
    pdf = client.get(f"/my/certificates/{cert.number}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.data.count(b"/Type /Page\n") == 1
    text = pdf_text(pdf.data)
    assert cert.number in text and "3.5" in text and "王小明" in text and "植树" in text
    assert f"/verify/{cert.number}" in text
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.collection == "certificate",
                                                      AuditEntry.object_id == cert.id))


def test_nobody_else_can_download_a_volunteers_certificate(client, login, wang, people, served):
    served(wang, last_year(3, 1), 150)
    cert = certificates.issue(wang, last_year(1, 1), last_year(12, 31))
    for other in (people["volunteer"], people["coordinator"]):
        client.post("/logout")
        login(other)
        assert client.get(f"/my/certificates/{cert.number}.pdf").status_code in (403, 404)


def test_a_bad_custom_period_is_answered_in_place(client, login, wang):
    login(wang)
    resp = client.post("/my/certificates", data={"period": "custom", "start": "2026-05-01", "end": "2026-04-01"},
                       headers={"Accept-Language": "en"})
    assert resp.status_code == 422 and "start must not be after" in resp.get_data(as_text=True)
    assert db.session.scalar(select(Certificate)) is None


def test_the_public_check_shows_the_masked_name_period_hours_and_issuer_only(client, wang, served):
    served(wang, last_year(3, 1), 150, title="植树")
    cert = certificates.issue(wang, last_year(1, 1), last_year(12, 31))
    resp = client.get(f"/verify/{cert.number.lower()}", headers={"Accept-Language": "en"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "王*明" in body and "王小明" not in body and "2.5" in body and certificates.PLATFORM in body
    assert f"January 1, {LAST_YEAR}" in body and "植树" not in body and wang.phone not in body


def test_an_unknown_number_is_not_found(client):
    resp = client.get("/verify/HH2026-AAAAAAAA", headers={"Accept-Language": "en"})
    assert resp.status_code == 404 and "No certificate has this number" in resp.get_data(as_text=True)
