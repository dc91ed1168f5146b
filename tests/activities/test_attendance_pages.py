"""The attendance and hours pages: the organiser's QR code and its fragment, the volunteer's scan (a QR
code's link, the typed code), by hand, the hours review and /my/hours, the activity page's part."""
import re
from datetime import timedelta

import pytest
from flask import render_template
from sqlalchemy import select, update

from volunteer.activities import attendance, hours, services
from volunteer.activities.models import Activity, ActivitySignup
from volunteer.extensions import db
from volunteer.types import utcnow


@pytest.fixture
def now_on(published, make_user):
    """An activity starting in 10 minutes (so its sign-in is open), two volunteers with a place."""
    start = utcnow().replace(microsecond=0) + timedelta(minutes=10)
    a = published(starts_at=start, ends_at=start + timedelta(hours=2), signup_deadline=start - timedelta(minutes=5))
    vols = [make_user(role="volunteer", locale="en") for _ in range(2)]
    for v in vols:
        services.sign_up(v, a.id)
    return {"activity": a, "vols": vols}


def _row(activity_id, user):
    db.session.expire_all()
    return db.session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                          ActivitySignup.volunteer_id == user.id))


def _post_code(client, activity_id, **extra):
    """Post the code of now; only if the window ended on the way (the code refused as wrong), the next one's.
    (Trying both in any order gave the next window's "wrong code" answer near a window's end, instead of the
    answer about the position that the test reads.)"""
    now = utcnow()
    for code in dict.fromkeys((attendance.code_for(activity_id, now),
                               attendance.code_for(activity_id, now + timedelta(seconds=2)))):
        resp = client.post("/activities/scan", data={"a": activity_id, "c": code, **extra})
        if resp.status_code != 422 or "This code is wrong" not in resp.get_data(as_text=True):
            return resp
    return resp


