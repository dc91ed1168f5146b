"""Statistics page for staff (blueprint `stats`): the figures of their area for a period, as tables or CSV."""
import csv
import io

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..access import staff_required
from ..children.models import CATEGORIES
from ..children.validation import InvalidInput
from ..needs.models import NEED_STATUSES
from . import services

bp = Blueprint("stats", __name__)


def register(app):
    app.register_blueprint(bp)


@bp.get("/stats")
@staff_required
def index():
    """The figures for ?start=&end= (local dates; default: this year so far); ?format=csv downloads them."""
    try:
        first, last = services.period(request.args.get("start"), request.args.get("end"))
    except InvalidInput as exc:
        return render_template("stats/index.html", f=None, errors=exc.errors, form=request.args,
                               categories=CATEGORIES, statuses=NEED_STATUSES), 422
    f = services.figures(current_user, first, last)
    if request.args.get("format") == "csv":
        name = f"huhang-stats-{first:%Y%m%d}-{last:%Y%m%d}.csv"
        return Response(_csv(f), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return render_template("stats/index.html", f=f, errors={}, form={"start": first.isoformat(), "end": last.isoformat()},
                           categories=CATEGORIES, statuses=NEED_STATUSES)


def _csv(f: services.Figures) -> str:
    """One CSV of every table: table, row, then the columns (UTF-8 with a BOM, so spreadsheets read Chinese)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([_("Period"), f.first.isoformat(), f.last.isoformat()])
    w.writerow([])
    w.writerow([_("Children"), _("Area"), *[str(v) for v in CATEGORIES.values()], _("Disabled"), _("Total")])
    for r in [*f.children, {"name": _("Total"), **f.children_total}]:
        w.writerow(["", r["name"], *[r[c] for c in CATEGORIES], r["disabled"], r["total"]])
    w.writerow([])
    w.writerow([_("Needs"), _("Dimension"), *[str(v) for v in NEED_STATUSES.values()], _("Total")])
    for r in f.needs:
        w.writerow(["", str(r["label"]), *[r[s] for s in NEED_STATUSES], r["total"]])
    w.writerow([])
    w.writerow([_("Services"), _("Service"), _("Visits"), _("Person-times"), _("Service hours")])
    for r in [*f.services, {"label": _("Total"), **f.services_total}]:
        w.writerow(["", str(r["label"]), r["visits"], r["person_times"], r["hours"]])
    w.writerow([])
    w.writerow([_("Volunteers who served"), f.volunteers["served"], _("Service hours"), f.volunteers["hours"]])
    w.writerow([_("Micro-wishes claimed"), f.wishes["claimed"], _("Micro-wishes received"), f.wishes["received"],
                _("Micro-wishes open now"), f.wishes["open"]])
    w.writerow([_("Gift packs delivered"), f.packs["delivered"]])
    return "\ufeff" + buf.getvalue()
