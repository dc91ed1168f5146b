"""The account page's sections: name and email saved with validation (in place for htmx), each section
where the user finds it, destructive actions last."""
import re

from volunteer.extensions import db

EN = {"Accept-Language": "en"}


def test_a_user_changes_name_and_email(client, login, make_user):
    user = make_user(role="volunteer")
    login(user)
    resp = client.post("/account/details", data={"name": " 王小明 ", "email": "Wang@Example.org"}, headers=EN)
    assert resp.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.email) == ("王小明", "wang@example.org")


def test_a_bad_or_taken_email_and_an_empty_name_are_refused_with_messages(client, login, make_user):
    make_user(role="volunteer", email="taken@example.org")
    user = make_user(role="volunteer")
    login(user)
    for data, message in (({"name": "王", "email": "not-an-email"}, "Enter a valid email address."),
                          ({"name": "王", "email": "TAKEN@example.org"}, "already registered"),
                          ({"name": "", "email": ""}, "Enter your name.")):
        resp = client.post("/account/details", data=data, headers=EN)
        assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email is None


def test_htmx_gets_the_details_form_alone_with_saved(client, login, make_user):
    login(make_user(role="volunteer"))
    resp = client.post("/account/details", data={"name": "李", "email": ""}, headers={**EN, "HX-Request": "true"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and body.lstrip().startswith("<form") and 'id="details-card"' in body
    assert "Saved." in body and "<html" not in body
    bad = client.post("/account/details", data={"name": "", "email": ""}, headers={**EN, "HX-Request": "true"})
    assert bad.status_code == 422 and "Enter your name." in bad.get_data(as_text=True)


def test_the_page_has_every_section_with_the_destructive_ones_last(client, login, make_user):
    login(make_user(role="volunteer"))
    page = client.get("/account", headers=EN).get_data(as_text=True)
    order = ['id="logout"', 'id="details-sheet"', 'id="phone-card"', 'id="password-sheet"', 'id="channels-link"',
             'id="consents-card"', 'id="my-data-card"', 'id="logout-everywhere-card"', 'id="delete-account-card"']
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert 'href="/my/channels"' in page and 'href="/account/data"' in page and 'href="/account/data.json"' in page
    assert not re.search(r"window\.confirm", page)
