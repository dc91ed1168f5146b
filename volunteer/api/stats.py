"""Statistics of the caller's area (staff): the same figures as the /stats page and its CSV."""
from dataclasses import asdict

from flask import request

from ..stats import services
from .common import ok, route, user


@route("/stats", "GET", endpoint="stats", tag="stats", response="Stats", errors=(401, 403, 422),
       params=(("start", "query", "string", "First day, YYYY-MM-DD (default: 1 January)"),
               ("end", "query", "string", "Last day, YYYY-MM-DD (default: today)")),
       summary="Figures of your area (staff): children by area (district, or town inside a district) and "
               "category, needs by dimension and status now; services (visits, person-times, hours) by type, volunteers, micro-wishes and "
               "gift packs in the period")
def stats():
    first, last = services.period(request.args.get("start"), request.args.get("end"))
    f = asdict(services.figures(user(), first, last))
    for row in f["needs"] + f["services"]:
        row["label"] = str(row["label"])
    return ok(f)
