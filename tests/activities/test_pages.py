"""Volunteers' activity pages: near me (cards, map, filters, zero states), one activity (who may open it,
what it shows), one-tap sign-up and cancel (htmx fragment or redirect)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.activities.conftest import activity_data
from volunteer.activities import services
from volunteer.activities.models import Activity
from volunteer.extensions import db
from volunteer.types import utcnow
from volunteer.validation import display_phone
from volunteer.volunteers.models import VolunteerProfile, VolunteerSkill

HOME = (36.107, 120.468)
HX = {"HX-Request": "true"}


def client_of(app, user):
    c = app.test_client()
    resp = c.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return c


def _home(user, point=HOME):
    p = db.session.get(VolunteerProfile, user.id)
    p.lat, p.lon = point
    db.session.commit()


@pytest.fixture
def vol(make_user):
    """A volunteer with a home in 崂山区, reading English."""
    v = make_user(role="volunteer", locale="en")
    _home(v)
    return v


def _cards(body):
    return re.findall(r'id="activity-(\d+)"', body)


def test_near_me_lists_published_activities_nearest_first_with_numbers_on_a_map(app, published, people, vol):
    far = published(title="远处活动", lat=36.160, lon=120.468)    # ~5.9 km
    near = published(title="近处活动", lat=36.108, lon=120.468)   # ~0.1 km
    published(title="太远的活动", lat=36.600, lon=120.468)          # ~55 km: outside
    services.create(people["coordinator"], activity_data(title="草稿活动"))
    body = client_of(app, vol).get("/activities").get_data(as_text=True)
    assert _cards(body) == [str(near.id), str(far.id)]
    assert 'data-near-map' in body and 'data-num="1"' in body and 'data-show-marker="2"' in body
    assert "草稿活动" not in body and "太远的活动" not in body
    assert "10 places left" in body and "0.1 km away" in body


def test_a_card_shows_my_status_and_a_full_activity_offers_the_waitlist(app, published, vol, make_user):
    mine, full = published(title="我的活动"), published(title="满员活动", places=1, lat=36.11)
    services.sign_up(vol, mine.id)
    services.sign_up(make_user(role="volunteer"), full.id)
    body = client_of(app, vol).get("/activities").get_data(as_text=True)
    card = body[body.index(f'id="activity-{mine.id}"'):]
    assert "Signed up" in card[:2000] and "9 places left" in card[:2000]
    assert "Full: you can join the waitlist" in body
    assert 'id="my-activities"' in body  # my sign-ups above the list


def test_filters_by_type_and_dates_and_htmx_gets_only_the_results(app, published, vol):
    camp = published(title="夏令营", service_type="camp")
    later = utcnow() + timedelta(days=30)
    late = published(title="下个月的活动", starts_at=later, ends_at=later + timedelta(hours=2),
                     signup_deadline=later - timedelta(days=1))
    c = client_of(app, vol)
    assert _cards(c.get("/activities?type=camp").get_data(as_text=True)) == [str(camp.id)]
    day = (later + timedelta(hours=8)).date().isoformat()
    resp = c.get(f"/activities?from={day}&to={day}", headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body and _cards(body) == [str(late.id)]
    assert 'id="activity-filter-words" hx-swap-oob="true"' in body


def test_bad_filter_values_say_so_and_never_fail(app, published, vol):
    published()
    c = client_of(app, vol)
    resp = c.get("/activities?from=tomorrow&type=naps&to=2026-13-40")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Enter a date, e.g. 2026-12-08." in body
    assert "Choose a type from the list." in body and len(_cards(body)) == 1
    resp = c.get("/activities?from=2026-12-10&to=2026-12-01")
    assert resp.status_code == 422 and "The last day must not be before the first." in resp.get_data(as_text=True)


def test_zero_states_without_a_home_and_with_nothing_near(app, published, make_user):
    homeless = make_user(role="volunteer", locale="en")
    body = client_of(app, homeless).get("/activities").get_data(as_text=True)
    assert 'id="activities-no-home"' in body and "/me/profile" in body and 'id="activities-empty"' in body
    a = published()
    body = client_of(app, homeless).get("/activities").get_data(as_text=True)
    assert _cards(body) == [str(a.id)] and "data-near-map" not in body  # the published ones, no map
    v = make_user(role="volunteer", locale="en")
    _home(v, (36.6, 120.4))
    body = client_of(app, v).get("/activities").get_data(as_text=True)
    assert 'id="activities-empty"' in body and "No activity is open for sign-up within 30 km" in body


def test_organisers_see_what_they_organise_by_state_with_a_new_button(app, published, people):
    live = published(title="已发布的活动")
    draft = services.create(people["coordinator"], activity_data(title="还是草稿"))
    body = client_of(app, people["coordinator"]).get("/activities").get_data(as_text=True)
    assert 'id="new-activity"' in body and 'id="activities-published"' in body and 'id="activities-draft"' in body
    assert f"/activities/{live.id}" in body and f"/activities/{draft.id}" in body
    other = client_of(app, people["outsider"]).get("/activities").get_data(as_text=True)
    assert "已发布的活动" not in other and 'id="activities-none"' in other


def test_organisation_members_see_the_published_activities(app, published, make_user, make_org):
    a = published()
    member = make_user(role="org_member", organisation_id=make_org().id, locale="en")
    assert _cards(client_of(app, member).get("/activities").get_data(as_text=True)) == [str(a.id)]


def test_who_may_open_an_activity(app, published, people, vol, make_user):
    live = published()
    draft = services.create(people["coordinator"], activity_data())
    gone = published()
    services.sign_up(vol, gone.id)
    services.cancel(people["coordinator"], gone.id)
    stranger = make_user(role="volunteer")
    c, s = client_of(app, vol), client_of(app, stranger)
    coord, outsider = client_of(app, people["coordinator"]), client_of(app, people["outsider"])
    assert [c.get(f"/activities/{i}").status_code for i in (live.id, draft.id, gone.id)] == [200, 404, 200]
    assert [s.get(f"/activities/{i}").status_code for i in (live.id, draft.id, gone.id)] == [200, 404, 404]
    assert [coord.get(f"/activities/{i}").status_code for i in (live.id, draft.id, gone.id)] == [200, 200, 200]
    assert [outsider.get(f"/activities/{i}").status_code for i in (live.id, draft.id, gone.id)] == [200, 404, 404]


def test_the_activity_page_shows_the_details_and_a_big_sign_up_button(app, published, vol):
    a = published(skills=["event_help"], min_age=16, places=3)
    db.session.add(VolunteerSkill(user_id=vol.id, skill="event_help"))
    db.session.get(VolunteerProfile, vol.id).birth_date = utcnow().date().replace(year=1990)
    db.session.commit()
    body = client_of(app, vol).get(f"/activities/{a.id}").get_data(as_text=True)
    assert "六一游园会" in body and "崂山区社区中心" in body and "3 places left" in body
    assert "Event help" in body and "16 or older" in body and "from home" in body
    assert 'id="signup-button"' in body and ">Sign me up<" in body
    assert 'id="organiser-actions"' not in body  # the organiser's part is theirs


def test_one_tap_sign_up_swaps_the_block_then_the_waitlist_gives_a_position(app, published, vol, make_user):
    a = published(places=1)
    resp = client_of(app, vol).post(f"/activities/{a.id}/signup", headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body and 'id="signup-done"' in body
    assert "You are signed up" in body and 'id="cancel-signup"' in body and "data-confirm" in body
    other = make_user(role="volunteer", locale="en")
    resp = client_of(app, other).post(f"/activities/{a.id}/signup", headers=HX)
    assert "number 1 on the waitlist" in resp.get_data(as_text=True)
    page = client_of(app, other).get(f"/activities/{a.id}").get_data(as_text=True)
    assert "number 1 on the waitlist" in page and ">Leave the waitlist<" in page


def test_without_htmx_sign_up_and_cancel_redirect_with_a_message(app, published, vol):
    a = published()
    c = client_of(app, vol)
    resp = c.post(f"/activities/{a.id}/signup")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/activities/{a.id}"
    assert "You are signed up" in c.get(resp.headers["Location"]).get_data(as_text=True)
    resp = c.post(f"/activities/{a.id}/signup/cancel")
    assert resp.status_code == 302
    body = c.get(f"/activities/{a.id}").get_data(as_text=True)
    assert "Your sign-up is cancelled." in body and 'id="signup-button"' in body


def test_a_refused_sign_up_says_why_and_points_to_the_profile(app, published, vol):
    a = published(min_age=18)
    c = client_of(app, vol)
    page = c.get(f"/activities/{a.id}").get_data(as_text=True)
    assert 'id="signup-problem"' in page and "date of birth" in page and "/me/profile" in page
    resp = c.post(f"/activities/{a.id}/signup", headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="signup-error"' in body and "date of birth" in body


def test_cancelling_in_place_gives_the_place_to_the_waitlist(app, published, vol, make_user):
    a = published(places=1)
    services.sign_up(vol, a.id)
    waiting = make_user(role="volunteer")
    services.sign_up(waiting, a.id)
    resp = client_of(app, vol).post(f"/activities/{a.id}/signup/cancel", headers=HX)
    assert resp.status_code == 200 and "Your sign-up is cancelled." in resp.get_data(as_text=True)
    assert "Join the waitlist" in resp.get_data(as_text=True)  # the place went to the one waiting
    assert services.sign_up(waiting, a.id).status == "confirmed"


def test_closed_and_draft_activities_take_no_sign_up(app, people, published, vol):
    closed = published()
    services.close(people["coordinator"], closed.id)
    draft = services.create(people["coordinator"], activity_data())
    c = client_of(app, vol)
    resp = c.post(f"/activities/{closed.id}/signup", headers=HX)
    assert resp.status_code == 422 and "closed" in resp.get_data(as_text=True)
    assert c.post(f"/activities/{draft.id}/signup", headers=HX).status_code == 404
    assert 'id="signup-closed"' in c.get(f"/activities/{closed.id}").get_data(as_text=True)


def test_past_the_deadline_my_sign_up_stays_and_says_to_tell_the_organiser(app, published, vol):
    a = published()
    services.sign_up(vol, a.id)
    db.session.execute(update(Activity).where(Activity.id == a.id).values(signup_deadline=utcnow() - timedelta(hours=1)))
    db.session.commit()
    body = client_of(app, vol).get(f"/activities/{a.id}").get_data(as_text=True)
    assert 'id="signup-locked"' in body and 'id="cancel-signup"' not in body


def test_pages_read_in_chinese_by_default(app, published, make_user):
    v = make_user(role="volunteer")
    _home(v)
    full = published(places=1)
    published(places=3, lat=36.11)
    services.sign_up(make_user(role="volunteer"), full.id)
    body = client_of(app, v).get("/activities").get_data(as_text=True)
    assert "还剩 3 个名额" in body and "已满，可候补" in body and "附近的活动" in body
    page = client_of(app, v).get(f"/activities/{full.id}").get_data(as_text=True)
    assert "报名候补" in page


def test_signing_up_just_before_the_start_brings_the_scan_in_the_same_swap(app, published, vol):
    start = utcnow() + timedelta(minutes=15)  # the scan opens 30 minutes before
    a = published(starts_at=start, ends_at=start + timedelta(hours=2), signup_deadline=start - timedelta(minutes=5))
    body = client_of(app, vol).post(f"/activities/{a.id}/signup", headers=HX).get_data(as_text=True)
    assert 'id="signup-done"' in body and 'id="attendance-scan"' in body
