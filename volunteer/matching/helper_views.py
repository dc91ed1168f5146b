"""Coordinators' matching pages: find helpers (for a need or a child) and coverage (blueprint `matching`).

These routes attach to the blueprint of views.py on import; views.register() imports this module before
registering the blueprint. Staff only (others 403, anonymous to the login page); a need or child outside
the coordinator's scope answers exactly like a missing one (404). Bad input (a distance that is not a
number or out of range) gets a clear message with status 422, never a 500.
"""
import math
from urllib.parse import urlencode

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from ..access import staff_required
from ..children.cards import town_name
from ..children.services import ChildNotFound
from ..needs.models import SERVICE_TYPES
from ..numbers import parse_int
from ..rendering import render, wants_fragment
from . import coverage as coverage_service
from . import helpers as helper_service
from .views import bp


def _map_config() -> dict:
    cfg = current_app.config
    return {"map_tiles": cfg.get("MAP_TILES", ""), "map_tiles_crs": cfg.get("MAP_TILES_CRS", "wgs84"),
            "map_attribution": cfg.get("MAP_ATTRIBUTION", "")}


def _distance_arg(name: str, default: float, low: float, high: float) -> tuple[float, str, str | None]:
    """(value, the text as typed, error message or None) of a distance in km from the query string."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default, _number_text(default), None
    try:
        value = float(raw[:20])
    except ValueError:
        return default, raw[:20], _("Enter a distance in km.")
    if not math.isfinite(value):
        return default, raw[:20], _("Enter a distance in km.")
    if not low <= value <= high:
        return default, raw[:20], _("Choose between %(low)s and %(high)s km.", low=_number_text(low),
                                    high=_number_text(high))
    return value, _number_text(value), None


def _number_text(value: float) -> str:
    return f"{value:g}"


def _child_url(ref: str) -> str | None:
    try:
        return url_for("children.show", ref=ref)
    except BuildError:
        return None


# --- find helpers -----------------------------------------------------------------------------------

def _helpers_page(lookup, ranking_for, page_url: str, subject: dict):
    km, km_text, error = _distance_arg("max_km", helper_service.DEFAULT_KM, helper_service.MIN_KM,
                                       helper_service.MAX_KM)
    try:
        # With bad input the record is still looked up, so a missing or out-of-scope one answers 404
        # whatever the query string says.
        ranking = lookup() if error else ranking_for(km)
    except ChildNotFound:
        abort(404)
    context = dict(ranking=None if error else ranking, error=error, km_text=km_text, page_url=page_url,
                   weights=helper_service.WEIGHTS, labels=helper_service.COMPONENT_LABELS,
                   service_types=SERVICE_TYPES, subject=subject, child_url=None)
    if not error:
        child = ranking.child
        context["child_url"] = _child_url(child.ref)
        context["place"] = " · ".join(n for n in (town_name(child.town_code), town_name(child.district_code)) if n)
    # The best SHOWN first; "show more" appends the next ones (a list of 60 helpers was 9,600 px on a phone).
    page = parse_int(request.args.get("page"), 1, 1000) or 1
    end = page * SHOWN
    listed = context["ranking"] or []
    context.update(shown=listed[end - SHOWN:end], first=end - SHOWN + 1, more_count=min(SHOWN, len(listed) - end),
                   more_url=_more_url(page_url, km_text, page + 1) if len(listed) > end else None)
    context.update(_checks(context["shown"]))
    block = "more" if page > 1 else "rows"
    return render("matching/helpers.html", block=block, **context), 422 if error else 200


SHOWN = 10


def _checks(shown) -> dict:
    """Each shown helper's safeguarding check (a team: members without one), and whether visits need it."""
    from ..safeguarding import services as safeguarding

    return {"checks": safeguarding.states([c.id for c in shown if c.kind == "volunteer"]),
            "team_checks": safeguarding.teams_missing([c.id for c in shown if c.kind == "organisation"], purpose=None),
            "check_required": safeguarding.settings.is_required(safeguarding.settings.VISIT)}


def _more_url(page_url: str, km_text: str, page: int) -> str:
    return f"{page_url}?{urlencode({'max_km': km_text, 'page': page})}"


@bp.get("/needs/<int:need_id>/helpers")
@staff_required
def need_helpers(need_id):
    """Volunteers and organisations ranked for one need, each with its reasons; htmx: only the rows."""
    return _helpers_page(lambda: helper_service.need_for_helpers(current_user, need_id),
                         lambda km: helper_service.rank_helpers(current_user, need_id, max_km=km),
                         url_for("matching.need_helpers", need_id=need_id), {"kind": "need", "need_id": need_id})


@bp.get("/children/<ref>/helpers")
@staff_required
def child_helpers(ref):
    """Volunteers and organisations ranked for all of a child's open needs; htmx: only the rows."""
    return _helpers_page(lambda: helper_service.child_for_helpers(current_user, ref[:20]),
                         lambda km: helper_service.rank_for_child(current_user, ref[:20], max_km=km),
                         url_for("matching.child_helpers", ref=ref[:20]), {"kind": "child"})


# --- coverage ---------------------------------------------------------------------------------------

@bp.get("/coverage")
@staff_required
def coverage():
    """Towns where open needs have no volunteer within km: a table and a map (markers: uncovered needs)."""
    km, km_text, error = _distance_arg("km", coverage_service.DEFAULT_KM, coverage_service.MIN_KM,
                                       coverage_service.MAX_KM)
    rows = [] if error else coverage_service.coverage(current_user, km)
    context = dict(rows=rows, error=error, km_text=km_text,
                   total_open=sum(r.open_needs for r in rows), total_uncovered=sum(r.uncovered for r in rows),
                   marked=[r for r in rows if r.uncovered and r.lat is not None], **_map_config())
    return render_template("matching/coverage.html", **context), 422 if error else 200
