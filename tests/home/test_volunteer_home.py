"""The volunteer home: offers answered in place (an accepted one becomes the next visit), the next visit with
the place and people its grant allows, needs near home counted as /near counts them, the care events open
for claiming, this year's service time; each count matches the page its link opens."""
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.matching.test_nearme import HOME as NEAR_HOME, PLACES, make_volunteer
from tests.visits.conftest import team, window  # noqa: F401 (team is a fixture)
from volunteer.extensions import db
from volunteer.home.volunteer import year_start
from volunteer.matching import points
from volunteer.needs.services import create_need
from volunteer.needs.wishes import create_wish
from volunteer.visits import answers, checkin, services
from volunteer.visits.models import Visit, VisitAssignee
from volunteer.wishes import events

from .people import HX, client_of, element, get, href, items

ADDRESS = "崂山区某路1号"  # the child's address in tests/conftest.py CHILD


def _offer(team, *vols, need="tutoring", hours=24.0):
    """An offer of the team's need to the volunteers numbered vols (the first by default)."""
    ids = [team["vols"][i].id for i in (vols or (0,))]
    return services.assign_visit(team["coord"], team[need].id, *window(hours), ids)


def test_an_offer_waits_first_with_accept_in_place_and_the_count_of_my_visits(app, team):
    visit = _offer(team)
    c = client_of(app, team["vols"][0])
    home = get(c, "/")
    assert home.index('id="home-offers"') < home.index('id="home-next-visit"') < home.index('id="home-events"')
    offers = element(home, "home-offers")
    assert f'id="visit-{visit.id}"' in offers
    assert f'hx-post="/home/visits/{visit.id}/answer"' in offers and 'hx-target="#home-visits"' in offers
    assert f'action="/visits/{visit.id}/respond"' in offers  # without JavaScript: the visit page's own route
    mine = get(c, href(home, "home-my-visits"))
    assert items(home, "home-offers") == items(mine, "visits-to_answer") == 1


def test_accepting_on_home_turns_the_offer_into_the_next_visit(app, team):
    visit = _offer(team)
    c = client_of(app, team["vols"][0])
    r = c.post(f"/home/visits/{visit.id}/answer", data={"decision": "accept"}, headers=HX)
    assert r.status_code == 200
    part = r.get_data(as_text=True)
    assert part.lstrip().startswith('<div class="stack" id="home-visits">')
    assert "谢谢！这次探访由您负责。" in part and "暂时没有待回复的探访邀请" in part
    assert f'href="/visits/{visit.id}"' in element(part, "home-next-visit")
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "accepted"


def test_accepting_ones_part_of_a_pair_offer_makes_it_the_next_visit_waiting_for_the_other(app, team):
    visit = _offer(team, 0, 1, need="home", hours=48)
    c = client_of(app, team["vols"][0])
    part = c.post(f"/home/visits/{visit.id}/answer", data={"decision": "accept"}, headers=HX).get_data(as_text=True)
    card = element(part, "home-next-visit")
    assert f'href="/visits/{visit.id}"' in card and "待其他志愿者回复" in card and "tel:" not in card
    assert team["vols"][1].name in element(card, "home-next-helpers")
    assert "谢谢！其他志愿者也接受后，探访即确定。" in element(part, "home-answer-done")
    assert items(get(c, "/my/visits"), "visits-ahead") == 1


def test_declining_on_home_leaves_nothing_waiting_and_no_visit_ahead(app, team):
    visit = _offer(team)
    c = client_of(app, team["vols"][0])
    part = c.post(f"/home/visits/{visit.id}/answer", data={"decision": "decline"}, headers=HX).get_data(as_text=True)
    assert "暂时没有待回复的探访邀请" in part and "暂时没有为您安排的探访" in part
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "declined"


def test_an_offer_no_longer_open_gets_its_message_in_place_and_someone_elses_is_not_found(app, team):
    visit = _offer(team)
    answers.respond(team["vols"][0], visit.id, False)
    c = client_of(app, team["vols"][0])
    r = c.post(f"/home/visits/{visit.id}/answer", data={"decision": "accept"}, headers=HX)
    assert r.status_code == 422 and 'id="home-answer-error"' in r.get_data(as_text=True)
    other = client_of(app, team["vols"][2])
    assert other.post(f"/home/visits/{visit.id}/answer", data={"decision": "accept"}, headers=HX).status_code == 404


def test_the_next_visit_before_its_grant_shows_the_town_and_names_but_no_address_or_phones(app, team):
    v0, v1 = team["vols"][:2]
    visit = _offer(team, 0, 1, need="home", hours=48)
    for v in (v0, v1):
        answers.respond(v, visit.id, True)
    home = get(client_of(app, v0), "/")
    card = element(home, "home-next-visit")
    assert "沙子口街道" in element(card, "home-next-place") and ADDRESS not in home
    assert v1.name in element(card, "home-next-helpers") and team["coord"].name in card
    assert "tel:" not in card and 'id="home-next-phones-later"' in card
    assert "uri.amap.com/marker" in card and "36.1102" not in card and "120.4622" not in card
    assert f'href="/visits/{visit.id}"' in card


