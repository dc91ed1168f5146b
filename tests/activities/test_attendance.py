"""Attendance: the QR code of each 30-second window, scanning in and out, the venue check, sign-in by hand.

Time is frozen by passing now= into the service functions: the activity starts a week from today (its
sign-up is open now), and the scans happen "then"."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.wishes.test_race import _race_app
from volunteer.accounts.models import User
from volunteer.activities import attendance, services
from volunteer.activities.models import Activity, ActivitySignup
from volunteer.audit.models import AuditEntry
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db

VENUE = (36.107, 120.468)  # activity_data's venue


def window_start(t):
    """The first instant of the code window holding t."""
    w = attendance.window_seconds()
    return t - timedelta(seconds=t.timestamp() % w)


@pytest.fixture
def day(published, make_user):
    """An activity with two confirmed volunteers and one on the waitlist; `at(minutes)` is a moment
    relative to its start, at the beginning of a code window."""
    a = published(places=2)
    vols = [make_user(role="volunteer", locale="en") for _ in range(3)]
    for v in vols:
        services.sign_up(v, a.id)

    def at(minutes, seconds=0):
        return window_start(a.starts_at + timedelta(minutes=minutes)) + timedelta(seconds=seconds)

    return {"activity": a, "vols": vols, "at": at}


def _row(activity_id, user):
    db.session.expire_all()
    return db.session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                          ActivitySignup.volunteer_id == user.id))


def _audit(activity_id, action="update"):
    return db.session.scalars(select(AuditEntry.reason).where(
        AuditEntry.collection == "activity", AuditEntry.object_id == activity_id, AuditEntry.action == action)
        .order_by(AuditEntry.id)).all()


def _refused(fn, *args, **kwargs) -> str:
    with pytest.raises(services.ActivityError) as e:
        fn(*args, **kwargs)
    return str(e.value.message)


# --- the code -----------------------------------------------------------------------------------------

def test_a_code_is_six_digits_the_same_all_window_long_and_new_in_the_next(day):
    a, at = day["activity"], day["at"]
    code = attendance.code_for(a.id, at(0))
    assert len(code) == 6 and code.isdigit()
    assert attendance.code_for(a.id, at(0, 29)) == code
    assert attendance.code_for(a.id, at(0, 30)) != code
    assert attendance.code_for(a.id + 1, at(0)) != code


def test_a_code_signs_in_every_volunteer_in_its_window_not_one_only(day):
    a, at, (v1, v2, _w) = day["activity"], day["at"], day["vols"]
    code = attendance.code_for(a.id, at(-5))
    assert attendance.scan(v1, a.id, code, now=at(-5, 3)).action == "in"
    assert attendance.scan(v2, a.id, code, now=at(-5, 28)).action == "in"
    assert _row(a.id, v1).signed_in_at == at(-5, 3) and _row(a.id, v2).signed_in_at == at(-5, 28)
    assert _row(a.id, v1).signed_in_by_id is None
    assert _audit(a.id)[-2:] == ["sign-in qr", "sign-in qr"]


def test_a_code_is_refused_after_its_window_and_its_grace(day):
    a, at, v = day["activity"], day["at"], day["vols"][0]
    code = attendance.code_for(a.id, at(0))
    grace = attendance.GRACE_SECONDS
    assert "expired" in _refused(attendance.scan, v, a.id, code, now=at(0, 30 + grace))
    assert "expired" in _refused(attendance.scan, v, a.id, code, now=at(10))
    assert _row(a.id, v).signed_in_at is None
    assert _audit(a.id, "deny") == ["qr expired", "qr expired"]
    assert attendance.scan(v, a.id, code, now=at(0, 30 + grace - 1)).action == "in"  # the tap's grace


def test_a_code_of_another_activity_or_a_made_up_one_is_wrong(day, published):
    a, at, v = day["activity"], day["at"], day["vols"][0]
    other = published()
    assert "wrong" in _refused(attendance.scan, v, a.id, attendance.code_for(other.id, at(0)), now=at(0, 1))
    made_up = "000000" if attendance.code_for(a.id, at(0)) != "000000" else "111111"
    assert "wrong" in _refused(attendance.scan, v, a.id, made_up, now=at(0, 1))
    assert "6 digits" in _refused(attendance.scan, v, a.id, "12ab", now=at(0, 1))


def test_typed_codes_may_have_spaces_and_full_width_digits(day):
    a, at, v = day["activity"], day["at"], day["vols"][0]
    code = attendance.code_for(a.id, at(0))
    typed = " " + code[:3] + " " + "".join(chr(ord(c) + 0xFEE0) for c in code[3:])
    assert attendance.scan(v, a.id, typed, now=at(0, 2)).action == "in"


def test_the_qr_url_carries_the_activity_and_the_code():
    assert attendance.scan_path(12, "034512") == "/activities/scan?a=12&c=034512"


# --- signing in and out -------------------------------------------------------------------------------

def test_a_double_tap_in_the_same_window_does_not_sign_out(day):
    a, at, v = day["activity"], day["at"], day["vols"][0]
    code = attendance.code_for(a.id, at(0))
    assert attendance.scan(v, a.id, code, now=at(0, 1)).action == "in"
    assert attendance.scan(v, a.id, code, now=at(0, 2)).action == "already_in"
    # Across the window's end with the same code (its grace): still the sign-in's code, no sign-out.
    assert attendance.scan(v, a.id, code, now=at(0, 31)).action == "already_in"
    assert _row(a.id, v).signed_out_at is None and _audit(a.id).count("sign-in qr") == 1


def test_a_scan_in_a_later_window_signs_out_with_pending_minutes(day):
    a, at, v = day["activity"], day["at"], day["vols"][0]
    attendance.scan(v, a.id, attendance.code_for(a.id, at(10)), now=at(10, 5))
    result = attendance.scan(v, a.id, attendance.code_for(a.id, at(100)), now=at(100, 5))
    assert result.action == "out"
    row = _row(a.id, v)
    assert row.signed_out_at == at(100, 5) and row.hours_status == "pending"
    assert row.minutes == int((at(100, 5) - at(10, 5)).total_seconds() // 60)
    assert attendance.scan(v, a.id, attendance.code_for(a.id, at(101)), now=at(101)).action == "already_out"
    assert _audit(a.id)[-2:] == ["sign-in qr", "sign-out qr"]


def test_sign_in_opens_thirty_minutes_before_the_start_and_closes_at_the_end(day):
    a, at, v = day["activity"], day["at"], day["vols"][0]
    early = a.starts_at - timedelta(minutes=31)
    assert "opens at" in _refused(attendance.scan, v, a.id, attendance.code_for(a.id, early), now=early)
    late = a.ends_at + timedelta(seconds=1)
    assert "over" in _refused(attendance.scan, v, a.id, attendance.code_for(a.id, late), now=late)
    ok = a.starts_at - timedelta(minutes=29)
    assert attendance.scan(v, a.id, attendance.code_for(a.id, ok), now=ok).action == "in"


def test_sign_out_is_open_until_two_hours_after_the_end(day):
    a, v, w = day["activity"], day["vols"][0], day["vols"][1]
    t = a.starts_at
    attendance.scan(v, a.id, attendance.code_for(a.id, t), now=t)
    attendance.scan(w, a.id, attendance.code_for(a.id, t), now=t)
    late = a.ends_at + timedelta(hours=2, seconds=1)
    assert "too late" in _refused(attendance.scan, v, a.id, attendance.code_for(a.id, late), now=late)
    in_time = a.ends_at + timedelta(hours=1, minutes=59)
    assert attendance.scan(w, a.id, attendance.code_for(a.id, in_time), now=in_time).action == "out"
    assert _row(a.id, w).minutes == 180  # capped by the end of the 3-hour activity


def test_not_signed_up_waitlisted_cancelled_sign_ups_and_cancelled_activities_are_refused(day, make_user, people):
    a, at, (v, _v2, waiting) = day["activity"], day["at"], day["vols"]
    code = attendance.code_for(a.id, at(0))
    assert "not signed up" in _refused(attendance.scan, make_user(role="volunteer"), a.id, code, now=at(0))
    assert "waitlist" in _refused(attendance.scan, waiting, a.id, code, now=at(0))
    services.cancel(people["coordinator"], a.id)
    assert "cancelled" in _refused(attendance.scan, v, a.id, code, now=at(0))
    assert "No such activity" in _refused(attendance.scan, v, 999999, code, now=at(0))


def test_a_phone_farther_than_the_venue_radius_is_refused_with_a_rough_distance(day):
    a, at, v = day["activity"], day["at"], day["vols"][0]
    code = attendance.code_for(a.id, at(0))
    far = (VENUE[0] + 0.0054, VENUE[1])  # about 600 m north; the radius is 500 m
    message = _refused(attendance.scan, v, a.id, code, lat=far[0], lon=far[1], now=at(0))
    assert "about 600 m from the venue" in message
    assert _row(a.id, v).signed_in_at is None and _audit(a.id, "deny") == ["qr far"]
    near = (VENUE[0] + 0.003, VENUE[1])  # about 330 m
    assert attendance.scan(v, a.id, code, lat=near[0], lon=near[1], now=at(0, 1)).action == "in"


def test_without_a_position_from_the_browser_the_code_alone_signs_in(day):
    a, at, v = day["activity"], day["at"], day["vols"][0]
    code = attendance.code_for(a.id, at(0))
    assert attendance.scan(v, a.id, code, lat="", lon=None, now=at(0)).action == "in"


def test_taps_at_the_same_instant_sign_in_once(app, day, database_url, redis_url, instance_dir):
    import threading

    a, at, v = day["activity"], day["at"], day["vols"][0]
    activity_id, volunteer_id = a.id, v.id  # plain ids: the threads must not load through this session
    code, now, taps = attendance.code_for(activity_id, at(0)), at(0, 1), 6
    race = _race_app(database_url, redis_url, instance_dir)
    barrier, actions, crashes = threading.Barrier(taps), [], []

    def tap():
        try:
            with race.app_context():
                me = db.session.get(User, volunteer_id)
                db.session.connection()
                barrier.wait(timeout=30)
                actions.append(attendance.scan(me, activity_id, code, now=now).action)
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 (reported below)
            crashes.append(repr(exc))
            barrier.abort()

    threads = [threading.Thread(target=tap) for _ in range(taps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with race.app_context():
        db.engine.dispose()
    assert not crashes, crashes[:2]
    assert sorted(actions) == ["already_in"] * (taps - 1) + ["in"]
    assert _audit(activity_id).count("sign-in qr") == 1


def test_on_now_lists_my_confirmed_activities_open_for_a_scan(day, published):
    a, at, (v, _v2, waiting) = day["activity"], day["at"], day["vols"]
    later = published(starts_at=a.starts_at + timedelta(days=1), ends_at=a.ends_at + timedelta(days=1))
    services.sign_up(v, later.id)
    assert [x.id for x in attendance.on_now(v, at(-20))] == [a.id]
    assert attendance.on_now(v, at(-40)) == [] and attendance.on_now(waiting, at(0)) == []
    attendance.scan(v, a.id, attendance.code_for(a.id, at(0)), now=at(0))
    assert [x.id for x in attendance.on_now(v, a.ends_at + timedelta(hours=1))] == [a.id]  # to sign out


def test_what_a_scan_would_do_now(day):
    a, at, (v, _v2, waiting) = day["activity"], day["at"], day["vols"]
    assert attendance.next_scan(a, _row(a.id, v), at(-40)) is None
    assert attendance.next_scan(a, _row(a.id, v), at(0)) == "in"
    assert attendance.next_scan(a, _row(a.id, waiting), at(0)) is None
    attendance.scan(v, a.id, attendance.code_for(a.id, at(0)), now=at(0))
    assert attendance.next_scan(a, _row(a.id, v), at(30)) == "out"


# --- by hand ------------------------------------------------------------------------------------------

def test_the_organiser_signs_in_and_out_by_hand_with_a_reason(day, people):
    a, at, v = day["activity"], day["at"], day["vols"][0]
    coord, row = people["coordinator"], _row(a.id, v)
    with pytest.raises(InvalidInput) as e:
        attendance.by_hand(coord, a.id, row.id, "in", "  ", now=at(0))
    assert "reason" in e.value.errors
    attendance.by_hand(coord, a.id, row.id, "in", "手机没电了", now=at(5))
    row = _row(a.id, v)
    assert row.signed_in_at == at(5) and row.signed_in_by_id == coord.id and "手机没电了" in row.attendance_note
    attendance.by_hand(coord, a.id, row.id, "out", "提前离开", now=at(65))
    row = _row(a.id, v)
    assert row.minutes == 60 and row.hours_status == "pending" and "提前离开" in row.attendance_note
    assert _audit(a.id)[-2:] == ["sign-in by hand", "sign-out by hand"]


def test_by_hand_is_for_the_organiser_and_their_activitys_confirmed_volunteers(day, people, published):
    a, at, (v, _v2, waiting) = day["activity"], day["at"], day["vols"]
    with pytest.raises(services.ActivityNotFound):
        attendance.by_hand(people["outsider"], a.id, _row(a.id, v).id, "in", "来了", now=at(0))
    other = published()
    with pytest.raises(services.ActivityNotFound):
        attendance.by_hand(people["coordinator"], other.id, _row(a.id, v).id, "in", "来了", now=at(0))
    assert "waitlist" in _refused(attendance.by_hand, people["coordinator"], a.id, _row(a.id, waiting).id, "in",
                                  "来了", now=at(0))
    assert "not signed in" in _refused(attendance.by_hand, people["coordinator"], a.id, _row(a.id, v).id, "out",
                                       "走了", now=at(0))


def test_counts_are_the_signed_in_of_the_confirmed(day):
    a, at, (v, v2, _w) = day["activity"], day["at"], day["vols"]
    attendance.scan(v, a.id, attendance.code_for(a.id, at(0)), now=at(0))
    assert attendance.counts(a.id) == {"signed_in": 1, "confirmed": 2}


def test_the_qr_state_says_when_the_code_changes(day):
    a, at = day["activity"], day["at"]
    state = attendance.qr_state(a.id, at(0, 12))
    assert state["code"] == attendance.code_for(a.id, at(0)) and state["seconds_left"] == 18
    assert state["changes_at"] == at(0, 30)


def test_a_window_length_from_the_config_changes_the_codes(app, day):
    a, at = day["activity"], day["at"]
    app.config["ACTIVITY_QR_WINDOW_SECONDS"] = 2
    try:
        assert attendance.window_seconds() == 2
        t = at(0)
        assert attendance.code_for(a.id, t) != attendance.code_for(a.id, t + timedelta(seconds=2))
    finally:
        del app.config["ACTIVITY_QR_WINDOW_SECONDS"]


def test_an_activity_marked_done_still_takes_scans_in_its_time(day):
    a, v = day["activity"], day["vols"][0]
    db.session.execute(update(Activity).where(Activity.id == a.id).values(status="done"))
    db.session.commit()
    t = a.starts_at + timedelta(minutes=1)
    assert attendance.scan(v, a.id, attendance.code_for(a.id, t), now=t).action == "in"
