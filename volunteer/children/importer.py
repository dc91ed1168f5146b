"""Import children from a spreadsheet (CSV or Excel .xlsx) that a coordinator uploads.

Policy: ALL OR NOTHING. A file with any error imports nothing. Every row is first checked with
`validation.clean` (the same rules as the web form and the API), plus the coordinator's area and
duplicates; errors are reported by row number (as the spreadsheet program shows it: the header is
row 1) and by column (its header exactly as written in the file). Only when every row is clean are
the children created through `services.create_child` (so consent, history, events and audit work
exactly as for the form), all in ONE transaction: if anything fails midway it is rolled back, so
nothing is ever half-imported, and the coordinator fixes the sheet and uploads it again.

Files: .csv (UTF-8, UTF-8 with BOM, or GBK/GB18030 as Chinese Excel saves it: tried in that order)
or .xlsx (first sheet). At most 5 MB and 5,000 data rows. Column names may be Chinese or English.
"""
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import access
from ..audit import services as audit
from ..extensions import db
from ..geo import services as geo
from . import services
from .models import CATEGORIES, GENDERS, PURPOSES, Child
from .validation import InvalidInput, clean

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

# The template's headers (Chinese, as coordinators' sheets use them), in column order.
TEMPLATE_HEADERS = {
    "name": "姓名", "gender": "性别", "birth_date": "出生日期", "category": "类别", "disabled": "残疾",
    "district_code": "区市", "town_code": "镇街", "village": "村社区", "address": "地址", "lat": "纬度",
    "lon": "经度", "school": "学校", "grade": "年级", "guardian_name": "监护人", "guardian_relation": "关系",
    "guardian_phone": "监护人电话", "consent_given_by": "同意人", "consent_relation": "同意人关系",
    "consent_given_on": "同意日期", "consent_purpose": "同意用途", "notes": "备注",
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

# Chinese words for the purposes (the catalogue's labels are accepted too).
PURPOSE_WORDS = {
    "关爱服务": "care_services", "关爱": "care_services", "走访、个案和小组服务、活动": "care_services",
    "微心愿": "wishes", "微心愿和礼包": "wishes", "礼包": "wishes",
    "关爱服务、微心愿和礼包": "care_and_wishes", "关爱服务和微心愿": "care_and_wishes",
    "关爱服务和微心愿礼包": "care_and_wishes", "全部": "care_and_wishes",
}


class ImportProblem(Exception):
    """The file as a whole cannot be read (type, size, encoding, header); str() is the message."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class RowError:
    row: int  # as the spreadsheet shows it: the header is row 1
    column: str  # the header as written in the file (or the field's label when it has no column)
    message: str


@dataclass
class Report:
    """What an import did: rows read, children created, errors (empty when imported)."""

    rows: int = 0
    created: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _norm(text) -> str:
    text = str(text or "").strip().lower()
    text = re.sub(r"[（(【\[].*?[)）】\]]", "", text)  # hints such as 出生日期(YYYY-MM-DD)
    return re.sub(r"[\s*_\-:：]", "", text)


_ALIASES = {_norm(a): f for f, words in HEADER_ALIASES.items() for a in words}


def _labels_to_codes(mapping: dict) -> dict:
    """{label in English and Chinese (normalised): code} for a dict of lazy labels."""
    out = {}
    for locale in ("en", "zh_Hans_CN"):
        with force_locale(locale):
            out.update({_norm(str(label)): code for code, label in mapping.items()})
    return out


def template_csv() -> bytes:
    """The import template: Chinese headers, UTF-8 with a BOM so Excel opens it correctly."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(TEMPLATE_HEADERS.values())
    return buf.getvalue().encode("utf-8-sig")


# ---- Reading the file ----

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
    rows = [r for r in rows if any(_cell(v) for v in r)]
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


def _cell(value) -> str | date:
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


# ---- Checking ----

def map_header(header: list) -> tuple[dict, list[str]]:
    """{field: column index} and the ignored headers; ImportProblem when required columns are missing."""
    columns, ignored = {}, []
    for i, h in enumerate(header):
        text = str(_cell(h))
        if not text:
            continue
        f = _ALIASES.get(_norm(text))
        if f is None:
            ignored.append(text)
        elif f in columns:
            raise ImportProblem(_l("The column %(name)s appears twice in the header row.", name=text))
        else:
            columns[f] = i
    missing = [f for f in REQUIRED_COLUMNS if f not in columns]
    if missing:
        names = "、".join(f"{TEMPLATE_HEADERS[f]} ({FIELD_LABELS[f]})" for f in missing)
        raise ImportProblem(_l("The header row (row 1) lacks required columns: %(names)s. "
                               "Download the template to see the columns.", names=names))
    return columns, ignored


def _prepare(data: dict) -> dict:
    """Accept labels for codes: English/Chinese category, gender and purpose labels, town names."""
    categories, genders, purposes = _label_maps()
    for f, words in (("category", categories), ("gender", genders), ("consent_purpose", purposes)):
        v = data.get(f)
        if isinstance(v, str) and v and _norm(v) in words:
            data[f] = words[_norm(v)]
    town, district = data.get("town_code"), data.get("district_code")
    if isinstance(town, str) and town and not town.isdigit():
        d = _district(district) if district else None
        if d is not None:  # the same town name may exist in two districts: look in the given one
            match = next((t for t in geo.towns(d.code) if t.name == town), None)
            if match is not None:
                data["town_code"] = match.code
    return data


_LABEL_CACHE = {}


def _label_maps():
    if not _LABEL_CACHE:
        _LABEL_CACHE["c"] = _labels_to_codes(CATEGORIES)
        _LABEL_CACHE["g"] = _labels_to_codes(GENDERS)
        purposes = _labels_to_codes(PURPOSES)
        purposes.update({_norm(k): v for k, v in PURPOSE_WORDS.items()})
        _LABEL_CACHE["p"] = purposes
    return _LABEL_CACHE["c"], _LABEL_CACHE["g"], _LABEL_CACHE["p"]


def _district(value):
    value = str(value).strip()
    d = geo.get(value)
    if d is None:
        d = next((x for x in geo.districts() if x.name == value), None)
    return d if d is not None and d.level == "district" else None


def check(staff, rows: list[list]) -> tuple[list[dict], Report]:
    """Check every data row; return the clean data per row and a report with every error."""
    header = rows[0]
    columns, ignored = map_header(header)
    report = Report(ignored_columns=ignored)
    header_text = {f: str(_cell(header[i])) for f, i in columns.items()}

    def column(f):
        if f in header_text:
            return header_text[f]
        if f == "district_code" and "town_code" in header_text:
            return header_text["town_code"]
        return str(FIELD_LABELS.get(f, f))

    good, seen = [], {}
    row_number = 1
    for raw in rows[1:]:
        row_number += 1
        if not any(_cell(v) for v in raw):
            continue
        report.rows += 1
        data = {f: _cell(raw[i]) if i < len(raw) else "" for f, i in columns.items()}
        data = _prepare(data)
        try:
            values = clean(data)
        except InvalidInput as exc:
            for f, message in exc.errors.items():
                report.errors.append(RowError(row_number, column(f), str(message)))
            continue
        where = values.get("town_code") or values["district_code"]
        if not access.in_scope(staff, where) and not access.in_scope(staff, values["district_code"]):
            report.errors.append(RowError(row_number, column("town_code"), str(_l("This place is outside your area."))))
            continue
        key = (values["name"], values["birth_date"], values.get("town_code"))
        if key in seen:
            report.errors.append(RowError(row_number, column("name"), str(_l(
                "The same child (name, birth date and town) is already in row %(row)s.", row=seen[key]))))
            continue
        seen[key] = row_number
        if db.session.scalar(select(Child.id).where(Child.name == key[0], Child.birth_date == key[1],
                                                    Child.town_code == key[2])):
            report.errors.append(RowError(row_number, column("name"), str(_l(
                "This child (same name, birth date and town) is already registered."))))
            continue
        good.append((row_number, data))
    if report.rows == 0:
        raise ImportProblem(_l("The file has a header row but no children in it."))
    return good, report


def import_file(staff, filename: str, content: bytes) -> Report:
    """Check the whole file; create the children only when every row is clean (all or nothing)."""
    rows = read_table(filename, content)
    good, report = check(staff, rows)
    if report.errors:
        return report
    created = []
    try:
        for row_number, data in good:
            created.append(services.create_child(staff, data, via="import", commit=False).ref)
        audit.log(staff, "import", "child", None, reason=f"rows:{len(created)}", via="web", commit=False)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if isinstance(exc, InvalidInput):
            report.errors.append(RowError(row_number, "", "; ".join(str(m) for m in exc.errors.values())))
            return report
        raise ImportProblem(_l("Saving failed, so nothing was imported. Please upload the file again.")) from exc
    report.created = created
    return report
