"""The coordinator home ("today"): each count opens a list showing exactly that many items, inside the
coordinator's area; zero says so; the most urgent work comes first; the month's figures are the statistics'."""
from datetime import datetime

import pytest
from sqlalchemy import event

from volunteer.extensions import db
from volunteer.stats import services as stats

from .conftest import TOWN, add_work, listed, tiles

WAITING = {"overdue", "flagged", "review", "offers", "to-plan", "proposals", "failed", "credentials"}
ZERO_STATES = ("没有逾期的探访", "没有被标记的探访", "没有待审核的报告", "没有待回复的帮忙申请", "没有待安排的已接受报名",
               "所有儿童近期都已被探访", "没有待确认的分配方案", "没有失败的任务", "没有待核实的资质")


@pytest.mark.parametrize("who", ["town", "district", "city", "shinan", "admin"])
def test_every_count_on_the_home_page_is_the_number_of_items_its_list_shows(client, login, city_work, who):
    login(city_work[who])
    found = tiles(client.get("/").get_data(as_text=True))
    assert WAITING <= set(found)
    assert any(key.startswith("no-contact") for key in found)
    for key, (count, href) in found.items():
        assert listed(client, href) == count, (who, key, href)


def test_a_town_coordinator_counts_only_the_work_of_their_town(client, login, city_work):
    login(city_work["town"])
    town = {key: count for key, (count, _href) in tiles(client.get("/").get_data(as_text=True)).items()}
    assert town == {**{key: 1 for key in WAITING}, "no-contact-orphan": 1}
    client.post("/logout")
    login(city_work["district"])
    district = {key: count for key, (count, _href) in tiles(client.get("/").get_data(as_text=True)).items()}
    assert district == {**{key: 2 for key in WAITING}, "proposals": 1, "no-contact-orphan": 1,
                        "no-contact-difficult": 1}
    client.post("/logout")
    login(city_work["city"])
    city = {key: count for key, (count, _href) in tiles(client.get("/").get_data(as_text=True)).items()}
    assert city["review"] == 3 and city["proposals"] == 0 and city["no-contact-de_facto_unsupported"] == 1


def test_a_coordinator_with_nothing_waiting_reads_so_for_every_list(client, login, make_user):
    login(make_user(role="coordinator", scope_level="town", scope_code=TOWN))
    body = client.get("/").get_data(as_text=True)
    assert 'id="home-all-clear"' in body and 'class="tiles" id="home-tiles"' not in body
    for text in ZERO_STATES:
        assert text in body
    assert all(count == 0 for count, _href in tiles(body).values())


def test_the_most_urgent_work_comes_first_and_lists_at_zero_after_it(client, login, city_work):
    from volunteer.tasks.models import JobRecord

    db.session.query(JobRecord).delete()
    db.session.commit()
    login(city_work["district"])
    body = client.get("/").get_data(as_text=True)
    order = list(tiles(body))
    assert order[:3] == ["overdue", "flagged", "review"]
    assert order.index("offers") < order.index("no-contact-orphan") < order.index("credentials")
    assert order[-1] == "failed" and "没有失败的任务" in body  # at zero: after everything that waits


def test_the_home_page_asks_the_same_number_of_queries_for_30_waiting_items_as_for_3(app, client, login, city_work,
                                                                                     make_user, make_child):
    login(city_work["city"])

    def queries():
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = queries()
    volunteer, owner = make_user(role="volunteer"), city_work["district"]
    for _ in range(9):
        add_work(make_child(category="orphan"), volunteer, owner)
    assert queries() == few


def test_the_months_figures_are_the_statistics_of_this_month_in_the_area(client, login, city_work):
    login(city_work["district"])
    body = client.get("/").get_data(as_text=True)
    today = datetime.now(stats.LOCAL).date()
    f = stats.figures(city_work["district"], today.replace(day=1), today)
    assert f'id="home-month-visits">{f.services_total["visits"]}<' in body
    assert f'id="home-month-children">{f.reach["children_served"]}<' in body
    assert f'id="home-month-new-children">{f.reach["new_children"]}<' in body and f.reach["new_children"] == 1
    assert f'href="/stats?start={today.replace(day=1).isoformat()}&amp;end={today.isoformat()}"' in body
    assert "崂山区 本月" in body


def test_a_coordinator_without_an_area_gets_a_home_without_counts(client, login, make_user):
    login(make_user(role="coordinator"))
    body = client.get("/").get_data(as_text=True)
    assert 'id="home-month"' not in body
    assert all(count == 0 for count, _href in tiles(body).values())


def test_a_count_longer_than_a_page_is_what_the_pages_of_its_filtered_list_show(client, login, make_user, make_child):
    from datetime import timedelta

    from volunteer.types import utcnow

    coordinator = make_user(role="coordinator", scope_level="town", scope_code=TOWN)
    for i in range(23):
        child = make_child(category="orphan" if i < 21 else "difficult")
        child.created_at = utcnow() - timedelta(days=40 + i)
    db.session.commit()
    login(coordinator)
    found = tiles(client.get("/").get_data(as_text=True))
    assert found["no-contact-orphan"][0] == 21 and found["no-contact-difficult"][0] == 2
    assert listed(client, found["no-contact-orphan"][1]) == 21  # 20 on the first page, 1 on the second
    second = client.get(found["no-contact-orphan"][1] + "&page=2").get_data(as_text=True)
    assert 'href="/visits/no-contact?page=1&amp;category=orphan"' in second
