"""The national volunteer service information system's export: columns, scope, the decrypted number, audit."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.activities.test_certificates import last_year, served  # noqa: F401 (the fixture)
from tests.volunteers.test_idnumber import VALID
from volunteer.activities import export
from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.volunteers import idnumber
from volunteer.volunteers.models import VolunteerProfile

HEADERS = ["姓名", "证件类型", "证件号码", "手机号码", "活动名称", "开始时间", "结束时间", "服务时长（小时）"]


@pytest.fixture
def two(make_user, served):  # noqa: F811
    """Two volunteers with approved hours last year in a 崂山区 activity; only the first gave an ID number."""
    wang = make_user(role="volunteer", name="王小明", phone="+8613912345678")
    li = make_user(role="volunteer", name="李四")
    profile = db.session.get(VolunteerProfile, wang.id)
    profile.id_number_enc, profile.id_number_mask = idnumber.encrypt(VALID), idnumber.mask(VALID)
    db.session.commit()
    served(wang, last_year(3, 1), 150, title="植树")
    served(li, last_year(3, 2), 45, title="游园会")
    return wang, li


def download(client, start=None, end=None):
    start = start or last_year(1, 1).isoformat()
    end = end or last_year(12, 31).isoformat()
    return client.get(f"/activities/export.xlsx?start={start}&end={end}", headers={"Accept-Language": "en"})


def sheet_rows(resp):
    book = load_workbook(io.BytesIO(resp.data))
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)], book


def test_the_sheet_has_the_national_systems_columns_and_one_row_per_volunteer_and_activity(
        client, login, people, two):
    login(people["coordinator"])
    resp = download(client)
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows, book = sheet_rows(resp)
    assert rows[0] == HEADERS == [h for h, _getter in export.COLUMNS]
    assert rows[1] == ["王小明", "居民身份证", VALID, "13912345678", "植树", f"{LAST}-03-01 09:00",
                       f"{LAST}-03-01 12:00", 2.5]
    assert rows[2][:4] == ["李四", None, None, rows[2][3]] and rows[2][4] == "游园会" and rows[2][7] == 0.75
    assert len(rows) == 3
    notes = "\n".join(str(c) for r in book.worksheets[1].iter_rows(values_only=True) for c in r if c is not None)
    assert "1 volunteer has no ID number" in notes and "李四" in notes


LAST = last_year(1, 1).year


def test_a_coordinator_of_another_district_gets_no_rows_and_an_org_admin_only_their_organisations(
        client, login, people, two, make_user, make_org, served):  # noqa: F811
    login(people["outsider"])
    rows, _book = sheet_rows(download(client))
    assert rows == [HEADERS]
    org_admin = people["org_admin"]
    served(two[1], last_year(4, 1), 60, title="机构活动", org_id=org_admin.organisation_id)
    client.post("/logout")
    login(org_admin)
    rows, _book = sheet_rows(download(client))
    assert [r[4] for r in rows[1:]] == ["机构活动"]


def test_each_download_is_audited_with_who_the_period_and_the_row_count_but_no_number(client, login, people, two):
    login(people["coordinator"])
    download(client)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export",
                                                       AuditEntry.collection == "activity"))
    assert entry.user_id == people["coordinator"].id
    assert f"{LAST}-01-01" in entry.reason and f"{LAST}-12-31" in entry.reason and "2 rows" in entry.reason
    assert VALID not in entry.reason


def test_the_form_shows_the_periods_counts_without_any_number(client, login, people, two):
    login(people["coordinator"])
    resp = client.get(f"/activities/export?start={LAST}-01-01&end={LAST}-12-31", headers={"Accept-Language": "en"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "export.xlsx" in body
    assert "1 volunteer has no ID number" in body and VALID not in body and idnumber.mask(VALID) not in body


def test_a_volunteer_may_not_export(client, login, people):
    login(people["volunteer"])
    assert download(client).status_code == 403
    assert client.get("/activities/export").status_code == 403


def test_a_period_the_wrong_way_round_is_answered_with_a_message(client, login, people):
    login(people["coordinator"])
    resp = download(client, start=date(LAST, 5, 1).isoformat(), end=date(LAST, 4, 1).isoformat())
    assert resp.status_code == 422 and "The end comes before the start" in resp.get_data(as_text=True)
