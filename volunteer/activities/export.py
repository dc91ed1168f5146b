"""Approved activity hours for the national volunteer service information system (全国志愿服务信息系统),
one row per volunteer and activity, in the columns of its batch import (COLUMNS: the one mapping).

    rows(user, first, last) -> [Row]         # the activities user may export (NotAllowed otherwise)
    counts(user, first, last) -> {rows, volunteers, missing, missing_names}
    xlsx_bytes(user, first, last) -> (bytes, n)   # decrypts the ID numbers: the only place they are read back; audited

Scope: an admin or city coordinator every activity, a district or town coordinator the activities in their
area (by the activity's town or district), an organisation admin their organisation's activities. Only
activity sign-ups are exported; home visits are not activities of the national system.
"""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import or_, select, true

from .. import access
from ..accounts.models import User
from ..audit import services as audit
from ..extensions import db
from ..needs.rules import NotAllowed
from ..stats import xlsx
from ..stats.counting import LOCAL, bounds
from ..volunteers import idnumber
from ..volunteers.models import VolunteerProfile
from .models import Activity, ActivitySignup

ID_CARD = "居民身份证"
_BOLD, _FILL = Font(bold=True), PatternFill("solid", fgColor="E8EEF4")  # the header of stats/xlsx.py
_LINE = Border(bottom=Side(style="thin", color="7F8C99"))


@dataclass
class Row:
    """One volunteer's approved hours in one activity (id_number: decrypted, only while writing the sheet)."""

    volunteer_id: int
    name: str
    phone: str
    id_enc: str | None
    title: str
    starts_at: datetime
    ends_at: datetime
    minutes: int
    id_number: str | None = None


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def _mobile(e164: str) -> str:
    """+8613912345678 -> 13912345678 (the national system asks for the 11-digit mobile number)."""
    return e164[3:] if e164.startswith("+86") else e164


# The batch import's columns, in order: (header, value of a Row). The headers are the national system's, in
# Chinese whatever the reader's language. Times are local (Asia/Shanghai) "YYYY-MM-DD HH:MM" text; hours a
# number to two decimals. Change the columns here and only here.
COLUMNS = [
    ("姓名", lambda r: r.name),
    ("证件类型", lambda r: ID_CARD if r.id_number else None),
    ("证件号码", lambda r: r.id_number),
    ("手机号码", lambda r: _mobile(r.phone)),
    ("活动名称", lambda r: r.title),
    ("开始时间", lambda r: _local(r.starts_at)),
    ("结束时间", lambda r: _local(r.ends_at)),
    ("服务时长（小时）", lambda r: round(r.minutes / 60, 2)),
]
NUMBER_COLUMNS = {"服务时长（小时）"}


def _scope(user):
    """The SQL condition on Activity of what user may export."""
    if user.role == "org_admin" and user.organisation_id:
        return Activity.org_id == user.organisation_id
    prefix = access.scope_prefix(user) if user.role in access.STAFF else None
    if prefix is None:
        raise NotAllowed(_l("Only coordinators and organisation admins export service hours."))
    if not prefix:
        return true()
    return or_(Activity.town_code.startswith(prefix), Activity.district_code.startswith(prefix))


def rows(user, first: date, last: date) -> list[Row]:
    """Approved hours of the activities user may export that started on local days first..last."""
    start, end = bounds(first, last)
    found = db.session.execute(
        select(User.id, User.name, User.phone, VolunteerProfile.id_number_enc, Activity.title, Activity.starts_at,
               Activity.ends_at, ActivitySignup.approved_minutes)
        .join(Activity, Activity.id == ActivitySignup.activity_id).join(User, User.id == ActivitySignup.volunteer_id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(ActivitySignup.status == "confirmed", ActivitySignup.hours_status == "approved",
               ActivitySignup.approved_minutes > 0, Activity.status != "cancelled", Activity.starts_at >= start, Activity.starts_at < end, _scope(user))
        .order_by(Activity.starts_at, Activity.id, User.name, User.id)).all()
    return [Row(*r) for r in found]


def counts(user, first: date, last: date) -> dict:
    """What the export of the period holds, without reading a number: rows, volunteers, those without one."""
    found = rows(user, first, last)
    missing = {r.volunteer_id: r.name for r in found if not r.id_enc}
    return {"rows": len(found), "volunteers": len({r.volunteer_id for r in found}), "missing": len(missing),
            "missing_names": sorted(missing.values())}


def missing_text(n: int) -> str:
    return ngettext("%(num)d volunteer has no ID number: their rows have an empty number and the national "
                    "system may refuse them.", "%(num)d volunteers have no ID number: their rows have an empty "
                    "number and the national system may refuse them.", n)


def _import_sheet(book, data: list[Row]) -> None:
    """The sheet to import: the header in row 1 (no title row, which an import would read as the header),
    every cell text but the hours, so an ID number never turns into 3.70212E+17."""
    ws = book.create_sheet("志愿服务时长")
    table = [[get(r) for _h, get in COLUMNS] for r in data]
    for i, (header, _get) in enumerate(COLUMNS):
        widest = max([xlsx.display_width(header)] + [xlsx.display_width(t[i]) for t in table[:xlsx.SAMPLE]])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(xlsx.MAX_WIDTH, max(xlsx.MIN_WIDTH, widest + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(table) + 1}"
    head = []
    for header, _get in COLUMNS:
        cell = WriteOnlyCell(ws, value=header)
        cell.font, cell.fill, cell.border = _BOLD, _FILL, _LINE
        head.append(cell)
    ws.append(head)
    for values in table:
        out = []
        for (header, _get), value in zip(COLUMNS, values):
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = xlsx.FORMATS["number"] if header in NUMBER_COLUMNS else "@"
            out.append(cell)
        ws.append(out)


def xlsx_bytes(user, first: date, last: date) -> tuple[bytes, int]:
    """The workbook (the import sheet, then notes: period, counts, who lacks an ID number) and its row count.
    The download is audited: who, the period, how many rows (never a number)."""
    data = rows(user, first, last)
    plain = {}
    for r in data:
        if r.id_enc:
            if r.volunteer_id not in plain:
                plain[r.volunteer_id] = idnumber.decrypt(r.id_enc)
            r.id_number = plain[r.volunteer_id]
    book = xlsx.new_book()
    _import_sheet(book, data)
    missing = sorted({r.volunteer_id: r.name for r in data if not r.id_number}.items(), key=lambda kv: (kv[1], kv[0]))
    notes = [(_("Period"), _("%(start)s to %(end)s", start=first.isoformat(), end=last.isoformat())),
             (_("Rows"), len(data)), (_("Volunteers"), len({r.volunteer_id for r in data})),
             (_("Without an ID number"), missing_text(len(missing)))]
    notes += [("", name) for _id, name in missing]
    xlsx.add_sheet(book, _("Notes"), _("Service hours for the national volunteer service information system"),
                   [xlsx.Column(_("Item")), xlsx.Column(_("Value"))], notes)
    audit.log(user, "export", "activity", None, reason=f"national hours {first}..{last}: {len(data)} rows")
    return xlsx.to_bytes(book), len(data)
