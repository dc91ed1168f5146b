"""Read an uploaded spreadsheet (CSV in UTF-8/GBK or Excel .xlsx) into rows and map its header to fields.

CSV: UTF-8, UTF-8 with BOM, or GBK/GB18030 as Chinese Excel saves it (tried in that order); .xlsx: the
first sheet. At most 5 MB and 5,000 data rows. Column names may be Chinese or English.
"""
import csv
import io
import re
import zipfile
from datetime import date, datetime

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
EXTENSIONS = (".csv", ".xlsx")

FIELD_LABELS = {
    "name": _l("Name"), "gender": _l("Gender"), "birth_date": _l("Birth date"), "category": _l("Category"),
    "disabled": _l("Disability"), "district_code": _l("District"), "town_code": _l("Town or street"),
    "village": _l("Village or community"), "address": _l("Address"), "lat": _l("Latitude"),
    "lon": _l("Longitude"), "school": _l("School"), "grade": _l("Grade"), "notes": _l("Notes"),
    "guardian_name": _l("Guardian"), "guardian_relation": _l("Relation to the child"),
    "guardian_phone": _l("Guardian's phone"), "consent_given_by": _l("Consent given by"),
    "consent_relation": _l("Their relation to the child"), "consent_given_on": _l("Consent date"),
    "consent_purpose": _l("Purpose agreed to"), "consent_agreed": _l("Consent text"),
}

# The template's headers in column order: Chinese (as coordinators' sheets use them) and English. Both
# are accepted, whatever the user's language; pages name columns with the user's.
TEMPLATE_HEADERS = {
    "name": "姓名", "gender": "性别", "birth_date": "出生日期", "category": "类别", "disabled": "残疾",
    "district_code": "区市", "town_code": "镇街", "village": "村社区", "address": "地址", "lat": "纬度",
    "lon": "经度", "school": "学校", "grade": "年级", "guardian_name": "监护人", "guardian_relation": "关系",
    "guardian_phone": "监护人电话", "consent_given_by": "同意人", "consent_relation": "同意人关系",
    "consent_given_on": "同意日期", "consent_purpose": "同意用途", "notes": "备注",
}
TEMPLATE_HEADERS_EN = {
    "name": "Name", "gender": "Gender", "birth_date": "Birth date", "category": "Category", "disabled": "Disability",
    "district_code": "District", "town_code": "Town or street", "village": "Village or community",
    "address": "Address", "lat": "Latitude", "lon": "Longitude", "school": "School", "grade": "Grade",
    "guardian_name": "Guardian", "guardian_relation": "Guardian relation", "guardian_phone": "Guardian phone",
    "consent_given_by": "Consent given by", "consent_relation": "Consent giver relation",
    "consent_given_on": "Consent date", "consent_purpose": "Consent purpose", "notes": "Notes",
}

# Header words (normalised: lower case, no spaces, "*", "_" or bracketed hints) -> field.
HEADER_ALIASES = {
    "name": ["姓名", "儿童姓名", "name", "childname"],
    "gender": ["性别", "gender", "sex"],
    "birth_date": ["出生日期", "出生年月日", "生日", "birthdate", "dateofbirth", "birthday", "dob"],
    "category": ["类别", "儿童类别", "类型", "category"],
    "disabled": ["残疾", "是否残疾", "残疾儿童", "disabled", "disability"],
    "district_code": ["区市", "区", "区县", "区(市)", "district", "districtcode"],
    "town_code": ["镇街", "镇街道", "街道", "镇", "乡镇街道", "town", "towncode", "street"],
    "village": ["村社区", "村居", "村(社区)", "社区", "村", "village", "community"],
    "address": ["地址", "家庭住址", "住址", "address"],
    "lat": ["纬度", "lat", "latitude"],
    "lon": ["经度", "lon", "lng", "longitude"],
    "school": ["学校", "就读学校", "school"],
    "grade": ["年级", "grade"],
    "notes": ["备注", "notes", "note"],
    "guardian_name": ["监护人", "监护人姓名", "guardian", "guardianname"],
    "guardian_relation": ["关系", "与儿童关系", "监护人关系", "relation", "guardianrelation"],
    "guardian_phone": ["监护人电话", "电话", "联系电话", "监护人手机", "phone", "guardianphone"],
    "consent_given_by": ["同意人", "consentgivenby", "consentby"],
    "consent_relation": ["同意人关系", "consentrelation"],
    "consent_given_on": ["同意日期", "consentgivenon", "consentdate"],
    "consent_purpose": ["同意用途", "用途", "consentpurpose", "purpose"],
}
REQUIRED_COLUMNS = ("name", "gender", "birth_date", "category", "town_code", "guardian_name",
                    "guardian_relation", "guardian_phone", "consent_given_by", "consent_relation",
                    "consent_given_on", "consent_purpose")

