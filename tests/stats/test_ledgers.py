"""Excel ledgers: each for the user's area and period, counted as figures() counts, formatted, audited, staff only."""
import io
import re
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import select

from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.needs.rules import NotAllowed
from volunteer.needs.services import create_need
from volunteer.stats import ledgers, services
from volunteer.stats.tables import tables
from volunteer.visits.models import Visit, VisitAssignee, VisitReport

SHINAN = {"district_code": "370202", "town_code": "370202001", "lat": "36.0661", "lon": "120.3830"}
ZHONGHAN = {"town_code": "370212001", "lat": "36.1030", "lon": "120.4560"}
FIRST, LAST = date(2026, 1, 1), date(2026, 12, 31)
MARCH = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)  # 10:00 in Qingdao


def _served(need, helpers, at, minutes=60, status="done", children=1, report=None, **fields):
    """A visit that took place at `at` (UTC), each helper checked in for `minutes`; report: None, 'waiting'
    or 'reviewed'."""
    visit = Visit(need_id=need.id, child_id=need.child_id, status=status, starts_at=at,
                  ends_at=at + timedelta(hours=2), checked_in_at=at, children_served=children, **fields)
    visit.assignees = [VisitAssignee(user_id=h.id, status="accepted", checked_in_at=at,
                                     checked_out_at=at + timedelta(minutes=minutes), service_minutes=minutes)
                       for h in helpers]
    if report:
        visit.report = VisitReport(body="好", reviewed_at=at + timedelta(days=1) if report == "reviewed" else None)
    db.session.add(visit)
    db.session.commit()
    return visit


@pytest.fixture
def area(app, make_user, make_child, make_org):
    """崂山区: a child in 沙子口街道 (orphan, disabled), one in 中韩街道; one in 市南区; services in and around 2026."""
    admin = make_user(role="admin")
    org = make_org(name="崂山青年志愿者协会")
    donor_unit = make_org(name="爱心企业", kind="caring_unit")
    users = {
        "admin": admin,
        "district": make_user(role="coordinator", scope_level="district", scope_code="370212"),
        "town": make_user(role="coordinator", scope_level="town", scope_code="370212002"),
        "volunteer": make_user(role="volunteer", name="王志愿", phone="+8613900001111"),
        "member": make_user(role="org_member", organisation_id=org.id, name="李协会"),
        "donor": make_user(role="org_admin", organisation_id=donor_unit.id),
        "far": make_user(role="volunteer", name="赵远"),
    }
    a = make_child(by=admin, name="张小雨", category="orphan", disabled="1")
    b = make_child(by=admin, name="刘小川", **ZHONGHAN)
    c = make_child(by=admin, name="陈小海", **SHINAN)
    tutoring = create_need(admin, a.ref, {"dimension": "intellect", "service_type": "tutoring"})
    group = create_need(admin, b.ref, {"dimension": "social", "service_type": "group_service"})
    home = create_need(admin, a.ref, {"dimension": "social", "service_type": "home_visit_survey"})
    far = create_need(admin, c.ref, {"dimension": "body", "service_type": "rehabilitation"})
    v, m, f = users["volunteer"], users["member"], users["far"]
    _served(tutoring, [v], MARCH, 90, report="reviewed")
    _served(group, [v, m], MARCH + timedelta(days=1), 60, children=12, report="waiting")  # 12 person-times
    _served(home, [f], datetime(2025, 12, 31, 17, 0, tzinfo=timezone.utc), 30)  # 2026-01-01 01:00 local
    _served(home, [m], MARCH + timedelta(days=2), 48, status="flagged", service_form="community_activity",
            service_content="none")  # counted under another form, without a content
    _served(home, [v], datetime(2025, 12, 31, 15, 0, tzinfo=timezone.utc), 60)  # 2025-12-31 23:00 local: before
    _served(far, [f], MARCH, 42)  # 市南区: outside 崂山区
    return {**users, "children": {"a": a, "b": b, "c": c}}


