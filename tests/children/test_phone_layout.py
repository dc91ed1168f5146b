"""The children pages on a phone: results before the filters, rows as labelled cards, delete set apart."""
import re


EN = {"Accept-Language": "en"}


def _between(body, start, end):
    i = body.index(start)
    return body[i:body.index(end, i)]


def test_the_results_come_first_and_the_filters_wait_in_a_sheet_that_says_what_is_chosen(coord_client, make_child):
    make_child(name="王小明")
    body = coord_client.get("/children?category=orphan", headers=EN).get_data(as_text=True)
    assert body.index('id="results"') < body.index('data-remember="children-filters"')
    sheet = _between(body, '<details class="sheet"', "</details>")
    assert 'id="f-category"' in sheet and 'id="f-district"' in sheet
    summary = re.sub(r"<[^>]+>", " ", _between(sheet, "<summary", "</summary>"))
    assert "Orphan" in summary  # the current filter, in words
    plain = coord_client.get("/children", headers=EN).get_data(as_text=True)
    summary = re.sub(r"<[^>]+>", " ", _between(plain, "<summary", "</summary>"))
    assert "All children in your area" in summary


def test_each_child_is_a_card_with_labelled_cells(coord_client, make_child):
    make_child(name="王小明")
    body = coord_client.get("/children", headers=EN).get_data(as_text=True)
    table = _between(body, 'id="children-table"', "</table>")
    assert '<th scope="row">' in table and "王小明" in table
    for label in ("Age", "Gender", "Town or street", "Category"):
        assert f'data-label="{label}"' in table, label


def test_the_live_search_answers_the_results_block_only(coord_client, make_child):
    make_child(name="王小明")
    resp = coord_client.get("/children?q=王", headers={**EN, "HX-Request": "true"})
    body = resp.get_data(as_text=True)
    assert "<html" not in body and "王小明" in body and "data-remember" not in body


def test_delete_sits_alone_in_the_danger_zone_behind_a_named_confirmation(coord_client, make_child):
    child = make_child(name="王小明")
    body = coord_client.get(f"/children/{child.ref}", headers=EN).get_data(as_text=True)
    actions = _between(body, 'id="child-actions"', "</div>")
    assert "delete-child" not in actions
    zone = body[body.index('class="danger-zone'):]
    form = _between(zone, "<form", ">")
    assert 'id="delete-child"' in zone and "btn-danger-quiet" in zone
    assert "data-confirm-title=" in form and "data-confirm-ok=" in form and "王小明" in form
    assert body.index('id="history"') < body.index('class="danger-zone')


def test_the_child_page_shows_category_and_consent_as_badges_and_the_home_without_jargon(coord_client, make_child):
    child = make_child(name="王小明")
    body = coord_client.get(f"/children/{child.ref}", headers=EN).get_data(as_text=True)
    header = _between(body, 'id="child-name"', 'id="child-actions"')
    assert "badge" in header and "Consent recorded" in header
    assert "WGS-84" not in body and "Home location" in body
    zh = coord_client.get(f"/children/{child.ref}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "家庭位置" in zh and "WGS" not in zh


def test_the_viewers_log_is_a_list_of_labelled_cards(client, login, coordinator, make_child):
    child = make_child(name="王小明")
    login(coordinator)
    client.get(f"/children/{child.ref}")
    body = client.get(f"/children/{child.ref}/viewers", headers=EN).get_data(as_text=True)
    table = _between(body, 'id="viewers"', "</table>")
    assert '<th scope="row">' in table
    for label in ("What", "When", "Reason"):
        assert f'data-label="{label}"' in table, label


def test_a_long_viewers_log_is_paged(client, login, coordinator, make_child):
    from volunteer.audit.models import AuditEntry
    from volunteer.extensions import db

    child = make_child(name="王小明")
    db.session.add_all([AuditEntry(user_id=coordinator.id, action="view", collection="child", object_id=child.id,
                                   reason="scope") for _ in range(60)])
    db.session.commit()
    login(coordinator)
    first = client.get(f"/children/{child.ref}/viewers", headers=EN).get_data(as_text=True)
    assert first.count("<tr data-action=") == 50 and "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get(f"/children/{child.ref}/viewers?page=2", headers=EN).get_data(as_text=True)
    from sqlalchemy import func, select
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.object_id == child.id))
    assert second.count("<tr data-action=") == total - 50 and 'rel="prev"' in second
    assert client.get(f"/children/{child.ref}/viewers?page=x", headers=EN).status_code == 200
