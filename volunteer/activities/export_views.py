"""The export of approved hours for the national volunteer service information system."""
from flask import Response, request
from flask_login import current_user

from ..access import roles_required
from ..children.validation import InvalidInput
from ..rendering import render
from ..stats.services import period
from . import export
from .views import bp

EXPORTERS = ("coordinator", "admin", "org_admin")


def _period():
    """(first, last, errors) of ?start=&end= (default: this year so far)."""
    try:
        first, last = period(request.args.get("start"), request.args.get("end"))
    except InvalidInput as exc:
        return None, None, exc.errors
    return first, last, {}


def _form(first, last, errors, status=200):
    found = export.counts(current_user, first, last) if first else None
    form = ({"start": first.isoformat(), "end": last.isoformat()} if first
            else {"start": request.args.get("start", ""), "end": request.args.get("end", "")})
    return render("activities/export.html", block="counts", form=form, errors=errors, found=found,
                  missing_text=export.missing_text(found["missing"]) if found else "",
                  headers=[h for h, _get in export.COLUMNS]), status


@bp.get("/activities/export", endpoint="export")
@roles_required(*EXPORTERS)
def export_page():
    """The period to export, and what its sheet will hold (rows, volunteers, how many lack an ID number)."""
    first, last, errors = _period()
    return _form(first, last, errors, 422 if errors else 200)


@bp.get("/activities/export.xlsx")
@roles_required(*EXPORTERS)
def export_xlsx():
    """The .xlsx to import into the national system (audited)."""
    first, last, errors = _period()
    if errors:
        return _form(None, None, errors, 422)
    data, _n = export.xlsx_bytes(current_user, first, last)
    name = f"huhang-national-hours-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, no-store"})
