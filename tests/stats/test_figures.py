"""Statistics: counted by the database inside the coordinator's area, for the period asked, on the page,
as CSV and through the API."""
from datetime import date, datetime, timedelta, timezone

import pytest

from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.rules import NotAllowed
from volunteer.needs.services import create_need
from volunteer.stats import services
from volunteer.validation import display_phone

OTHER = {"district_code": "370202", "town_code": "370202001", "lat": "36.0661", "lon": "120.3830"}


@pytest.fixture
def area(app, make_user, make_child, serve):
    """A 崂山区 coordinator; two children there (one orphan, disabled), one in 市南区; needs and visits."""
    admin = make_user(role="admin")
    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    vols = [make_user(role="volunteer") for _ in range(3)]
    a = make_child(by=admin, category="orphan", disabled="1")
    b = make_child(by=admin)
    c = make_child(by=admin, **OTHER)
    tutoring = create_need(admin, a.ref, {"dimension": "intellect", "service_type": "tutoring"})
    home = create_need(admin, b.ref, {"dimension": "social", "service_type": "home_visit_survey"})
    far = create_need(admin, c.ref, {"dimension": "body", "service_type": "rehabilitation"})
    in_2026 = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)  # 10:00 in Qingdao
    serve(tutoring, [vols[0]], in_2026, 90)
    serve(home, [vols[0], vols[1]], in_2026 + timedelta(days=1), 60)
    serve(home, [vols[2]], datetime(2025, 12, 31, 17, 0, tzinfo=timezone.utc), 30)  # 2026-01-01 01:00 local
    serve(far, [vols[2]], in_2026, 45)  # outside 崂山区
    return {"admin": admin, "coord": coord, "vols": vols}


def test_the_figures_count_the_area_and_the_period_only(area):
    f = services.figures(area["coord"], date(2026, 1, 1), date(2026, 12, 31))
    assert [r["area"] for r in f.children] == ["370212002"]  # a district's coordinator: by town or street
    assert f.children[0]["name"] == "沙子口街道"
    assert f.children_total["total"] == 2 and f.children_total["orphan"] == 1 and f.children_total["disabled"] == 1
    rows = {r["service_type"]: r for r in f.services}
    assert (rows["tutoring"]["visits"], rows["tutoring"]["person_times"], rows["tutoring"]["hours"]) == (1, 1, 1.5)
    # two visits of the home-visit survey: one by a pair (60 min each), one at 01:00 on 1 January local time.
    # Person-times are the children served (one each), as the bureau counts, not the three helpers checked in.
    assert (rows["home_visit_survey"]["visits"], rows["home_visit_survey"]["person_times"]) == (2, 2)
    assert rows["home_visit_survey"]["hours"] == 2.5
    assert rows["rehabilitation"]["visits"] == 0  # 市南区 is not this coordinator's
    assert f.services_total == {"visits": 3, "person_times": 3, "hours": 4.0}
    assert f.volunteers == {"served": 3, "helper_times": 4, "hours": 4.0}  # helpers: 3 people, 4 check-ins
    needs = {r["dimension"]: r for r in f.needs}
    assert needs["intellect"]["total"] == 1 and needs["social"]["total"] == 1 and needs["body"]["total"] == 0

    march = services.figures(area["coord"], date(2026, 3, 10), date(2026, 3, 10))
    assert march.services_total == {"visits": 1, "person_times": 1, "hours": 1.5}
    city = services.figures(area["admin"], date(2026, 1, 1), date(2026, 12, 31))
    assert city.children_total["total"] == 3 and city.services_total["visits"] == 4
    assert [(r["area"], r["total"]) for r in city.children] == [("370202", 1), ("370212", 2)]  # the city: by district
    with pytest.raises(NotAllowed):
        services.figures(area["vols"][0], date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize("start,end,field", [("2026-13-01", "", "start"), ("", "yesterday", "end"),
                                             ("2026-05-01", "2026-04-01", "end"), ("2020-01-01", "2026-01-01", "end")])
def test_a_bad_period_is_refused_with_a_message(start, end, field):
    with pytest.raises(InvalidInput) as exc:
        services.period(start, end)
    assert list(exc.value.errors) == [field]


def test_the_default_period_is_this_year_so_far():
    assert services.period(None, "", today=date(2026, 11, 23)) == (date(2026, 1, 1), date(2026, 11, 23))


def _login(app, user):
    client = app.test_client()
    r = client.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"})
    assert r.status_code == 302
    return client


def test_the_page_the_csv_and_the_api_show_the_same_figures(app, area):
    client = _login(app, area["coord"])
    page = client.get("/stats?start=2026-01-01&end=2026-12-31", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # On a phone each row is a card: the row's name, then each figure named by its column (data-label).
    assert ('<tr data-service="home_visit_survey"><th scope="row">Home-visit survey</th>'
            '<td class="inline" data-label="Visits">2</td><td class="inline" data-label="Person-times">2</td>'
            '<td class="nowrap inline" data-label="Service time">2.5 hours</td></tr>') in html
    assert "3 volunteers served 4 hours." in html
    zh = client.get("/stats?start=2026-01-01&end=2026-12-31", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "3 名志愿者共服务 4 小时。" in zh and '<td class="nowrap inline" data-label="服务时长">2.5 小时</td>' in zh
    bad = client.get("/stats?start=2026-05-01&end=2026-04-01", headers={"Accept-Language": "en"})
    assert bad.status_code == 422 and "The end comes before the start." in bad.get_data(as_text=True)
    csv_resp = client.get("/stats?start=2026-01-01&end=2026-12-31&format=csv")
    assert csv_resp.mimetype == "text/csv" and "attachment" in csv_resp.headers["Content-Disposition"]
    text = csv_resp.get_data(as_text=True)
    assert text.startswith("\ufeff") and ",学业辅导,1,1,1.5" in text
    assert _login(app, area["vols"][0]).get("/stats").status_code == 403

    from volunteer.api.services import issue_token

    token = issue_token(area["coord"], "stats")[1]
    api = app.test_client().get("/api/v1/stats?start=2026-01-01&end=2026-12-31",
                                headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    body = api.get_json()
    assert body["services_total"] == {"visits": 3, "person_times": 3, "hours": 4.0}
    assert body["first"] == "2026-01-01" and body["children_total"]["total"] == 2
    wrong = app.test_client().get("/api/v1/stats?start=nope", headers={"Authorization": f"Bearer {token}"})
    assert wrong.status_code == 422 and "start" in wrong.get_json()["error"]["fields"]
    vol_token = issue_token(area["vols"][0], "stats")[1]
    assert app.test_client().get("/api/v1/stats", headers={"Authorization": f"Bearer {vol_token}"}).status_code == 403
