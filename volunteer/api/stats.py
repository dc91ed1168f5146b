"""Statistics of the caller's area (staff): the same figures as the /stats page, its CSV and its JSON."""
from flask import request

from ..stats import services
from ..stats.json import as_dict
from .common import ok, route, user


@route("/stats", "GET", endpoint="stats", tag="stats", response="Stats", errors=(401, 403, 422),
       params=(("start", "query", "string", "First day, YYYY-MM-DD (default: 1 January)"),
               ("end", "query", "string", "Last day, YYYY-MM-DD (default: today)")),
       summary="Figures of your area (staff): children by area (district, or town inside a district) and "
               "category, needs by dimension and status now; services in the period (visits and done activities: "
               "services, person-times = children served, hours = helpers' service time) by type, form, "
               "content, month and area; "
               "volunteers, micro-wishes and gift packs in the period; headline figures against the previous "
               "period of the same length")
def stats():
    first, last = services.period(request.args.get("start"), request.args.get("end"))
    return ok(as_dict(services.figures(user(), first, last)))
