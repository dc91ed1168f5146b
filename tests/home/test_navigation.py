"""Each role's phone navigation: at most five tabs (four and 更多), logout only on the account page."""
import re

import pytest

from volunteer.home.navigation import nav_for


def _tabs(body):
    nav = body[body.index('class="bottom-nav"'):body.index("</nav>", body.index('class="bottom-nav"'))]
    items = re.findall(r'<li( class="[^"]*")?>\s*<a class="nav-item" href="([^"]+)"', nav)
    return [href for cls, href in items if "nav-extra" not in cls], [href for cls, href in items if "nav-extra" in cls]


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "admin", "org_admin", "org_member"])
def test_every_role_has_at_most_five_phone_tabs_and_the_rest_under_more(client, login, make_user, role):
    user = make_user(role=role)
    login(user)
    body = client.get("/").get_data(as_text=True)
    tabs, extra = _tabs(body)
    assert len(tabs) <= 5 and tabs[-1] == "/more"
    assert "/logout" not in body.split('class="bottom-nav"')[1]
    more = client.get("/more").get_data(as_text=True)
    listed = re.findall(r'<li class="list-item"><a href="([^"]+)"', more)
    assert listed == extra and "/account" in listed


def test_every_destination_of_a_role_is_a_page_that_role_may_open(client, login, make_user):
    for role in ("volunteer", "coordinator", "org_admin"):
        scope = {"scope_level": "district", "scope_code": "370212"} if role == "coordinator" else {}
        user = make_user(role=role, **scope)
        login(user)
        tabs, rest = nav_for(user)
        for item in tabs + rest:
            from flask import url_for
            with client.application.test_request_context():
                url = url_for(item.endpoint)
            assert client.get(url).status_code == 200, (role, url)
        client.post("/logout")


def test_a_donor_units_member_has_wishes_and_claims_as_tabs_not_needs_and_visits(client, login, make_user, make_org):
    unit = make_org(kind="caring_unit")
    donor = make_user(role="org_admin", organisation_id=unit.id)
    login(donor)
    tabs, extra = _tabs(client.get("/").get_data(as_text=True))
    assert tabs == ["/", "/wishes", "/my/wishes", "/inbox/", "/more"]
    for url in tabs + extra:
        assert client.get(url).status_code == 200, url


def test_tab_icons_differ_within_a_role():
    from volunteer.home import navigation

    for tabs, rest in (navigation.STAFF, navigation.VOLUNTEER, navigation.ORG, navigation.DONOR):
        icons = [i.icon for i in tabs + rest]
        assert len(icons) == len(set(icons)), icons


def test_the_components_page_is_for_staff_only(client, login, make_user):
    login(make_user(role="volunteer"))
    assert client.get("/_components").status_code == 404
    client.post("/logout")
    login(make_user(role="coordinator"))
    body = client.get("/_components").get_data(as_text=True)
    assert "table" in body and 'class="sheet"' in body and "data-confirm" in body


def test_a_coordinator_without_an_area_is_refused_statistics_with_a_403_not_a_500(client, login, make_user):
    login(make_user(role="coordinator"))
    resp = client.get("/stats")
    assert resp.status_code == 403 and "只有工作人员可以查看统计" in resp.get_data(as_text=True)
