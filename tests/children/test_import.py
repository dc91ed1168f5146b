"""Importing children from CSV (UTF-8, BOM, GBK) and .xlsx: all rows or none, errors by row and column."""
import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from volunteer.audit.models import AuditEntry
from volunteer.children import spreadsheet as importer
from volunteer.children.models import Child, Consent
from volunteer.extensions import db

EN = {"Accept-Language": "en"}
HEADER = ["姓名", "性别", "出生日期", "类别", "残疾", "区市", "镇街", "村社区", "地址", "纬度", "经度", "学校", "年级",
          "监护人", "关系", "监护人电话", "同意人", "同意人关系", "同意日期", "同意用途"]
GOOD = [
    ["王小明", "男", "2015/6/1", "困境儿童", "否", "崂山区", "沙子口街道", "南窑社区", "某路2号", "36.1102", "120.4622",
     "沙子口小学", "五年级", "王大海", "父亲", "13812345679", "王大海", "父亲", "2026年11月1日", "关爱服务"],
    ["李小红", "女", "2012-03-15", "孤儿", "是", "370212", "370212003", "", "", "", "", "", "",
     "李奶奶", "祖母", "138 1234 5670", "李奶奶", "祖母", "2026-11-02", "care_and_wishes"],
    ["赵小刚", "男", "2019.9.9", "Rural left-behind child", "", "崂山区", "北宅街道", "", "", "", "", "", "",
     "赵妈妈", "母亲", "+86 139 0000 1111", "赵妈妈", "母亲", "2026-10-30", "微心愿"],
]


def csv_bytes(rows, encoding="utf-8", header=HEADER):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content, filename="children.csv"):
    return client.post("/children/import", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data", headers=EN)


def children():
    return db.session.scalar(select(func.count()).select_from(Child))


def imports():
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_good_csv_imports_every_row(coord_client, coordinator, encoding):
    resp = upload(coord_client, csv_bytes(GOOD, encoding))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-3000:]
    assert children() == 3
    ming = db.session.scalar(select(Child).where(Child.name == "王小明"))
    assert (ming.gender, ming.birth_date, ming.category, ming.town_code, ming.guardian_phone, ming.lat) == \
        ("m", date(2015, 6, 1), "difficult", "370212002", "+8613812345679", 36.1102)
    assert ming.consent.purpose == "care_services" and ming.consent.given_on == date(2026, 11, 1)
    hong = db.session.scalar(select(Child).where(Child.name == "李小红"))
    assert hong.disabled is True and hong.category == "orphan" and hong.town_code == "370212003"
    gang = db.session.scalar(select(Child).where(Child.name == "赵小刚"))
    assert gang.category == "left_behind" and gang.consent.purpose == "wishes" and gang.town_code == "370212004"
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 3
    [entry] = imports()
    assert entry.user_id == coordinator.id and entry.reason == "rows:3"
    body = coord_client.get("/children", headers=EN).get_data(as_text=True)
    assert "3 children were imported" in body


def test_an_xlsx_imports_with_dates_and_numbers_as_excel_stores_them(coord_client):
    rows = [list(r) for r in GOOD]
    rows[0][2] = date(2015, 6, 1)  # a real date cell
    rows[0][15] = 13812345679  # a phone typed as a number
    rows[0][9], rows[0][10] = 36.1102, 120.4622
    rows[1][6] = 370212003  # a town code typed as a number
    resp = upload(coord_client, xlsx_bytes(rows), "名单.xlsx")
    assert resp.status_code == 302, resp.get_data(as_text=True)[-3000:]
    assert children() == 3
    ming = db.session.scalar(select(Child).where(Child.name == "王小明"))
    assert ming.birth_date == date(2015, 6, 1) and ming.guardian_phone == "+8613812345679"


def test_english_headers_work(coord_client):
    header = ["name", "gender", "birth_date", "category", "disabled", "district", "town", "village", "address",
              "lat", "lon", "school", "grade", "guardian", "relation", "guardian_phone", "consent_given_by",
              "consent_relation", "consent_date", "purpose"]
    resp = upload(coord_client, csv_bytes(GOOD[:1], header=header))
    assert resp.status_code == 302 and children() == 1


