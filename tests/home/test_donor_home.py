"""The donor home (a caring unit's members and admins): my claims counted by next step as /my/wishes lists
them, the first claim's next step one tap away, the care events open for claiming; zero-states say so."""
import re

import pytest

from volunteer.needs.wishes import create_wish
from volunteer.wishes import claims, events, fulfil

from .people import client_of, element, get, href, items


@pytest.fixture
def unit(make_user, make_org, make_child):
    """A caring unit with an admin and a member, a coordinator and a published event of four wishes."""
    org = make_org(name="爱心单位甲", kind="caring_unit")
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    child = make_child(by=coordinator)
    event = events.create_event(coordinator, {"name": "六一心愿会", "place": "沙子口社工站", "held_on": "2027-06-01"})
    wishes = [create_wish(coordinator, child.ref, {"item": f"心愿{i}", "category": "study", "price_yuan": "60"})
              for i in range(4)]
    events.add_wishes(coordinator, event.id, [w.ref for w in wishes])
    events.publish_event(coordinator, event.id)
    return {"org": org, "admin": make_user(role="org_admin", organisation_id=org.id, name="单位管理员"),
            "member": make_user(role="org_member", organisation_id=org.id), "event": event, "wishes": wishes}


def _stages(page):
    return re.findall(r'data-stage="(\w+)"', element(page, "my-live"))


def test_claims_count_by_step_as_my_wishes_lists_them(app, unit):
    admin, w = unit["admin"], unit["wishes"]
    rows = [claims.claim(admin, wish.ref) for wish in w[:3]]
    fulfil.mark_bought(admin, rows[1].id)
    fulfil.mark_bought(admin, rows[2].id)
    fulfil.mark_delivered(admin, rows[2].id, "director")
    c = client_of(app, admin)
    home = get(c, "/")
    mine = get(c, href(home, "home-claims-claimed"))
    for step in ("claimed", "bought", "delivered"):
        shown = int(re.search(r'data-count="(\d+)"', element(home, f"home-claims-{step}")).group(1))
        assert shown == _stages(mine).count(step) == 1, step


def test_the_first_claims_next_step_is_one_tap_from_home(app, unit):
    admin, w = unit["admin"], unit["wishes"]
    first, second = claims.claim(admin, w[0].ref), claims.claim(admin, w[1].ref)
    c = client_of(app, admin)
    home = get(c, "/")
    link = href(home, "home-claim-next")
    assert link == f"/my/wishes#claim-{second.id}"  # /my/wishes lists the newest claim first
    page, anchor = get(c, link.split("#")[0]), link.split("#")[1]
    assert f'action="/my/claims/{second.id}/bought"' in element(page, anchor)
    fulfil.mark_bought(admin, second.id)
    fulfil.mark_bought(admin, first.id)
    home = get(c, "/")
    assert "下一步：送达并获取签收码" in element(home, "home-first-claim")
    assert f'action="/my/claims/{second.id}/delivered"' in element(get(c, "/my/wishes"), f"claim-{second.id}")


def test_a_member_sees_the_units_claims_and_no_member_admin(app, unit):
    claims.claim(unit["admin"], unit["wishes"][0].ref)
    home = get(client_of(app, unit["member"]), "/")
    assert 'data-count="1"' in element(home, "home-claims-claimed") and 'id="home-team"' not in home


def test_open_events_show_what_is_left_to_claim_as_the_event_page_does(app, unit):
    claims.claim(unit["admin"], unit["wishes"][0].ref)
    c = client_of(app, unit["member"])
    home = get(c, "/")
    event = unit["event"]
    assert "3 个待认领" in element(home, f"home-event-{event.id}")
    assert items(get(c, href(home, f"home-event-{event.id}")), "wish-cards", r'<li\b[^>]*id="wcard-') == 3
    assert items(get(c, href(home, "home-events-all")), "events") == items(home, "home-event-list") == 1


def test_the_units_admin_sees_its_members_as_the_organisation_page_counts_them(app, unit):
    c = client_of(app, unit["admin"])
    home = get(c, "/")
    page = get(c, href(home, "home-team-members").split("#")[0])
    listed = len(re.findall(r'id="member-\d+"', page))
    assert listed == 2 and f">{listed}<" in element(home, "home-team-members")


def test_with_no_claims_and_no_events_the_donor_home_says_so(app, make_user, make_org):
    org = make_org(kind="caring_unit")
    home = get(client_of(app, make_user(role="org_member", organisation_id=org.id)), "/")
    assert "您没有进行中的认领" in element(home, "home-claims") and 'id="home-claim-next"' not in home
    assert "暂时没有可认领的微心愿活动" in element(home, "home-events")
