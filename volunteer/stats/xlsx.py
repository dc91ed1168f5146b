"""Formatted Excel sheets, streamed (openpyxl write-only): a title row, a bold frozen header with a filter,
columns as wide as their content (a Chinese character counts double), number formats, a bold totals row.

    Column(label, kind="text", total=False)       # kind: text, int, hours, number, date
    new_book() -> Workbook
    add_sheet(book, name, title, columns, rows, total_label="", totals_row=None)
    to_bytes(book) -> bytes

Totals are values, not formulas: openpyxl cannot store a formula's result, and a file opened where nothing
recalculates (a phone's preview, WPS's viewer, a script) would show an empty total.
"""
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

FORMATS = {"int": "#,##0", "hours": "#,##0.0", "number": "#,##0.00", "date": "yyyy-mm-dd", "text": "General"}
HEADER_ROW = 2  # row 1 is the title (area and period)
MIN_WIDTH, MAX_WIDTH = 6, 48
SAMPLE = 2000  # rows measured for the widths (the rest are alike)
_TITLE = Font(bold=True, size=13)
_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="E8EEF4")
_LINE = Border(bottom=Side(style="thin", color="7F8C99"))
_TOP = Border(top=Side(style="thin", color="7F8C99"))
_WRAP = Alignment(vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"
    total: bool = False


def new_book() -> Workbook:
    """An empty streaming workbook (add_sheet writes each sheet as it comes)."""
    return Workbook(write_only=True)


def display_width(value) -> int:
    """How many narrow characters a value takes on screen (a Chinese character two)."""
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        value = f"{value:,.1f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return _text_width(str(value))


@lru_cache(maxsize=4096)
def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(text: str, taken) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", " ", str(text)).strip()[:31] or "Sheet"
    name, n = base, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    return name


def _cell(ws, value, column: Column, font=None, border=None):
    if column.kind == "text" and font is None and border is None:
        return value
    cell = WriteOnlyCell(ws, value=value)
    if column.kind != "text" and value is not None:
        cell.number_format = FORMATS[column.kind]
    if font is not None:
        cell.font = font
    if border is not None:
        cell.border = border
    return cell


def _widths(columns, rows, totals_row) -> list[float]:
    widest = [display_width(c.label) for c in columns]
    for row in [*rows[:SAMPLE], totals_row]:
        for i, value in enumerate(row):
            widest[i] = max(widest[i], display_width(value))
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for w in widest]


def add_sheet(book: Workbook, name: str, title: str, columns: list[Column], rows: list, total_label: str = "",
              totals_row: list | None = None) -> None:
    """Write one sheet: title, header, rows (tuples in column order), then a totals row: totals_row as given,
    else with total_label the sums of the total columns."""
    ws = book.create_sheet(sheet_name(name, book.sheetnames))
    if totals_row is None and total_label:
        totals_row = [sum(r[i] or 0 for r in rows) if c.total else None for i, c in enumerate(columns)]
        totals_row[0] = total_label
    for i, width in enumerate(_widths(columns, rows, totals_row or [])):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    last_col = get_column_letter(len(columns))
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{HEADER_ROW + len(rows)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0

    head = WriteOnlyCell(ws, value=title)
    head.font = _TITLE
    ws.append([head])
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c.label)
        cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _FILL, _LINE, _WRAP
        header.append(cell)
    ws.append(header)
    # A typed column's cells share one style (copied from a model cell: much cheaper than setting it on each).
    typed = [(i, _cell(ws, 0, c)._style) for i, c in enumerate(columns) if c.kind != "text"]
    for row in rows:
        if typed:
            row = list(row)
            for i, style in typed:
                if row[i] is not None:
                    row[i] = Cell(ws, 1, 1, row[i], style)
        ws.append(row)
    if totals_row is not None:
        ws.append([_cell(ws, v, c, font=_BOLD, border=_TOP) for v, c in zip(totals_row, columns)])


def to_bytes(book: Workbook) -> bytes:
    """The .xlsx file of a finished book."""
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