def test_a_file_with_errors_imports_nothing_and_reports_row_and_column(coord_client, make_child):
    rows = [list(r) for r in GOOD]
    rows[0][2] = "2099-01-01"  # row 2: future birth date
    rows[1][2] = "2005-01-01"  # row 3: 21 years old
    rows[2][6] = "不存在街道"  # row 4: unknown town
    beijing = list(GOOD[0]); beijing[0] = "钱小北"; beijing[9], beijing[10] = "39.9", "116.4"  # row 5: Beijing
    phone = list(GOOD[0]); phone[0] = "孙小电"; phone[15] = "12345"  # row 6: bad phone
    twice = list(GOOD[0]); twice[0] = "周小重"  # rows 7 and 8: the same child twice in one file
    resp = upload(coord_client, csv_bytes(rows + [beijing, phone, twice, twice]))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert children() == 0 and imports() == []  # nothing imported
    assert "Nothing was imported" in body
    table = body[body.index('id="import-error-table"'):]
    # Columns as the user's (English) template names them, with the file's own header beside.
    for row, column, text in [(2, "Birth date (出生日期)", "cannot be in the future"),
                              (3, "Birth date (出生日期)", "under 18"), (4, "Town or street (镇街)", "Unknown town"),
                              (5, "Latitude (纬度)", "outside Qingdao"),
                              (6, "Guardian phone (监护人电话)", "valid mainland China phone")]:
        assert f'<td class="nowrap">{row}</td><td>{column}</td><td>' in table, (row, column)
        line = table[table.index(f'<td class="nowrap">{row}</td><td>{column}</td>'):]
        assert text in line[:300], (row, text)
    assert '<td class="nowrap">8</td><td>Name (姓名)</td><td>The same child' in table
    assert "already in row 7" in table and '<td class="nowrap">7</td>' not in table


def test_children_outside_the_area_or_already_registered_are_errors(coord_client, make_child):
    make_child(name="王小明", birth_date="2015-06-01")
    outside = list(GOOD[1]); outside[5], outside[6] = "市北区", "辽宁路街道"; outside[9] = outside[10] = ""
    resp = upload(coord_client, csv_bytes([GOOD[0], outside]))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and children() == 1
    assert "already registered" in body and "outside your area" in body


def test_missing_columns_are_named(coord_client):
    header = [h for h in HEADER if h not in ("监护人电话", "同意日期")]
    rows = [[v for h, v in zip(HEADER, GOOD[0]) if h in header]]
    resp = upload(coord_client, csv_bytes(rows, header=header))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "lacks required columns" in body
    assert "监护人电话" in body and "同意日期" in body and children() == 0


@pytest.mark.parametrize("filename,content,message", [
    ("children.pdf", b"%PDF-1.4 ...", "Upload a CSV file (.csv) or an Excel file (.xlsx)"),
    ("children.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Old Excel files (.xls)"),
    ("children.xlsx", "姓名,性别\n".encode(), "not a real Excel .xlsx file"),
    ("children.csv", b"PK\x03\x04" + b"\0" * 100, "not a CSV text file"),
    ("children.xlsx", b"PK\x03\x04broken zip", "cannot be opened"),
    ("children.csv", b"", "The file is empty"),
    ("children.csv", b"\xef\xbb\xbf\r\n\r\n", "The file is empty"),
    ("children.csv", ",".join(HEADER).encode() + b"\r\n", "no children in it"),
    ("children.csv", b"\xff\xfe\x80\x81\xff" * 20, "characters cannot be read"),
    ("children.csv", b'"' + ",".join(HEADER).encode() + b"\r\n" + b"x" * 200000, "damaged"),
])
def test_files_that_cannot_be_read_get_a_clear_message(coord_client, filename, content, message):
    resp = upload(coord_client, content, filename)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and message in body, body[body.find("import-problem"):][:400]
    assert "Nothing was imported" in body and children() == 0


def test_too_large_and_too_many_rows(coord_client, monkeypatch):
    big = csv_bytes(GOOD) + b"#" * (5 * 1024 * 1024)
    resp = upload(coord_client, big)
    assert resp.status_code == 422 and "larger than 5 MB" in resp.get_data(as_text=True)
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    resp = upload(coord_client, csv_bytes(GOOD))
    assert resp.status_code == 422 and "more than 2 rows" in resp.get_data(as_text=True)
    assert children() == 0


