"""Pages of needs and wishes: the volunteers' board never shows who or where a child is; bad input is a 422
with the message next to the field and nothing saved; status moves and taking a need work over htmx."""
import re

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from volunteer.children.cards import age_band
from volunteer.children.nicknames import nickname
from volunteer.extensions import db
from volunteer.needs import services
from volunteer.needs.models import Need, Wish

EN = {"Accept-Language": "en"}
HX = {**EN, "HX-Request": "true"}
# Distinctive values that must never reach a volunteer's or a caring unit's screen.
SECRET = {"name": "欧阳秘密", "address": "崂山区秘密路99号", "village": "秘密村", "school": "秘密小学",
          "guardian_name": "欧阳监护", "guardian_phone": "13987654321", "guardian_relation": "姑姑",
          "consent_given_by": "欧阳监护", "consent_relation": "姑姑", "category": "orphan", "disabled": "1",
          "notes": "秘密备注"}
NEVER = ["欧阳秘密", "秘密路", "秘密村", "秘密小学", "欧阳监护", "13987654321", "139 8765 4321", "8765",
         "姑姑", "秘密备注", "孤儿", "Orphan", "orphan", "残疾", "Disabled", "disabled child", "小心狗"]
NEED = {"dimension": "intellect", "service_type": "tutoring", "urgency": "high", "rhythm": "weekly",
        "skills": ["tutoring"], "window_start": "2026-12-01", "window_end": "2027-01-31",
        "details": "家里有狗，小心狗"}


@pytest.fixture
def people(make_user, make_org):
    org = make_org()
    return {"coordinator": make_user(role="coordinator", scope_level="district", scope_code="370212"),
            "outsider": make_user(role="coordinator", scope_level="district", scope_code="370203"),
            "volunteer": make_user(role="volunteer"),
            "org_admin": make_user(role="org_admin", organisation_id=org.id),
            "org_member": make_user(role="org_member", organisation_id=org.id),
            "org": org}


def _count(model):
    return db.session.scalar(select(func.count(model.id)))


def _assert_private(html):
    for secret in NEVER:
        assert secret not in html, f"{secret!r} leaked"


@pytest.mark.parametrize("role", ["volunteer", "org_member", "org_admin"])
def test_the_board_shows_privacy_cards_and_never_who_or_where_the_child_is(client, login, people, make_child,
                                                                            role):
    child = make_child(by=people["coordinator"], **SECRET)
    services.create_need(people["coordinator"], child.ref, NEED)
    login(people[role])
    resp = client.get("/needs", headers=EN)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert nickname(child.ref) in html and "Tutoring" in html and "High" in html
    text = re.sub(r"<[^>]+>", " ", html)  # what the page shows (the reference may stay in element ids)
    assert child.ref[:4].upper() not in text and "Child " not in text  # no hex pseudonym
    assert "Every week" in html and "2026-12-01" in html and f"age {age_band(child.birth_date)}" in html
    assert "沙子口街道" in html  # the town, not the village or the address
    assert not re.search(r"\b3[56]\.\d{2,}|\b12[01]\.\d{2,}", html)  # no coordinates, not even rounded ones
    _assert_private(html)
    assert ("Take for my team" in html) == (role == "org_admin")


def test_more_cards_come_as_an_htmx_fragment_that_is_private_too(client, login, people, make_child):
    refs = []
    for i in range(12):
        kid = make_child(by=people["coordinator"], **{**SECRET, "name": f"欧阳秘密{i}"})
        services.create_need(people["coordinator"], kid.ref, NEED)
        refs.append(kid.ref)
    login(people["volunteer"])
    page = client.get("/needs", headers=EN).get_data(as_text=True)
    assert page.count('id="child-card-') == 10
    more = re.search(r'hx-get="([^"]+)"[^>]*hx-target="closest li" hx-swap="outerHTML"', page)
    assert more and "page=2" in more.group(1)
    resp = client.get(more.group(1).replace("&amp;", "&"), headers=HX)
    fragment = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in fragment and "<main" not in fragment
    assert fragment.count('id="child-card-') == 2 and "page=3" not in fragment
    shown = set(re.findall(r'id="child-card-(\w+)"', page + fragment))
    assert shown == set(refs)
    _assert_private(page)
    _assert_private(fragment)


