"""Drivers' pages on the phone: my runs, a run's route (map and list), confirming drops, finishing a run;
and, for staff, giving one run to a driver on its page."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import staff_required
from ..extensions import db
from ..rendering import render, wants_fragment
from . import runs
from .drivers import run_state
from .models import Stop
from .runs import RunNotFound
from .stock import LogisticsError
from .views import bp


def _map_config() -> dict:
    cfg = current_app.config
    return {"map_tiles": cfg.get("MAP_TILES", ""), "map_tiles_crs": cfg.get("MAP_TILES_CRS", "wgs84"),
            "map_attribution": cfg.get("MAP_ATTRIBUTION", "")}


@bp.get("/deliveries")
@login_required
def deliveries():
    """The runs given to me: those still to drive first, then the finished ones."""
    mine = runs.my_runs(current_user)
    return render("logistics/deliveries.html", to_drive=[r for r in mine if r.status == "planned"],
                  done=[r for r in mine if r.status != "planned"], run_state=run_state)


def _run_page(r, error=None, status=200):
    staff_view = current_user.is_staff and r.driver_id != current_user.id
    return render("logistics/run.html", run=r, state=run_state(r), stop_label=runs.stop_label, error=error,
                  show_codes=staff_view, may_assign=current_user.is_staff,
                  phone=request.form.get("phone", "") if error else "", **_map_config()), status


@bp.get("/deliveries/<int:run_id>")
@login_required
def run(run_id):
    """One run: the hub, the stops in order on a map and as a list, a receipt-code form per stop."""
    try:
        r = runs.get_run(current_user, run_id)
    except RunNotFound:
        abort(404)
    return _run_page(r)


@bp.post("/logistics/runs/<int:run_id>/driver")
@staff_required
def assign_driver(run_id):
    """Give one run to a driver by their mobile number (also hands over a run under way)."""
    try:
        r = runs.get_run(current_user, run_id)
        runs.assign_driver(current_user, run_id, request.form.get("phone"))
    except RunNotFound:
        abort(404)
    except LogisticsError as exc:
        db.session.rollback()
        return _run_page(runs.get_run(current_user, run_id), exc.message, 422)
    flash(_("The driver is assigned."), "success")
    return redirect(url_for("logistics.run", run_id=r.id))


@bp.post("/deliveries/stops/<int:stop_id>/confirm")
@login_required
def confirm_drop(stop_id):
    """Confirm a drop with the child director's receipt code (htmx: the stop's card comes back)."""
    error = None
    try:
        stop = runs.confirm_drop(current_user, stop_id, request.form.get("code", ""))
    except RunNotFound:
        abort(404)
    except LogisticsError as exc:
        error = exc.message
        stop = db.session.get(Stop, stop_id)
    if wants_fragment():
        return render("logistics/run.html", block="stop", stop=stop, run=stop.run, error=error,
                      stop_label=runs.stop_label,
                      show_codes=current_user.is_staff and stop.run.driver_id != current_user.id), 422 if error else 200
    if error:
        flash(error, "error")
    else:
        flash(_("Delivered: %(place)s.", place=runs.stop_label(stop)), "success")
    return redirect(url_for("logistics.run", run_id=stop.run_id) + f"#stop-{stop.id}")


@bp.post("/deliveries/<int:run_id>/finish")
@login_required
def finish(run_id):
    """End the run; packs of stops not delivered go back to the hub's stock."""
    try:
        back = runs.finish(current_user, run_id)
    except RunNotFound:
        abort(404)
    flash(_("The run is finished. %(n)s packs not delivered went back to stock.", n=back), "success")
    return redirect(url_for("logistics.run", run_id=run_id))