def test_beyond_the_request_limit_the_import_page_says_so(app, coord_client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    resp = upload(coord_client, csv_bytes(GOOD * 10))
    assert resp.status_code == 413 and "larger than 5 MB" in resp.get_data(as_text=True)


def test_no_file_chosen(coord_client):
    resp = coord_client.post("/children/import", data={}, headers=EN)
    assert resp.status_code == 422 and "Choose a file" in resp.get_data(as_text=True)


def test_a_failure_midway_undoes_what_was_created(coord_client, monkeypatch):
    from volunteer.children import services

    real, calls = services.create_child, {"n": 0}

    def flaky(staff, data, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("database went away")
        return real(staff, data, **kwargs)

    monkeypatch.setattr(services, "create_child", flaky)
    resp = upload(coord_client, csv_bytes(GOOD))
    assert resp.status_code == 422 and "nothing was imported" in resp.get_data(as_text=True)
    assert calls["n"] == 3  # two children were saved in the transaction before the failure
    assert children() == 0 and imports() == []


def test_the_template_is_utf8_with_bom_and_chinese_headers(coord_client):
    resp = coord_client.get("/children/import/template.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert resp.data.startswith(b"\xef\xbb\xbf")
    header = resp.data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["姓名", "性别", "出生日期"] and "同意用途" in header
    # The template itself is accepted by the importer (columns complete).
    columns, ignored = importer.map_header(header)
    assert set(importer.REQUIRED_COLUMNS) <= set(columns) and ignored == []


def test_import_page_explains_the_policy(coord_client):
    body = coord_client.get("/children/import", headers=EN).get_data(as_text=True)
    assert "All or nothing" in body and "/children/import/template.csv" in body
    assert 'enctype="multipart/form-data"' in body


ZH = {"Accept-Language": "zh-CN"}
EN_HEADER = ["Name", "Gender", "Birth date", "Category", "Disability", "District", "Town or street",
             "Village or community", "Address", "Latitude", "Longitude", "School", "Grade", "Guardian",
             "Guardian relation", "Guardian phone", "Consent given by", "Consent giver relation", "Consent date",
             "Consent purpose"]


@pytest.mark.parametrize("headers,first", [(ZH, ["姓名", "性别", "出生日期"]), (EN, ["Name", "Gender", "Birth date"])])
def test_the_template_has_the_headers_of_the_users_language_and_both_import(coord_client, headers, first):
    resp = coord_client.get("/children/import/template.csv", headers=headers)
    header = resp.data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == first
    columns, ignored = importer.map_header(header)
    assert set(importer.REQUIRED_COLUMNS) <= set(columns) and ignored == []


def test_the_import_page_names_columns_and_purposes_in_the_users_language_never_as_codes(coord_client):
    for headers, words in ((EN, ["Birth date", "Consent purpose", "出生日期", "Care services", "Micro-wishes", "All"]),
                           (ZH, ["出生日期", "同意用途", "Birth date", "关爱服务", "微心愿", "全部"])):
        body = coord_client.get("/children/import", headers=headers).get_data(as_text=True)
        for word in words:
            assert word in body, word
        for code in ("care_services", "care_and_wishes", "birth_date", "guardian_phone"):
            assert code not in body, code


def test_english_headers_and_purpose_words_import(coord_client):
    rows = [list(r) for r in GOOD]
    rows[0][19], rows[1][19], rows[2][19] = "Care services", "All", "Micro-wishes"
    resp = upload(coord_client, csv_bytes(rows, header=EN_HEADER))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    purposes = {c.name: c.consent.purpose for c in db.session.scalars(select(Child))}
    assert purposes == {"王小明": "care_services", "李小红": "care_and_wishes", "赵小刚": "wishes"}


def test_row_errors_name_the_column_as_the_users_template_does_and_the_files_own_header_when_it_differs(
        coord_client):
    rows = [list(GOOD[0])]
    rows[0][2] = "2099-01-01"
    cell = '<td class="nowrap">2</td><td>{}</td>'
    zh = coord_client.post("/children/import", data={"file": (io.BytesIO(csv_bytes(rows)), "c.csv")},
                           content_type="multipart/form-data", headers=ZH).get_data(as_text=True)
    assert cell.format("出生日期") in zh
    assert cell.format("Birth date (出生日期)") in upload(coord_client, csv_bytes(rows)).get_data(as_text=True)
    english = upload(coord_client, csv_bytes(rows, header=EN_HEADER)).get_data(as_text=True)
    assert cell.format("Birth date") in english
    alias = [h if h != "出生日期" else "生日" for h in HEADER]
    assert cell.format("出生日期 (生日)") in coord_client.post(
        "/children/import", data={"file": (io.BytesIO(csv_bytes(rows, header=alias)), "c.csv")},
        content_type="multipart/form-data", headers=ZH).get_data(as_text=True)


def test_missing_columns_are_named_in_the_users_language(coord_client):
    header = [h for h in HEADER if h not in ("监护人电话", "同意日期")]
    rows = [[v for h, v in zip(HEADER, GOOD[0]) if h in header]]
    body = upload(coord_client, csv_bytes(rows, header=header)).get_data(as_text=True)
    assert "Guardian phone" in body and "Consent date" in body and "guardian_phone" not in body


def test_checking_stops_after_200_problems_and_the_page_says_so_in_the_users_language(coord_client, coordinator):
    from volunteer.children import importer as checker

    wrong = list(GOOD[0]); wrong[1] = "?"; wrong[2] = "明天"; wrong[15] = "123"  # three problems a row
    content = csv_bytes([[f"错{i}", *wrong[1:]] for i in range(5000)])
    report = checker.import_file(coordinator, "children.csv", content)
    assert len(report.errors) == checker.MAX_ERRORS == 200 and report.truncated
    assert report.rows < 100  # it stopped reading: 67 rows give 200 problems
    for headers, words in ((EN, "Showing the first 200 problems"), ({"Accept-Language": "zh-CN"}, "仅列出前 200 个问题")):
        resp = coord_client.post("/children/import", data={"file": (io.BytesIO(content), "children.csv")},
                                 content_type="multipart/form-data", headers=headers)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 422 and words in body
        assert body.count('<tr><td class="nowrap">') == 200
    assert children() == 0
    one = list(GOOD[0]); one[15] = "123"
    few = upload(coord_client, csv_bytes([one])).get_data(as_text=True)
    assert "Showing the first" not in few and "1 problem was found" in few