def _book(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def _body(ws):
    """(header, data rows, totals row) of a ledger sheet: title in row 1, header in row 2, totals last."""
    rows = list(ws.iter_rows(values_only=True))
    return rows[1], rows[2:-1], rows[-1]


def _column(header, rows, label):
    i = header.index(label)
    return [r[i] for r in rows]


def test_the_services_ledger_lists_each_service_of_the_area_and_totals_as_the_figures(app, area):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for who, n in (("district", 4), ("town", 3), ("admin", 5)):
            f = services.figures(area[who], FIRST, LAST)
            header, rows, total = _body(_book(ledgers.services_workbook(area[who], FIRST, LAST)).active)
            assert len(rows) == f.services_total["visits"] == n, who
            sums = {label: sum(_column(header, rows, label)) for label in
                    ("Person-times", "Service hours", "Volunteer check-ins")}
            assert sums["Person-times"] == f.services_total["person_times"]
            assert round(sums["Service hours"], 1) == f.services_total["hours"]
            assert sums["Volunteer check-ins"] == f.volunteers["helper_times"]
            # the bold totals row holds the same values (not formulas: nothing to recalculate)
            assert total[0] == f"Total: {n} services"
            assert [total[header.index(k)] for k in sums] == pytest.approx(list(sums.values()))

        header, rows, _ = _body(_book(ledgers.services_workbook(area["district"], FIRST, LAST)).active)
        a, b = area["children"]["a"].ref, area["children"]["b"].ref
        first = dict(zip(header, rows[0]))
        assert first == {"Date": datetime(2026, 1, 1), "Child reference": a, "District": "崂山区",
                         "Town or street": "沙子口街道", "Service type": "Home-visit survey",
                         "Service form": "Home-visit survey", "Service content": None, "Organisation": None,
                         "Volunteers": "赵远", "Volunteer check-ins": 1, "Person-times": 1, "Service hours": 0.5,
                         "Visit report": "No report"}
        group = dict(zip(header, rows[2]))
        assert (group["Child reference"], group["Town or street"], group["Volunteers"], group["Person-times"],
                group["Service hours"], group["Visit report"]) == (b, "中韩街道", "王志愿、李协会", 12, 2, "Waiting for review")
        assert dict(zip(header, rows[1]))["Visit report"] == "Reviewed"
        assert dict(zip(header, rows[3]))["Service form"] == "Community activity"  # the visit's own form


def test_the_services_ledger_adds_up_by_form_and_content_as_the_figures(app, area):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        f = services.figures(area["admin"], FIRST, LAST)
        header, rows, _ = _body(_book(ledgers.services_workbook(area["admin"], FIRST, LAST)).active)
        for key, table in (("Service form", f.by_form), ("Service content", f.by_content)):
            counted = defaultdict(lambda: [0, 0, 0.0])
            for row in rows:
                r = dict(zip(header, row))
                c = counted[r[key] or "none"]
                c[0], c[1], c[2] = c[0] + 1, c[1] + r["Person-times"], c[2] + r["Service hours"]
            for t in table:
                label = "none" if t["key"] == "none" else str(t["label"])
                got = counted.pop(label, [0, 0, 0.0])
                assert (got[0], got[1], round(got[2], 1)) == (t["services"], t["person_times"], t["hours"]), label
            assert not counted  # nothing counted under a form or content the figures do not have


def test_the_roster_holds_every_child_of_the_scope_and_no_other(app, area):
    kids = area["children"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for who, names in (("town", {"张小雨"}), ("district", {"张小雨", "刘小川"}),
                           ("admin", {"张小雨", "刘小川", "陈小海"})):
            header, rows, total = _body(_book(ledgers.children_workbook(area[who], FIRST, LAST)).active)
            assert set(_column(header, rows, "Name")) == names, who
            assert total[0] == f"Total: {len(names)} children"
        header, rows, total = _body(_book(ledgers.children_workbook(area["town"], FIRST, LAST)).active)
        row = dict(zip(header, rows[0]))
        assert (row["Reference"], row["Category"], row["Disability"], row["Town or street"], row["Guardian"],
                row["Guardian's phone"], row["Open needs"]) == (
            kids["a"].ref, "Orphan", "Yes", "沙子口街道", "张大山", "138 1234 5678", 2)
        assert row["Birth date"] == datetime(2016, 5, 1) and row["Last service"] == datetime(2026, 3, 12)
        assert total[header.index("Open needs")] == 2
    with pytest.raises(NotAllowed):
        ledgers.children_workbook(area["volunteer"], FIRST, LAST)


def test_the_volunteer_ledger_lists_who_served_with_their_hours(app, area):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        f = services.figures(area["district"], FIRST, LAST)
        header, rows, total = _body(_book(ledgers.volunteers_workbook(area["district"], FIRST, LAST)).active)
        assert len(rows) == f.volunteers["served"] == 3
        assert [dict(zip(header, r))["Name"] for r in rows] == ["王志愿", "李协会", "赵远"]  # most hours first
        assert dict(zip(header, rows[0]))["Mobile number"] == "139 0000 1111"
        assert dict(zip(header, rows[1]))["Organisation"] == "崂山青年志愿者协会"
        assert sum(_column(header, rows, "Number of services")) == f.volunteers["helper_times"] == 5
        assert round(sum(_column(header, rows, "Service hours")), 1) == f.volunteers["hours"]
        assert total[0] == "Total: 3 volunteers" and total[header.index("Number of services")] == 5


def test_the_statistics_workbook_holds_the_page_tables_one_sheet_each(app, area):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        expected = tables(services.figures(area["district"], FIRST, LAST))
        book = _book(ledgers.statistics_workbook(area["district"], FIRST, LAST))
    assert len(book.worksheets) == len(expected)
    for ws, t in zip(book.worksheets, expected):
        rows = list(ws.iter_rows(values_only=True))
        assert str(t.title) in rows[0][0] and "崂山区" in rows[0][0]
        assert str(t.title).startswith(ws.title[:4]) and not re.search(r"\d{4}-\d\d", ws.title)  # the tab: no period
        assert list(rows[1]) == [str(label) for _, label in t.columns]
        keys = [k for k, _ in t.columns]

        def plain(v):
            return None if v in ("", None) else (v if isinstance(v, (int, float)) else str(v))

        body = rows[2:-1] if t.total else rows[2:]
        assert [list(r) for r in body] == [[plain(r.get(k)) for k in keys] for r in t.rows], t.key
        if t.total:
            assert list(rows[-1]) == pytest.approx([plain(t.total.get(k)) for k in keys]), t.key
            assert ws.cell(row=len(rows), column=1).font.b


def test_a_ledger_is_formatted_for_reading_and_printing(app, area):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        ws = _book(ledgers.children_workbook(area["district"], FIRST, LAST)).active
        services_ws = _book(ledgers.services_workbook(area["district"], FIRST, LAST)).active
    assert ws.freeze_panes == "A3"  # the title and the header stay in view
    assert ws["A1"].value.startswith("困境儿童台账 · 崂山区 · ") and ws["A1"].font.b
    header = [c.value for c in ws[2]]
    assert header[:3] == ["编号", "姓名", "性别"] and all(c.font.b for c in ws[2])
    assert ws.auto_filter.ref == f"A2:{ws.cell(row=2, column=len(header)).column_letter}{ws.max_row - 1}"
    widths = {h: ws.column_dimensions[ws.cell(row=2, column=i + 1).column_letter].width for i, h in enumerate(header)}
    assert widths["监护人电话"] >= 12  # five Chinese characters count as ten narrow ones
    assert widths["地址"] >= 2 * len("崂山区某路1号") - 1 > widths["性别"]
    assert ws.cell(row=3, column=header.index("出生日期") + 1).number_format == "yyyy-mm-dd"
    assert ws.cell(row=ws.max_row, column=1).font.b  # the totals row
    assert services_ws.freeze_panes == "A3" and "2026-01-01" in services_ws["A1"].value
    hours = [c.value for c in services_ws[2]].index("服务时长（小时）") + 1
    assert services_ws.cell(row=3, column=hours).number_format == "#,##0.0"


def _client(app, user):
    from volunteer.validation import display_phone

    client = app.test_client()
    resp = client.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"})
    assert resp.status_code == 302
    return client


def test_a_download_is_named_in_chinese_audited_and_only_for_staff(app, area):
    client = _client(app, area["district"])
    resp = client.get("/stats/ledgers/services.xlsx?start=2026-01-01&end=2026-12-31",
                      headers={"Accept-Language": "zh-CN"})
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    name = quote("服务记录台账-崂山区-20260101-20261231.xlsx")
    assert resp.headers["Content-Disposition"] == (
        f"attachment; filename=\"huhang-services-370212-20260101-20261231.xlsx\"; filename*=UTF-8''{name}")
    assert len(list(_book(resp.data).active.iter_rows())) == 4 + 3  # title, header, four services, totals
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert (entry.user_id, entry.collection, entry.reason) == (
        area["district"].id, "ledger", "services 370212 2026-01-01..2026-12-31")

    for ledger in ("children", "volunteers", "statistics"):
        got = client.get(f"/stats/ledgers/{ledger}.xlsx?start=2026-01-01&end=2026-12-31")
        assert got.status_code == 200 and got.data[:2] == b"PK", ledger
    assert db.session.scalar(select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "export")) == 4
    assert client.get("/stats/ledgers/everything.xlsx").status_code == 404

    bad = client.get("/stats/ledgers/services.xlsx?start=2026-05-01&end=2026-04-01", headers={"Accept-Language": "en"},
                     follow_redirects=True)
    assert bad.status_code == 422 and "The end comes before the start." in bad.get_data(as_text=True)

    for who in ("volunteer", "donor", "member"):
        assert _client(app, area[who]).get("/stats/ledgers/children.xlsx").status_code == 403, who
    assert app.test_client().get("/stats/ledgers/children.xlsx").status_code == 302  # to the login page
    assert db.session.scalar(select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "export")) == 4


def test_the_stats_page_links_to_the_four_ledgers_of_its_period(app, area):
    html = _client(app, area["district"]).get("/stats?start=2026-01-01&end=2026-12-31",
                                              headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "下载台账" in html
    for name, label in (("children", "困境儿童台账"), ("services", "服务记录台账"), ("volunteers", "志愿者服务时长"),
                        ("statistics", "统计报表")):
        assert f'href="/stats/ledgers/{name}.xlsx?start=2026-01-01&amp;end=2026-12-31"' in html, name
        assert label in html
