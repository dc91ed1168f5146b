"""Statistics page for staff (blueprint `stats`): the figures of their area for a period, as tables, CSV or JSON."""
import csv
import io

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..access import staff_required
from ..api import errors as api_errors
from ..children.models import CATEGORIES
from ..children.validation import InvalidInput
from ..needs.models import NEED_STATUSES
from . import page, services, tables
from .json import as_dict

bp = Blueprint("stats", __name__)


def register(app):
    from . import ledger_views  # noqa: F401  (its routes join this blueprint)

    app.register_blueprint(bp)


@bp.get("/stats")
@staff_required
def index():
    """The figures for ?start=&end= (local dates; default: this year so far); ?format=csv downloads them."""
    try:
        first, last = services.period(request.args.get("start"), request.args.get("end"))
    except InvalidInput as exc:
        return render_template("stats/index.html", f=None, errors=exc.errors, form=request.args,
                               categories=CATEGORIES, statuses=NEED_STATUSES, **page.context(current_user, None)), 422
    f = services.figures(current_user, first, last)
    if request.args.get("format") == "csv":
        name = f"huhang-stats-{first:%Y%m%d}-{last:%Y%m%d}.csv"
        return Response(_csv(f), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return render_template("stats/index.html", f=f, errors={}, form={"start": first.isoformat(), "end": last.isoformat()},
                           categories=CATEGORIES, statuses=NEED_STATUSES, figures_data=as_dict(f),
                           **page.context(current_user, f))


def _csv(f: services.Figures) -> str:
    """One CSV of every table (tables.tables): the period, then per table its title and column names, its rows
    after an empty first cell, its total (UTF-8 with a BOM, so spreadsheets read Chinese)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([_("Period"), f.first.isoformat(), f.last.isoformat()])
    for t in tables.tables(f):
        w.writerow([])
        w.writerow([t.title, *[label for _key, label in t.columns]])
        for r in [*t.rows, *([t.total] if t.total else [])]:
            w.writerow(["", *["" if r.get(k) is None else r.get(k) for k, _label in t.columns]])
    return "\ufeff" + buf.getvalue()


@bp.get("/stats/figures.json")
@staff_required
def figures_json():
    """The figures of ?start=&end= as JSON (json.as_dict, as the API gives them), for the page's charts; a bad
    date is a 422 with a message per field."""
    try:
        first, last = services.period(request.args.get("start"), request.args.get("end"))
    except InvalidInput as exc:
        return api_errors.error(422, _("Check the dates."), fields=exc.errors)
    return jsonify(as_dict(services.figures(current_user, first, last)))
