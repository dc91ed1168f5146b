"""The pages: /my/checks, the proof's file (owner and staff in scope only), /checks and its decisions, and
the check shown on find helpers and auto-assign proposals."""
import io
import re

import pytest
from sqlalchemy import select

from tests.visits.test_autoassign import volunteer_at
from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.safeguarding import files, proofs
from volunteer.safeguarding.models import SafeguardingCheck
from volunteer.safeguarding.services import today
from volunteer.validation import display_phone

from .conftest import expiring_in, jpeg, pdf, verified, volunteer_here

EN = {"Accept-Language": "en", "HX-Request": "true"}
CERT = "no_criminal_record"


def _as(app, user):
    client = app.test_client()
    resp = client.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"})
    assert resp.status_code == 302
    client.post("/locale", data={"locale": "en"})
    return client


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def test_my_checks_walks_a_volunteer_from_missing_to_verified(app, private_instance, make_user, coord):
    v = volunteer_here(make_user)
    client = _as(app, v)
    page = _text(client.get("/my/checks"))
    assert 'data-check="missing"' in page and 'name="file"' in page and "police station" in page

    bad = client.post(f"/my/checks/{CERT}", data={"file": (io.BytesIO(b"MZ\x90" + b"\0" * 99), "a.exe")})
    assert bad.status_code == 422 and "program or an archive" in _text(bad)

    sent = client.post(f"/my/checks/{CERT}", data={"file": (io.BytesIO(jpeg()), "证明.jpg")})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/my/checks#check-{CERT}")
    page = _text(client.get("/my/checks"))
    row = db.session.scalar(select(SafeguardingCheck).where(SafeguardingCheck.user_id == v.id))
    assert 'data-check="pending"' in page and f"/checks/{row.id}/file" in page

    proofs.reject(coord, row.id, "照片模糊，看不清印章")
    page = _text(client.get("/my/checks"))
    assert 'data-check="rejected"' in page and "照片模糊，看不清印章" in page
    assert not files.stored(row.file_name) or not files.stored(row.file_name).exists()

    done = verified(v, coord, issued_days_ago=10)
    page = _text(client.get("/my/checks"))
    assert 'data-check="verified"' in page and done.expires_on.isoformat() in page


def test_the_file_opens_only_for_its_owner_and_staff_in_scope(app, private_instance, make_user, coord):
    v = volunteer_here(make_user)
    row = proofs.upload(v, CERT, "a.jpg", jpeg())
    url = f"/checks/{row.id}/file"
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370202")
    town = make_user(role="coordinator", scope_level="town", scope_code="370212002")
    for user, status in ((v, 200), (coord, 200), (town, 200), (make_user(role="admin"), 200),
                         (outsider, 404), (volunteer_here(make_user), 404), (make_user(role="org_admin"), 404)):
        resp = _as(app, user).get(url)
        assert resp.status_code == status, (user.role, user.scope_code)
        if status == 200:
            assert resp.mimetype == "image/jpeg" and resp.headers["Cache-Control"] == "private, no-store"
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            assert resp.headers["Content-Disposition"] == "inline"
    assert app.test_client().get(url).status_code == 302  # anonymous: to the login page
    audit = db.session.scalars(select(AuditEntry.action).where(AuditEntry.collection == "safeguarding_check",
                                                               AuditEntry.object_id == row.id)).all()
    assert audit.count("view") == 3 and audit.count("deny") == 1  # staff views; the outsider refused


def test_a_pdf_is_a_download(app, private_instance, make_user):
    v = volunteer_here(make_user)
    row = proofs.upload(v, CERT, "a.pdf", pdf())
    resp = _as(app, v).get(f"/checks/{row.id}/file")
    assert resp.mimetype == "application/pdf" and resp.headers["Content-Disposition"].startswith("attachment")
    assert resp.headers["Cache-Control"] == "private, no-store"


def test_staff_see_their_area_pending_first_and_decide_in_place(app, private_instance, make_user, coord):
    waiting = volunteer_here(make_user, name="等待者")
    older = volunteer_here(make_user, name="已核验")
    elsewhere = make_user(role="volunteer", name="市南人")
    elsewhere.profile.district_code, elsewhere.profile.town_code = "370202", "370202001"
    db.session.commit()
    verified(older, coord)
    row = proofs.upload(waiting, CERT, "a.jpg", jpeg())
    proofs.upload(elsewhere, CERT, "a.jpg", jpeg())
    client = _as(app, coord)
    page = _text(client.get("/checks?status=all"))
    assert page.index("等待者") < page.index("已核验") and "市南人" not in page
    assert "已核验" not in _text(client.get("/checks"))  # pending only, by default

    refused = client.post(f"/checks/{row.id}/verify", data={"issued_on": ""}, headers=EN)
    assert refused.status_code == 422 and "date printed on the certificate" in _text(refused)
    card = client.post(f"/checks/{row.id}/verify", data={"issued_on": today().isoformat()}, headers=EN)
    assert card.status_code == 200 and f'id="check-{row.id}"' in _text(card) and 'data-check="verified"' in _text(card)
    again = client.post(f"/checks/{row.id}/reject", data={"reason": "太迟了"}, headers=EN)
    assert again.status_code == 422 and "already been decided" in _text(again)
    assert client.post("/checks/999999/verify", data={"issued_on": today().isoformat()}).status_code == 404


def test_staff_out_of_scope_cannot_decide(app, private_instance, make_user):
    row = proofs.upload(volunteer_here(make_user), CERT, "a.jpg", jpeg())
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370202")
    client = _as(app, outsider)
    assert client.post(f"/checks/{row.id}/verify", data={"issued_on": today().isoformat()}).status_code == 404
    assert client.post(f"/checks/{row.id}/reject", data={"reason": "不行"}).status_code == 404
    assert db.session.get(SafeguardingCheck, row.id).status == "pending"


def test_find_helpers_shows_each_check_and_offers_no_visit_without_one(app, rule, make_user, make_child, coord):
    child = make_child(by=coord)
    need = create_need(coord, child.ref, {"dimension": "intellect", "service_type": "tutoring", "skills": ["tutoring"]})
    checked, unchecked = volunteer_at(make_user, 1), volunteer_at(make_user, 2)
    row = expiring_in(checked, 20)
    page = _text(_as(app, coord).get(f"/needs/{need.id}/helpers"))
    rows = dict(re.findall(r'id="helper-volunteer-(\d+)"(.*?)</tr>', page, re.S))
    assert 'data-check="expiring"' in rows[str(checked.id)] and row.expires_on.isoformat() in rows[str(checked.id)]
    assert "assign-visit" in rows[str(checked.id)]
    assert 'data-check="missing"' in rows[str(unchecked.id)] and "assign-visit" not in rows[str(unchecked.id)]
    assert "A valid safeguarding check is needed" in rows[str(unchecked.id)]


def test_a_proposal_says_how_many_were_left_out_and_shows_each_helpers_check(app, rule, make_user, make_child,
                                                                             coord, run_worker):
    from volunteer.visits import autoassign

    child = make_child(by=coord)
    need = create_need(coord, child.ref, {"dimension": "intellect", "service_type": "tutoring", "skills": ["tutoring"]})
    checked = volunteer_at(make_user, 2)
    volunteer_at(make_user, 1)
    expiring_in(checked, 300)
    rec = autoassign.start(coord, [need.id])
    run_worker()
    page = _text(_as(app, coord).get(f"/visits/auto/{rec.rq_id}"))
    assert 'id="autoassign-unchecked"' in page and "1 volunteers" in page
    assert 'data-check="verified"' in page