def test_the_next_visit_during_its_grant_shows_the_address_and_the_phones_to_call(app, team):
    v0, v1 = team["vols"][:2]
    visit = _offer(team, 0, 1, need="home", hours=0.5)
    for v in (v0, v1):
        answers.respond(v, visit.id, True)
    card = element(get(client_of(app, v0), "/"), "home-next-visit")
    assert ADDRESS in element(card, "home-next-place")
    assert f'href="tel:{v1.phone}"' in element(card, "home-next-helpers")
    assert f'href="tel:{team["coord"].phone}"' in element(card, "home-next-coordinator")
    assert 'href="tel:+8613812345678"' in card  # the guardian, as on the visit page
    assert 'id="home-next-phones-later"' not in card


def test_needs_near_home_count_and_the_three_nearest_are_what_near_me_lists(app, make_user, make_child):
    admin = make_user(role="admin")
    volunteer = make_volunteer(make_user, point=NEAR_HOME, radius=5, skills=("tutoring",))
    spots = [PLACES["near"], PLACES["mid"], PLACES["far"], (36.1125, 120.4700), (36.0950, 120.4600), PLACES["out"]]
    for lat, lon in spots:
        child = make_child(by=admin, lat=f"{lat:.6f}", lon=f"{lon:.6f}")
        create_need(admin, child.ref, {"dimension": "intellect", "service_type": "tutoring", "skills": ["tutoring"]})
    points.rebuild_all()
    c = client_of(app, volunteer)
    home = get(c, "/")
    count = int(re.search(r'id="home-near-count">(\d+)<', home).group(1))
    nearest = re.findall(r'data-need-id="(\d+)"', element(home, "home-near-list"))
    near = get(c, href(home, "home-near-all"))
    listed = re.findall(r'<li class="card stack stack-sm near-card" id="near-need-(\d+)"', near)
    assert count == len(listed) == 5 and nearest == listed[:3]
    assert f"有 {count} 项" in element(near, "near-summary")


def test_an_incomplete_profile_gets_the_call_to_complete_it_first(app, make_user):
    home = get(client_of(app, make_user(role="volunteer")), "/")
    assert home.index('id="home-complete-profile"') < home.index('id="home-visits"')
    assert 'id="home-near"' not in home and "暂时没有待回复的探访邀请" in home


def test_open_events_link_to_their_pages_with_the_counts_those_pages_show(app, make_user, make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    child = make_child(by=coordinator)
    event = events.create_event(coordinator, {"name": "六一心愿会", "place": "沙子口社工站", "held_on": "2027-06-01"})
    events.create_event(coordinator, {"name": "草稿活动", "place": "某处", "held_on": "2027-07-01"})
    refs = [create_wish(coordinator, child.ref, {"item": f"书包{i}", "category": "study", "price_yuan": "80"}).ref
            for i in range(3)]
    events.add_wishes(coordinator, event.id, refs)
    events.publish_event(coordinator, event.id)
    c = client_of(app, make_user(role="volunteer"))
    home = get(c, "/")
    assert "草稿活动" not in home and items(home, "home-event-list") == 1
    assert items(get(c, href(home, "home-events-all")), "events") == 1
    link = element(home, f"home-event-{event.id}")
    assert "3 个待认领" in link
    assert items(get(c, href(home, f"home-event-{event.id}")), "wish-cards", r'<li\b[^>]*id="wcard-') == 3


def test_no_events_says_so_plainly(app, make_user):
    home = get(client_of(app, make_user(role="volunteer")), "/")
    assert "暂时没有可认领的微心愿活动" in element(home, "home-events")


def test_service_time_this_year_adds_visits_since_new_year_and_approved_activities_as_my_hours_does(app, team):
    from volunteer.activities import hours, services as activities
    from volunteer.activities.models import ActivitySignup
    from tests.activities.conftest import activity_data

    v0 = team["vols"][0]
    start = year_start()
    for visit, checked_in, minutes in ((_offer(team), start + timedelta(days=1), 90),
                                       (_offer(team, 0, 1, need="home", hours=72), start - timedelta(days=2), 60)):
        row = db.session.scalar(select(VisitAssignee).where(VisitAssignee.visit_id == visit.id,
                                                            VisitAssignee.user_id == v0.id))
        row.checked_in_at, row.service_minutes = checked_in, minutes
        db.session.get(Visit, visit.id).status = "done"
    activity = activities.create(team["coord"], activity_data(starts_at=start + timedelta(days=2, hours=1),
                                                              ends_at=start + timedelta(days=2, hours=2),
                                                              signup_deadline=start + timedelta(days=1)))
    db.session.add(ActivitySignup(activity_id=activity.id, volunteer_id=v0.id, status="confirmed",
                                  signed_in_at=activity.starts_at, minutes=30, hours_status="approved",
                                  approved_minutes=30))
    db.session.commit()
    assert hours.summary(v0.id)["year_minutes"] == 120  # what /my/hours shows for this year
    shown = element(get(client_of(app, v0), "/"), "home-hours")
    assert "2 小时" in shown and 'href="/my/hours"' in shown


def test_the_year_starts_at_midnight_qingdao_time():
    assert year_start(datetime(2026, 6, 1).date()) == datetime(2025, 12, 31, 16, 0, tzinfo=timezone.utc)


def test_with_nothing_yet_every_part_says_so(app, make_user):
    volunteer = make_volunteer(make_user, point=NEAR_HOME)
    home = get(client_of(app, volunteer), "/")
    assert "暂时没有待回复的探访邀请" in home and "暂时没有为您安排的探访" in home
    assert "公里内暂时没有待认领的需求" in element(home, "home-near") and "暂无" in element(home, "home-hours")
    assert 'id="home-runs"' not in home and 'id="home-claims"' not in home
