"""Excel ledgers of the statistics page (added to the `stats` blueprint): GET /stats/ledgers/<name>.xlsx."""
from urllib.parse import quote

from flask import Response, abort, redirect, request, url_for
from flask_login import current_user

from ..access import staff_required
from ..children.validation import InvalidInput
from . import ledgers, services
from .views import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def disposition(name: str, fallback: str) -> str:
    """An attachment header with the UTF-8 file name (RFC 5987) and an ASCII one for old clients."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.get("/stats/ledgers/<name>.xlsx")
@staff_required
def ledger(name):
    """One ledger of the user's area for ?start=&end= (as /stats reads them); a bad date goes to /stats, which
    says what is wrong with it."""
    if name not in ledgers.LEDGERS:
        abort(404)
    try:
        first, last = services.period(request.args.get("start"), request.args.get("end"))
    except InvalidInput:
        return redirect(url_for("stats.index", start=request.args.get("start", ""), end=request.args.get("end", "")))
    filename, fallback, content = ledgers.ledger(current_user, name, first, last)
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": disposition(filename, fallback)})
