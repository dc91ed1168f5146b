"""Every demo login's home on the small demo: each count a coordinator or the admin sees is the number of items
its list shows, and every link on any role's home opens for that role."""
import re

import pytest

from tests.home.conftest import listed, tiles
from volunteer.demo.services import build


@pytest.fixture
def demo(app):
    return build(small=True)


def _client(app, login, password):
    client = app.test_client()
    resp = client.post("/login", data={"phone": login["e164"], "password": password})
    assert resp.status_code == 302, login
    return client


def test_on_the_demo_staff_counts_match_their_lists_and_every_home_link_opens_for_its_reader(app, demo):
    # One test: building the demo takes most of its time.
    staff = 0
    for login in demo["logins"]:
        client = _client(app, login, demo["password"])
        body = client.get("/").get_data(as_text=True)
        if login["role"] in ("admin", "coordinator"):
            staff += 1
            found = tiles(body)
            assert found, login
            for key, (count, href) in found.items():
                assert listed(client, href) == count, (login["name"], key, href)
        main = body[body.index("<main"):body.index("</main>")]
        links = {h.replace("&amp;", "&").split("#")[0] for h in re.findall(r'<a [^>]*href="(/[^"]*)"', main)}
        assert links, login
        for href in sorted(links):
            assert client.get(href).status_code == 200, (login["role"], login["name"], href)
    assert staff >= 3
