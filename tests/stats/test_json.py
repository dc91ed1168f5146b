"""The figures leave the server three ways — the page's JSON for the charts, the API, the CSV — and each
carries exactly figures() of the caller's scope."""
import csv
import io
from datetime import date

import pytest

from volunteer.api.services import issue_token
from volunteer.stats import services
from volunteer.stats.json import as_dict
from volunteer.stats.tables import tables
from volunteer.validation import display_phone

QUERY = "start=2026-01-01&end=2026-06-30"
PERIOD = (date(2026, 1, 1), date(2026, 6, 30))
ZH = {"Accept-Language": "zh-CN"}


def _login(app, user):
    client = app.test_client()
    assert client.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"}).status_code == 302
    return client


def test_the_pages_json_and_the_api_give_the_figures_of_the_callers_scope(app, laoshan):
    expected = as_dict(services.figures(laoshan["district"], *PERIOD))
    page = _login(app, laoshan["district"]).get(f"/stats/figures.json?{QUERY}", headers=ZH)
    assert page.status_code == 200 and page.mimetype == "application/json"
    assert page.get_json() == expected
    token = issue_token(laoshan["district"], "stats")[1]
    api = app.test_client().get(f"/api/v1/stats?{QUERY}", headers={**ZH, "Authorization": f"Bearer {token}"})
    assert api.get_json() == expected

    body = page.get_json()
    assert body["first"] == "2026-01-01" and body["by_form_total"] == {"services": 5, "person_times": 18, "hours": 9.0}
    assert body["by_content"][-1] == {"key": "none", "label": "无具体内容", "services": 2, "person_times": 2, "hours": 2.5}
    assert [r["month"] for r in body["by_month"]] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert body["headline"][0]["key"] == "children" and isinstance(body["headline"][0]["label"], str)

    town = _login(app, laoshan["town"]).get(f"/stats/figures.json?{QUERY}", headers=ZH).get_json()
    assert town == as_dict(services.figures(laoshan["town"], *PERIOD))
    assert town["by_form_total"]["services"] == 3 and [r["area"] for r in town["by_area"]] == ["370212003"]


@pytest.mark.parametrize("query,field", [("start=2026-13-01", "start"), ("start=2026-05-01&end=2026-04-01", "end"),
                                         ("start=2020-01-01&end=2026-01-01", "end")])
def test_a_bad_period_is_a_422_with_a_message_per_field(app, laoshan, query, field):
    resp = _login(app, laoshan["district"]).get(f"/stats/figures.json?{query}", headers={"Accept-Language": "en"})
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == [field]
    assert error["fields"][field] in ("Enter the date like 2026-06-01.", "The end comes before the start.",
                                      "Choose a period of at most three years.")


def test_the_json_is_for_staff_only(app, laoshan, make_user):
    volunteer = make_user(role="volunteer")
    assert _login(app, volunteer).get(f"/stats/figures.json?{QUERY}").status_code == 403
    assert app.test_client().get(f"/stats/figures.json?{QUERY}").status_code == 302  # to the log-in page


def test_the_csv_has_every_table_in_page_order_with_its_rows_and_total(app, laoshan):
    resp = _login(app, laoshan["district"]).get(f"/stats?{QUERY}&format=csv", headers=ZH)
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0] == ["时段", "2026-01-01", "2026-06-30"]
    blocks, block = [], None
    for line in lines[1:]:
        if not line:
            block = []
            blocks.append(block)
        else:
            block.append(line)
    expected = tables(services.figures(laoshan["district"], *PERIOD))
    assert [b[0][0] for b in blocks] == [t.title for t in expected]
    for b, t in zip(blocks, expected):
        assert b[0][1:] == [label for _key, label in t.columns]
        assert len(b) == 1 + len(t.rows) + (1 if t.total else 0)
    form = blocks[[t.key for t in expected].index("by_form")]
    assert ["", "小组服务", "3", "16", "5.5"] in form and form[-1] == ["", "合计", "5", "18", "9.0"]
    content = blocks[[t.key for t in expected].index("by_content")]
    assert content[-2] == ["", "无具体内容", "2", "2", "2.5"] and content[-1][1:] == ["合计（有具体内容）", "3", "16", "6.5"]
    area = blocks[[t.key for t in expected].index("by_area")]
    assert ["", "沙子口街道", "2", "4", "2.5", "1", "2.0"] in area and ["", "中韩街道", "0", "0", "0.0", "0", ""] in area
