"""The admin home: the whole city's "today" (the same counts as a city coordinator's, each the size of its
list) and the pages that manage users and settings."""
import re

from .conftest import tiles


def test_the_admin_sees_the_citys_waiting_work_like_a_city_coordinator(client, login, city_work):
    login(city_work["city"])
    city = tiles(client.get("/").get_data(as_text=True))
    client.post("/logout")
    login(city_work["admin"])
    body = client.get("/").get_data(as_text=True)
    admin = tiles(body)
    assert {k: v[0] for k, v in admin.items()} == {k: v[0] for k, v in city.items()}
    assert admin["review"][0] == 3 and "青岛市 待办" in body and "青岛市 本月" in body


def test_the_admin_home_links_every_users_and_settings_page_and_each_opens(client, login, make_user):
    login(make_user(role="admin"))
    body = client.get("/").get_data(as_text=True)
    section = body[body.index('id="home-links"'):]
    links = re.findall(r'<li class="list-item"><a href="([^"]+)"', section[:section.index("</section>")])
    assert links == ["/orgs", "/logistics", "/jobs/failed", "/account/tokens", "/stats", "/account"]
    for href in links:
        assert client.get(href).status_code == 200, href


def test_a_coordinator_home_has_shortcuts_but_no_administration(client, login, make_user):
    login(make_user(role="coordinator", scope_level="district", scope_code="370212"))
    body = client.get("/").get_data(as_text=True)
    assert "用户与设置" not in body and "常用功能" in body