def test_the_board_keeps_filters_when_loading_more(client, login, people, make_child):
    for _ in range(11):
        services.create_need(people["coordinator"], make_child(by=people["coordinator"]).ref, NEED)
    other = make_child(by=people["coordinator"])
    services.create_need(people["coordinator"], other.ref, {**NEED, "service_type": "camp"})
    login(people["volunteer"])
    page = client.get("/needs?service_type=tutoring", headers=EN).get_data(as_text=True)
    assert other.ref not in page
    assert re.search(r'hx-get="[^"]*service_type=tutoring[^"]*"', page)
    camp = client.get("/needs?service_type=camp", headers=EN).get_data(as_text=True)
    assert camp.count('id="child-card-') == 1 and other.ref in camp


def test_a_coordinator_adds_a_need_through_the_form(client, login, people, make_child):
    child = make_child(by=people["coordinator"])
    login(people["coordinator"])
    form = client.get(f"/children/{child.ref}/needs/new", headers=EN)
    assert form.status_code == 200 and 'name="service_type"' in form.get_data(as_text=True)
    resp = client.post(f"/children/{child.ref}/needs/new", headers=EN, data={
        "need_form": "1", "dimension": "body", "service_type": "rehabilitation", "urgency": "urgent",
        "rhythm": "weekly", "skills": ["rehabilitation", "driving"], "window_start": "2026-12-01",
        "window_end": "2026-12-31", "details": "周末"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/children/{child.ref}")
    need = db.session.scalars(select(Need)).one()
    assert need.skill_codes == ["driving", "rehabilitation"] and need.urgency == "urgent"


@pytest.mark.parametrize("change, message", [
    ({"service_type": "magic"}, "Choose from the list."),
    ({"window_start": "2026-12-10", "window_end": "2026-12-01"}, "The window cannot end before it starts."),
])
def test_bad_need_input_is_a_422_with_the_message_and_the_input_kept(client, login, people, make_child,
                                                                     change, message):
    child = make_child(by=people["coordinator"])
    login(people["coordinator"])
    data = {"need_form": "1", "dimension": "mind", "service_type": "counselling", "urgency": "normal",
            "rhythm": "once", "skills": ["counselling"], "details": "保留我", **change}
    resp = client.post(f"/children/{child.ref}/needs/new", data=data, headers=EN)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and message in html and 'class="field-error"' in html
    assert "保留我" in html and 'value="counselling" checked' in html
    assert _count(Need) == 0


@pytest.mark.parametrize("price, message", [("0", "between 1 and 5000"), ("999999", "between 1 and 5000"),
                                            ("abc", "whole number")])
def test_bad_wish_prices_are_a_422_and_nothing_is_saved(client, login, people, make_child, price, message):
    child = make_child(by=people["coordinator"])
    login(people["coordinator"])
    resp = client.post(f"/children/{child.ref}/wishes/new", headers=EN,
                       data={"item": "篮球", "category": "sports", "price_yuan": price})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and message in html and 'value="篮球"' in html
    assert _count(Wish) == 0


def test_an_emoji_in_a_wish_item_is_a_422(client, login, people, make_child):
    child = make_child(by=people["coordinator"])
    login(people["coordinator"])
    resp = client.post(f"/children/{child.ref}/wishes/new", headers=EN,
                       data={"item": "篮球🏀", "category": "sports", "price_yuan": "100"})
    assert resp.status_code == 422 and "no emoji" in resp.get_data(as_text=True)
    assert _count(Wish) == 0
    ok = client.post(f"/children/{child.ref}/wishes/new", headers=EN,
                     data={"item": "篮球", "category": "sports", "price_yuan": "100"})
    assert ok.status_code == 302 and _count(Wish) == 1


def test_an_outsider_gets_404_on_the_forms_and_nothing_is_saved(client, login, people, make_child):
    child = make_child(by=people["coordinator"])
    login(people["outsider"])
    assert client.post(f"/children/{child.ref}/needs/new", data={**NEED, "need_form": "1"}).status_code == 404
    assert client.post(f"/children/{child.ref}/wishes/new",
                       data={"item": "书", "category": "books", "price_yuan": "10"}).status_code == 404
    assert client.get("/children/nosuchref/needs/new").status_code == 404
    assert _count(Need) == 0 and _count(Wish) == 0


def test_moving_a_done_need_to_assigned_is_a_422_and_changes_nothing(client, login, people, make_child):
    child = make_child(by=people["coordinator"])
    need = services.create_need(people["coordinator"], child.ref, NEED)
    for status in ("assigned", "in_progress", "done"):
        services.move_need(people["coordinator"], need.id, status)
    login(people["coordinator"])
    for headers in (EN, HX):
        resp = client.post(f"/needs/{need.id}/status", data={"status": "assigned"}, headers=headers)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422
        assert "A need that is Done cannot become Assigned; it can become: Open." in html
    db.session.refresh(need)
    assert need.status == "done"


def test_an_htmx_status_move_returns_the_updated_row(client, login, people, make_child):
    child = make_child(by=people["coordinator"])
    need = services.create_need(people["coordinator"], child.ref, NEED)
    login(people["coordinator"])
    resp = client.post(f"/needs/{need.id}/status", data={"status": "assigned"}, headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and html.lstrip().startswith(f'<li class="list-item stack" id="need-{need.id}"')
    assert "Assigned" in html and 'value="in_progress"' in html and "<html" not in html
    db.session.refresh(need)
    assert need.status == "assigned"
    plain = client.post(f"/needs/{need.id}/status", data={"status": "in_progress"}, headers=EN)
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/children/{child.ref}")


def test_wish_moves_over_htmx_and_refused_moves_are_422(client, login, people, make_child):
    child = make_child(by=people["coordinator"])
    wish = services.create_wish(people["coordinator"], child.ref, {"item": "书包", "category": "study",
                                                                  "price_yuan": 80})
    login(people["coordinator"])
    ok = client.post(f"/wishes/{wish.ref}/status", data={"status": "published"}, headers=HX)
    assert ok.status_code == 200 and f'id="wish-{wish.ref}"' in ok.get_data(as_text=True)
    bad = client.post(f"/wishes/{wish.ref}/status", data={"status": "received"}, headers=HX)
    assert bad.status_code == 422 and "cannot become Received" in bad.get_data(as_text=True)
    db.session.refresh(wish)
    assert wish.status == "published"


def test_an_org_admin_takes_a_need_from_the_board_and_sees_only_the_card(client, login, people, make_child):
    child = make_child(by=people["coordinator"], **SECRET)
    need = services.create_need(people["coordinator"], child.ref, NEED)
    login(people["org_admin"])
    resp = client.post(f"/needs/{need.id}/take", headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Taken by your team" in html and "Tutoring" in html
    _assert_private(html)
    db.session.refresh(need)
    assert need.status == "assigned" and need.team_org_id == people["org"].id
    again = client.post(f"/needs/{need.id}/take", headers=HX)
    assert again.status_code == 422
    org_page = client.get(f"/orgs/{people['org'].id}", headers=EN).get_data(as_text=True)
    assert nickname(child.ref) in org_page and "Start" in org_page
    _assert_private(org_page)
    started = client.post(f"/needs/{need.id}/status", data={"status": "in_progress"}, headers=HX)
    assert started.status_code == 200 and "In progress" in started.get_data(as_text=True)
    _assert_private(started.get_data(as_text=True))


def test_the_child_page_partials_list_needs_and_wishes_with_their_controls(app, people, make_child):
    child = make_child(by=people["coordinator"])
    need = services.create_need(people["coordinator"], child.ref, NEED)
    wish = services.create_wish(people["coordinator"], child.ref, {"item": "书包", "category": "study",
                                                                  "price_yuan": 80})
    with app.test_request_context("/", headers=EN):
        with_context = render_template_string(
            '{% include "needs/_child_needs.html" %}{% include "needs/_child_wishes.html" %}',
            child=child, needs=[need], wishes=[wish])
        looked_up = render_template_string(
            '{% include "needs/_child_needs.html" %}{% include "needs/_child_wishes.html" %}', child=child)
    for html in (with_context, looked_up):
        assert f'id="need-{need.id}"' in html and "家里有狗" in html and f'/needs/{need.id}/status' in html
        assert f'id="wish-{wish.ref}"' in html and "书包" in html and "About 80 yuan" in html
        assert f"/children/{child.ref}/needs/new" in html and f"/children/{child.ref}/wishes/new" in html


def _status_forms(html, anchor):
    """The row with id anchor (up to its closing tag) and its status buttons as (value, label)."""
    row = html[html.index(f'id="{anchor}"'):]
    row = row[:row.index("\n</li>")]
    buttons = re.findall(r'<button[^>]*name="status" value="(\w+)"[^>]*>\s*([^<]+?)\s*</button>', row)
    return row, buttons


def _status_badge(row):
    """The text of the row's status badge."""
    return re.search(r'<span class="badge [\w-]*" data-status="\w+">([^<]+)</span>', row).group(1)


def _cancel_is_set_apart_and_asks_first(row):
    zone = row[row.index('class="danger-zone'):]
    assert 'value="cancelled"' in zone and 'value="cancelled"' not in row[:row.index('class="danger-zone')]
    assert "data-confirm-title=" in zone and "data-confirm-ok=" in zone and "btn-danger-quiet" in zone


def test_the_child_page_shows_each_status_and_offers_its_moves_as_labelled_buttons(client, login, people,
                                                                                  make_child):
    child = make_child(by=people["coordinator"])
    need = services.create_need(people["coordinator"], child.ref, NEED)
    wish = services.create_wish(people["coordinator"], child.ref, {"item": "书包", "category": "study",
                                                                  "price_yuan": 80})
    services.move_wish(people["coordinator"], wish.ref, "published")
    login(people["coordinator"])
    html = client.get(f"/children/{child.ref}", headers=EN).get_data(as_text=True)
    row, buttons = _status_forms(html, f"need-{need.id}")
    assert "<select" not in row and "<option" not in row
    assert _status_badge(row) == "Open"
    _cancel_is_set_apart_and_asks_first(row)
    assert buttons == [("assigned", "Mark as assigned"), ("cancelled", "Cancel the need")]
    row, buttons = _status_forms(html, f"wish-{wish.ref}")
    assert "<select" not in row and "Draft</option>" not in row
    assert _status_badge(row) == "Published"
    _cancel_is_set_apart_and_asks_first(row)
    assert buttons == [("draft", "Back to draft"), ("cancelled", "Cancel the wish")]
    # Moving swaps the row in with the new status and the new moves.
    moved = client.post(f"/needs/{need.id}/status", data={"status": "assigned"}, headers=HX).get_data(as_text=True)
    row, buttons = _status_forms(moved, f"need-{need.id}")
    assert _status_badge(row) == "Assigned" and "csrf_token" in row
    assert [v for v, _ in buttons] == ["in_progress", "open", "cancelled"]
    zh = client.get(f"/children/{child.ref}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    row, buttons = _status_forms(zh, f"need-{need.id}")
    assert "已分配" in row and ("in_progress", "标记为进行中") in buttons


def test_every_allowed_status_move_has_a_button_label():
    from volunteer.needs.models import NEED_ACTIONS, NEED_FLOW, STAFF_WISH_FLOW, WISH_ACTIONS

    assert {s: set(a) for s, a in NEED_ACTIONS.items()} == NEED_FLOW
    assert {s: set(a) for s, a in WISH_ACTIONS.items()} == STAFF_WISH_FLOW


def test_the_board_puts_the_needs_nearest_to_the_volunteers_home_first_with_their_distance(client, login,
                                                                                           people, make_child,
                                                                                           make_user):
    admin = make_user(role="admin")
    # Made in this order, so "newest first" would put the nearest last, and "most urgent first" the 市北区
    # child (no point of its own: placed at its town, ~8 km away); the nearest is ~1 km from the home.
    far = make_child(by=admin, lat="36.1102", lon="120.6022")  # 崂山 east coast, ~13 km
    town_only = make_child(by=admin, district_code="370203", town_code="370203005", lat="", lon="")
    near = make_child(by=admin, lat="36.1102", lon="120.4622")
    for kid in (far, town_only, near):
        services.create_need(admin, kid.ref, {**NEED, "urgency": "normal"})
    services.create_need(admin, town_only.ref, {**NEED, "urgency": "urgent"})
    volunteer = people["volunteer"]
    volunteer.profile.lat, volunteer.profile.lon = 36.1050, 120.4600
    db.session.commit()
    login(volunteer)
    html = client.get("/needs", headers=EN).get_data(as_text=True)
    order = re.findall(r'id="child-card-(\w+)"', html)
    assert order == [near.ref, town_only.ref, far.ref]
    kms = [float(k) for k in re.findall(r'data-km="([\d.]+)"', html)]
    assert kms == sorted(kms) and kms[0] <= 1.5
    assert "km from your home" in html and "Nearest to your home first" in html
    assert "Set my home in my profile" not in html


def test_without_a_home_the_board_is_most_urgent_first_and_says_how_to_get_distances(client, login, people,
                                                                                    make_child):
    calm = make_child(by=people["coordinator"])
    urgent = make_child(by=people["coordinator"])
    services.create_need(people["coordinator"], calm.ref, {**NEED, "urgency": "low"})
    services.create_need(people["coordinator"], urgent.ref, {**NEED, "urgency": "urgent"})
    login(people["volunteer"])
    html = client.get("/needs", headers=EN).get_data(as_text=True)
    assert re.findall(r'id="child-card-(\w+)"', html) == [urgent.ref, calm.ref]
    assert "data-km=" not in html and "km from your home" not in html
    assert "Set my home in my profile" in html and 'href="/me/profile"' in html
