"""Import children from a spreadsheet (CSV or Excel .xlsx) that a coordinator uploads.

Policy: ALL OR NOTHING. A file with any error imports nothing. Every row is first checked with
`validation.clean` (the same rules as the web form and the API), plus the coordinator's area and
duplicates (checking stops at the first MAX_ERRORS problems); errors are reported by row number (as the spreadsheet program shows it: the header is
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
from ..geo.models import Division
from . import services
from .models import CATEGORIES, GENDERS, PURPOSES, Child
from .spreadsheet import ImportProblem, cell_value, column_name, english, map_header, normalise, read_table
from .validation import InvalidInput, clean

# Checking stops at this many problems: enough to fix in one go, and a sheet of wrong rows costs little.
MAX_ERRORS = 200

# The word for each purpose that the import page offers, per language; any of them and the catalogue's
# labels are accepted in either language.
PURPOSE_TERMS = {
    "care_services": ("关爱服务", "Care services"), "wishes": ("微心愿", "Micro-wishes"), "care_and_wishes": ("全部", "All"),
}
# More Chinese words for the purposes.
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
    truncated: bool = False  # checking stopped at MAX_ERRORS problems

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


class _Places:
    """Qingdao's districts and towns, read once per check so that no row needs a query to name its place."""

    def __init__(self):
        # Held for the whole check: validation's geo.get(code) then finds each in the session.
        self.divisions = db.session.scalars(select(Division).where(Division.level.in_(("district", "town")))).all()
        self.by_code = {d.code: d for d in self.divisions}
        districts = sorted((d for d in self.divisions if d.level == "district"), key=lambda d: d.code)
        self.districts = {}
        for d in districts:
            self.districts.setdefault(d.name, d.code)
        towns = sorted((t for t in self.divisions if t.level == "town"), key=lambda t: (t.parent_code, t.code))
        self.towns, self.first_town = {}, {}  # (district, name) -> code; name -> the first in code order
        for t in towns:
            self.towns.setdefault((t.parent_code, t.name), t.code)
            self.first_town.setdefault(t.name, t.code)

    def district(self, value) -> str | None:
        """The code of the district written as value (its code or name), or None."""
        text = str(value).strip()
        d = self.by_code.get(text)
        if d is not None:
            return d.code if d.level == "district" else None
        return self.districts.get(text)


def _prepare(data: dict, places: _Places) -> dict:
    """Accept labels for codes: English/Chinese category, gender and purpose labels, district and town names."""
    categories, genders, purposes = _label_maps()
    for f, words in (("category", categories), ("gender", genders), ("consent_purpose", purposes)):
        v = data.get(f)
        if isinstance(v, str) and v and normalise(v) in words:
            data[f] = words[normalise(v)]
    town, district = data.get("town_code"), data.get("district_code")
    code = places.district(district) if isinstance(district, str) and district else None
    if code is not None:
        data["district_code"] = code
    if isinstance(town, str) and town and not town.isdigit():
        # The same town name may exist in two districts: look in the given one (else as validation does).
        if code:
            match = places.towns.get((code, town))
        else:
            match = None if district else places.first_town.get(town)
        if match is not None:
            data["town_code"] = match
    return data


_LABEL_CACHE = {}


def _label_maps():
    if not _LABEL_CACHE:
        _LABEL_CACHE["c"] = _labels_to_codes(CATEGORIES)
        _LABEL_CACHE["g"] = _labels_to_codes(GENDERS)
        purposes = _labels_to_codes(PURPOSES)
        purposes.update({normalise(k): v for k, v in PURPOSE_WORDS.items()})
        purposes.update({normalise(w): code for code, words in PURPOSE_TERMS.items() for w in words})
        _LABEL_CACHE["p"] = purposes
    return _LABEL_CACHE["c"], _LABEL_CACHE["g"], _LABEL_CACHE["p"]


def purpose_terms() -> list[tuple[str, str]]:
    """(word to write, what it means) per purpose, in the user's language, for the import page."""
    return [(words[1] if english() else words[0], str(PURPOSES[code])) for code, words in PURPOSE_TERMS.items()]


def check(staff, rows: list[list]) -> tuple[list[dict], Report]:
    """Check the data rows; return the clean data per row and a report of the errors (the first MAX_ERRORS)."""
    header = rows[0]
    columns, ignored = map_header(header)
    report = Report(ignored_columns=ignored)
    header_text = {f: str(cell_value(header[i])) for f, i in columns.items()}

    def column(f):
        if f == "district_code" and f not in header_text and "town_code" in header_text:
            f = "town_code"  # the district comes from the town column
        return column_name(f, header_text.get(f, ""))

    good, seen = [], {}
    places, registered = _Places(), _registered(rows[1:], columns.get("name"))
    row_number = 1
    for raw in rows[1:]:
        if len(report.errors) >= MAX_ERRORS:
            report.truncated = True
            del report.errors[MAX_ERRORS:]
            break
        row_number += 1
        if not any(cell_value(v) for v in raw):
            continue
        report.rows += 1
        data = {f: cell_value(raw[i]) if i < len(raw) else "" for f, i in columns.items()}
        data = _prepare(data, places)
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
        if key in registered:
            report.errors.append(RowError(row_number, column("name"), str(_l(
                "This child (same name, birth date and town) is already registered."))))
            continue
        good.append((row_number, data))
    if len(report.errors) > MAX_ERRORS:
        report.truncated = True
        del report.errors[MAX_ERRORS:]
    if report.rows == 0:
        raise ImportProblem(_l("The file has a header row but no children in it."))
    return good, report


def _registered(rows: list[list], name_column: int | None) -> set:
    """(name, birth date, town) of the children already registered under a name in the rows: one query per
    500 names instead of one per row."""
    names = sorted({str(cell_value(r[name_column])) for r in rows if name_column is not None and name_column < len(r)})
    found = set()
    for i in range(0, len(names), 500):
        found.update(tuple(r) for r in db.session.execute(
            select(Child.name, Child.birth_date, Child.town_code).where(Child.name.in_(names[i:i + 500]))))
    return found


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