def test_the_organiser_sees_the_qr_code_and_its_digits_refreshed_by_htmx(client, login, people, now_on):
    a = now_on["activity"]
    login(people["coordinator"])
    before = attendance.code_for(a.id)  # the page's code is this one, or the next if a window ends meanwhile
    body = client.get(f"/activities/{a.id}/qr").get_data(as_text=True)
    assert "<svg" in body and 'class="attendance-qr-code"' in body
    digits = re.search(r'id="qr-digits">(\d{3}) (\d{3})<', body)
    assert digits and digits.group(1) + digits.group(2) in {before, attendance.code_for(a.id)}
    assert f'hx-get="/activities/{a.id}/qr/code"' in body and "load delay:" in body
    assert "Signed in: 0" in body and "Signed up: 2" in body
    fragment = client.get(f"/activities/{a.id}/qr/code", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="qr-live"' in fragment and "<html" not in fragment


def test_the_qr_code_is_for_the_organiser_only(client, login, people, now_on):
    a = now_on["activity"]
    login(people["outsider"])
    assert client.get(f"/activities/{a.id}/qr").status_code == 404
    client.post("/logout")
    login(now_on["vols"][0])
    assert client.get(f"/activities/{a.id}/qr").status_code == 403


def test_a_qr_codes_link_shows_one_big_confirm_button_and_the_tap_signs_in(client, login, now_on):
    a, v = now_on["activity"], now_on["vols"][0]
    login(v)
    code = attendance.code_for(a.id)
    body = client.get(f"/activities/scan?a={a.id}&c={code}").get_data(as_text=True)
    assert "Confirm: sign in" in body and f'name="c" value="{code}"' in body and 'name="csrf_token"' in body
    resp = _post_code(client, a.id, lat="", lon="")
    assert resp.status_code == 302 and _row(a.id, v).signed_in_at is not None
    assert "Signed in at" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_wrong_code_or_a_far_phone_is_refused_on_the_page(client, login, now_on):
    a, v = now_on["activity"], now_on["vols"][0]
    login(v)
    resp = client.post("/activities/scan", data={"a": a.id, "c": "12"})
    assert resp.status_code == 422 and "Type the 6 digits" in resp.get_data(as_text=True)
    resp = _post_code(client, a.id, lat=str(a.lat + 0.02), lon=str(a.lon))
    assert resp.status_code == 422 and "from the venue" in resp.get_data(as_text=True)
    assert _row(a.id, v).signed_in_at is None


def test_a_qr_codes_link_tells_someone_not_signed_up_at_once(client, login, make_user, now_on):
    a = now_on["activity"]
    login(make_user(role="volunteer", locale="en"))
    body = client.get(f"/activities/scan?a={a.id}&c=123456").get_data(as_text=True)
    assert "You are not signed up for this activity." in body and "Confirm: sign in" not in body


def test_the_scan_page_offers_the_typed_code_for_my_activity_on_now(client, login, now_on):
    a, v = now_on["activity"], now_on["vols"][0]
    login(v)
    body = client.get("/activities/scan").get_data(as_text=True)
    assert f'<input type="hidden" name="a" value="{a.id}">' in body and 'id="scan-code"' in body
    assert a.title in body and "data-scan-camera" in body


def test_the_scan_page_says_when_nothing_is_on(client, login, make_user):
    login(make_user(role="volunteer", locale="en"))
    body = client.get("/activities/scan").get_data(as_text=True)
    assert "You have no activity to sign in to right now" in body and 'id="scan-code"' not in body


def test_the_organiser_signs_in_by_hand_on_the_hours_page(client, login, people, now_on):
    a, v = now_on["activity"], now_on["vols"][0]
    row_id = _row(a.id, v).id
    login(people["coordinator"])
    body = client.get(f"/activities/{a.id}/hours").get_data(as_text=True)
    assert v.name in body and "Sign in by hand" in body
    resp = client.post(f"/activities/{a.id}/attendance/{row_id}", data={"action": "in", "reason": ""})
    assert resp.status_code == 422 and "Give the reason." in resp.get_data(as_text=True)
    resp = client.post(f"/activities/{a.id}/attendance/{row_id}", data={"action": "in", "reason": "手机没电"})
    assert resp.status_code == 302 and _row(a.id, v).signed_in_by_id == people["coordinator"].id


def test_the_organiser_approves_and_corrects_hours_on_the_page(client, login, people, now_on):
    a, (v, w) = now_on["activity"], now_on["vols"]
    for u in (v, w):
        t = a.starts_at
        attendance.scan(u, a.id, attendance.code_for(a.id, t), now=t)
        t += timedelta(minutes=75)
        attendance.scan(u, a.id, attendance.code_for(a.id, t), now=t)
    login(people["coordinator"])
    body = client.get(f"/activities/{a.id}/hours").get_data(as_text=True)
    assert "To approve: 2" in body and "Approve all 2 as counted" in body
    rv, rw = _row(a.id, v).id, _row(a.id, w).id
    resp = client.post(f"/activities/{a.id}/hours/{rv}", data={"minutes": "90", "reason": ""})
    assert resp.status_code == 422 and "Give the reason." in resp.get_data(as_text=True)
    assert client.post(f"/activities/{a.id}/hours/{rv}", data={"minutes": "90", "reason": "帮忙布置场地"}).status_code == 302
    assert client.post(f"/activities/{a.id}/hours/approve-all").status_code == 302
    assert (_row(a.id, v).approved_minutes, _row(a.id, w).approved_minutes) == (90, 75)


def test_my_hours_shows_this_years_total_and_marks_the_pending(client, login, people, now_on, published):
    a, v = now_on["activity"], now_on["vols"][0]
    t = a.starts_at
    attendance.scan(v, a.id, attendance.code_for(a.id, t), now=t)
    attendance.scan(v, a.id, attendance.code_for(a.id, t + timedelta(hours=2)), now=t + timedelta(hours=2))
    hours.approve(people["coordinator"], a.id, _row(a.id, v).id)
    b = published(title="社区读书会")
    services.sign_up(v, b.id)
    tb = b.starts_at
    attendance.scan(v, b.id, attendance.code_for(b.id, tb), now=tb)
    attendance.scan(v, b.id, attendance.code_for(b.id, tb + timedelta(minutes=30)), now=tb + timedelta(minutes=30))
    login(v)
    body = client.get("/my/hours").get_data(as_text=True)
    assert re.search(r'id="hours-year-total">2 hours<', body)
    assert "社区读书会" in body and "Waiting for approval" in body and 'href="/my/certificates"' in body


def test_service_hours_read_to_two_decimals_on_my_hours_and_home_as_on_the_certificate(client, login, people,
                                                                                      now_on):
    a, v = now_on["activity"], now_on["vols"][0]
    t = a.starts_at
    attendance.scan(v, a.id, attendance.code_for(a.id, t), now=t)
    out = t + timedelta(minutes=105)
    attendance.scan(v, a.id, attendance.code_for(a.id, out), now=out)
    hours.approve(people["coordinator"], a.id, _row(a.id, v).id)
    login(v)
    body = client.get("/my/hours").get_data(as_text=True)
    assert re.search(r'id="hours-year-total">1.75 hours<', body)  # not "1.8 hours" beside a 1.75 certificate
    assert re.search(r"<strong>1.75 hours</strong>", client.get("/").get_data(as_text=True))


def test_my_hours_with_nothing_yet_says_how_hours_come(client, login, make_user):
    login(make_user(role="volunteer", locale="en"))
    body = client.get("/my/hours").get_data(as_text=True)
    assert 'id="hours-none"' in body


def _part(app, user, activity, organiser):
    from flask_login import login_user

    with app.test_request_context("/"):
        login_user(user)
        db.session.expire_all()
        signup = db.session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity.id,
                                                                ActivitySignup.volunteer_id == user.id))
        return render_template("activities/_attendance.html", activity=db.session.get(Activity, activity.id),
                               signup=signup, organiser=organiser)


def test_the_activity_pages_part_gives_the_organiser_the_qr_and_the_counts(app, people, now_on):
    html = _part(app, people["coordinator"], now_on["activity"], True)
    a = now_on["activity"]
    assert f'href="/activities/{a.id}/qr"' in html and f'href="/activities/{a.id}/hours"' in html
    assert "Signed in 0 / signed up 2" in html


def test_the_activity_pages_part_gives_a_volunteer_the_scan_then_the_hours(app, now_on):
    a, v = now_on["activity"], now_on["vols"][0]
    assert f'href="/activities/scan?a={a.id}"' in _part(app, v, a, False)
    t = utcnow()
    attendance.scan(v, a.id, attendance.code_for(a.id, t), now=t)
    assert "Scan to sign out" in _part(app, v, a, False)
    later = t + timedelta(minutes=40)
    db.session.execute(update(Activity).where(Activity.id == a.id).values(starts_at=t - timedelta(minutes=30)))
    db.session.commit()
    attendance.scan(v, a.id, attendance.code_for(a.id, later), now=later)
    html = _part(app, v, a, False)
    assert "Signed out at" in html and "40 minutes" in html and "Waiting for approval" in html


def test_nothing_shows_for_a_volunteer_before_sign_in_opens(app, published, make_user):
    a = published()
    v = make_user(role="volunteer", locale="en")
    services.sign_up(v, a.id)
    assert "activity-attendance" not in _part(app, v, a, False)
