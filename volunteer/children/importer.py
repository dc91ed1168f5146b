"""Import children from a spreadsheet (CSV or Excel .xlsx) that a coordinator uploads.

Policy: ALL OR NOTHING. A file with any error imports nothing. Every row is first checked with
`validation.clean` (the same rules as the web form and the API), plus the coordinator's area and
duplicates; errors are reported by row number (as the spreadsheet program shows it: the header is
row 1) and by column (its header exactly as written in the file). Only when every row is clean are
the children created through `services.create_child` (so consent, history, events and audit work
exactly as for the form), all in ONE transaction: if anything fails midway it is rolled back, so
nothing is ever half-imported, and the coordinator fixes the sheet and uploads it again.

Reading the file and mapping its header: spreadsheet.py.
"""
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import access
from ..audit import services as audit
from ..extensions import db
from ..geo import services as geo
from . import services
from .models import CATEGORIES, GENDERS, PURPOSES, Child
from .spreadsheet import FIELD_LABELS, ImportProblem, cell_value, map_header, normalise, read_table
from .validation import InvalidInput, clean

# Chinese words for the purposes (the catalogue's labels are accepted too).
PURPOSE_WORDS = {
    "关爱服务": "care_services", "关爱": "care_services", "走访、个案和小组服务、活动": "care_services",
    "微心愿": "wishes", "微心愿和礼包": "wishes", "礼包": "wishes",
    "关爱服务、微心愿和礼包": "care_and_wishes", "关爱服务和微心愿": "care_and_wishes",
    "关爱服务和微心愿礼包": "care_and_wishes", "全部": "care_and_wishes",
}


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


def _labels_to_codes(mapping: dict) -> dict:
    """{label in English and Chinese (normalised): code} for a dict of lazy labels."""
    out = {}
    for locale in ("en", "zh_Hans_CN"):
        with force_locale(locale):
            out.update({normalise(str(label)): code for code, label in mapping.items()})
    return out


def _prepare(data: dict) -> dict:
    """Accept labels for codes: English/Chinese category, gender and purpose labels, town names."""
    categories, genders, purposes = _label_maps()
    for f, words in (("category", categories), ("gender", genders), ("consent_purpose", purposes)):
        v = data.get(f)
        if isinstance(v, str) and v and normalise(v) in words:
            data[f] = words[normalise(v)]
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
        purposes.update({normalise(k): v for k, v in PURPOSE_WORDS.items()})
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
    header_text = {f: str(cell_value(header[i])) for f, i in columns.items()}

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
        if not any(cell_value(v) for v in raw):
            continue
        report.rows += 1
        data = {f: cell_value(raw[i]) if i < len(raw) else "" for f, i in columns.items()}
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
