"""统计报表: the statistics page's tables (tables.py), one formatted sheet each, with their totals rows."""
import re
from datetime import date, datetime

from flask_babel import gettext as _

from . import xlsx
from .services import LOCAL, figures
from .tables import tables
from .xlsx import Column


def _plain(value):
    """A cell's value: numbers and dates as they are, labels as text."""
    if value is None or isinstance(value, (int, float, date)) and not isinstance(value, bool):
        return value
    return str(value)


def _kind(key: str, values) -> str:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool) or not isinstance(sample, (int, float)):
        return "text"
    if key == "hours":
        return "hours"
    return "number" if isinstance(sample, float) else "int"


def _sheet_name(title: str) -> str:
    """A table's title up to its first date (the title row gives the whole title): the sheet's tab."""
    return re.sub(r"[\s,，、:：(（\-–]+$", "", re.split(r"\d{4}-\d{2}-\d{2}", title)[0]) or title


def statistics_book(staff, area: str, first: date, last: date) -> bytes:
    """The workbook: a sheet a table, named by the table, titled with the area and the period."""
    period = f"{first.isoformat()} – {last.isoformat()}"
    now = _("as of %(day)s", day=datetime.now(LOCAL).date().isoformat())  # the tables without a period
    book = xlsx.new_book()
    for t in tables(figures(staff, first, last)):
        keys = [k for k, _label in t.columns]
        rows = [tuple(_plain(r.get(k)) for k in keys) for r in t.rows]
        total = [_plain(t.total.get(k)) for k in keys] if t.total else None
        columns = [Column(str(label), _kind(k, [r[i] for r in rows] + (total or [])[i:i + 1]))
                   for i, (k, label) in enumerate(t.columns)]
        title = (_("Statistical report"), area, str(t.title), *(() if period in str(t.title) else (now,)))
        xlsx.add_sheet(book, _sheet_name(str(t.title)), " · ".join(title), columns, rows, totals_row=total)
    return xlsx.to_bytes(book)