class ImportProblem(Exception):
    """The file as a whole cannot be read (type, size, encoding, header); str() is the message."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def normalise(text) -> str:
    """A header or label as compared: lower case, without spaces, marks or bracketed hints."""
    text = str(text or "").strip().lower()
    text = re.sub(r"[（(【\[].*?[)）】\]]", "", text)  # hints such as 出生日期(YYYY-MM-DD)
    return re.sub(r"[\s*_\-:：]", "", text)


_ALIASES = {normalise(a): f for f, words in HEADER_ALIASES.items() for a in words}
_ALIASES.update({normalise(h): f for headers in (TEMPLATE_HEADERS, TEMPLATE_HEADERS_EN) for f, h in headers.items()})


def english() -> bool:
    """Whether the user reads English (else Chinese, the default)."""
    return str(get_locale() or "") == "en"


def template_headers(other: bool = False) -> dict:
    """{field: header} in the user's language (the other language's with other=True)."""
    return TEMPLATE_HEADERS_EN if english() != other else TEMPLATE_HEADERS


def column_name(field: str, written: str = "") -> str:
    """A column as the user's template names it, with the file's own header when that differs."""
    mine = template_headers().get(field) or str(FIELD_LABELS.get(field, field))
    return mine if not written or written == mine else f"{mine} ({written})"


def template_csv() -> bytes:
    """The import template with the user's language's headers, UTF-8 with a BOM so Excel opens it."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(template_headers().values())
    return buf.getvalue().encode("utf-8-sig")


def read_table(filename: str, content: bytes) -> list[list]:
    """Return the rows (header first) of an uploaded file, or raise ImportProblem."""
    name = (filename or "").lower().strip()
    if not name.endswith(EXTENSIONS):
        if name.endswith(".xls"):
            raise ImportProblem(_l("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV."))
        raise ImportProblem(_l("Upload a CSV file (.csv) or an Excel file (.xlsx)."))
    if len(content) > MAX_BYTES:
        raise ImportProblem(_l("The file is larger than 5 MB. Split it into smaller files."))
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportProblem(_l("The file is empty."))
    is_zip = content[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx"):
        if not is_zip:
            raise ImportProblem(_l("This is not a real Excel .xlsx file. Save it again from Excel as .xlsx or CSV."))
        rows = _read_xlsx(content)
    else:
        if is_zip or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or b"\x00" in content[:4096]:
            raise ImportProblem(_l("This file is not a CSV text file. In Excel choose Save As, then CSV."))
        rows = _read_csv(content)
    rows = [r for r in rows if any(cell_value(v) for v in r)]
    if not rows:
        raise ImportProblem(_l("The file is empty."))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportProblem(_l("The file has more than %(n)s rows. Split it into smaller files.", n=MAX_ROWS))
    return rows


def _read_csv(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportProblem(_l("The file's characters cannot be read. Save it as CSV UTF-8 (or CSV from a "
                               "Chinese Excel) and upload it again."))
    if "\ufffd" in text:
        raise ImportProblem(_l("The file's characters cannot be read. Save it as CSV UTF-8 (or CSV from a "
                               "Chinese Excel) and upload it again."))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        raise ImportProblem(_l("The CSV file is damaged (for example an unclosed quote).")) from None


def _read_xlsx(content: bytes) -> list[list]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise ImportProblem(_l("Excel files cannot be read on this server; upload a CSV file.")) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ImportProblem(_l("The Excel file cannot be opened. Save it again as .xlsx or CSV.")) from exc
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise ImportProblem(_l("The Excel file cannot be opened. Save it again as .xlsx or CSV.")) from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1 + 1000:  # stop early on huge sheets (blank rows are dropped later)
                break
        return rows
    finally:
        book.close()


def cell_value(value) -> str | date:
    """A cell as text (or a date); integral floats from Excel lose their '.0' (phones, codes)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) > 1000:
        return str(int(value))
    return str(value).strip()


def map_header(header: list) -> tuple[dict, list[str]]:
    """{field: column index} and the ignored headers; ImportProblem when required columns are missing."""
    columns, ignored = {}, []
    for i, h in enumerate(header):
        text = str(cell_value(h))
        if not text:
            continue
        f = _ALIASES.get(normalise(text))
        if f is None:
            ignored.append(text)
        elif f in columns:
            raise ImportProblem(_l("The column %(name)s appears twice in the header row.", name=text))
        else:
            columns[f] = i
    missing = [f for f in REQUIRED_COLUMNS if f not in columns]
    if missing:
        names = format_list([column_name(f) for f in missing], locale=get_locale())
        raise ImportProblem(_l("The header row (row 1) lacks required columns: %(names)s. "
                               "Download the template to see the columns.", names=names))
    return columns, ignored
