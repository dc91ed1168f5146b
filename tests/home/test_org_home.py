"""The organisation home: the team's offers (its admins answer them in place) and visits, members and
invitations for admins, the needs board; each count matches the page its link opens."""
import re

from tests.visits.conftest import team, window  # noqa: F401 (team is a fixture)
from volunteer.extensions import db
from volunteer.orgs import invitations
from volunteer.visits import answers, services
from volunteer.visits.models import Visit

from .people import HX, client_of, element, get, href, items


def _org_team(team, make_user, make_org):
    org = make_org(name="蓝天社工")
    admin = make_user(role="org_admin", organisation_id=org.id, name="机构管理员甲")
    member = make_user(role="org_member", organisation_id=org.id, name="机构成员乙")
    return org, admin, member


def test_an_admin_answers_the_teams_offer_on_home_and_it_becomes_the_teams_next_visit(app, team, make_user, make_org):
    org, admin, member = _org_team(team, make_user, make_org)
    visit = services.assign_visit(team["coord"], team["home"].id, *window(48), org_id=org.id)
    c = client_of(app, admin)
    home = get(c, "/")
    offers = element(home, "home-offers")
    assert f'id="visit-{visit.id}"' in offers and f'hx-post="/home/visits/{visit.id}/answer"' in offers
    assert items(home, "home-offers") == items(get(c, href(home, "home-my-visits")), "visits-to_answer") == 1
    part = c.post(f"/home/visits/{visit.id}/answer", data={"decision": "accept"}, headers=HX).get_data(as_text=True)
    card = element(part, "home-next-visit")
    assert f'href="/visits/{visit.id}"' in card and "蓝天社工" in card and "暂时没有待回复的探访邀请" in part
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "accepted"


def test_a_member_sees_the_teams_visit_ahead_but_no_offer_to_answer(app, team, make_user, make_org):
    org, admin, member = _org_team(team, make_user, make_org)
    visit = services.assign_visit(team["coord"], team["home"].id, *window(48), org_id=org.id)
    c = client_of(app, member)
    assert "暂时没有待回复的探访邀请" in get(c, "/")
    assert c.post(f"/home/visits/{visit.id}/answer", data={"decision": "accept"}, headers=HX).status_code == 422
    answers.respond(admin, visit.id, True)
    home = get(c, "/")
    assert f'href="/visits/{visit.id}"' in element(home, "home-next-visit")
    assert 'id="home-team"' not in home  # members and invitations are the admins'


def test_members_and_waiting_invitations_count_as_the_organisation_page_lists_them(app, team, make_user, make_org):
    org, admin, member = _org_team(team, make_user, make_org)
    invitations.invite(admin, org.id, "13900001111", "org_member")
    invitations.invite(admin, org.id, "13900002222", "org_admin")
    c = client_of(app, admin)
    home = get(c, "/")
    members = element(home, "home-team-members")
    waiting = element(home, "home-team-invitations")
    page = get(c, href(home, "home-team-members").split("#")[0])
    listed = len(re.findall(r'id="member-\d+"', page))
    assert listed == 2 and f">{listed}<" in members
    assert page.count("/withdraw") == 2 and ">2<" in waiting
    assert href(home, "home-needs-board") == "/needs"


def test_with_nothing_waiting_the_org_home_says_so(app, team, make_user, make_org):
    org, admin, member = _org_team(team, make_user, make_org)
    home = get(client_of(app, admin), "/")
    assert "暂时没有待回复的探访邀请" in home and "暂时没有为您安排的探访" in home
    assert "蓝天社工" in home
