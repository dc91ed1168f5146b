"""Drivers' pages on the phone: my runs, a run's route (map and list), confirming drops, finishing a run."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from . import runs
from .runs import RunNotFound
from .stock import LogisticsError
from .views import bp, htmx


def _map_config() -> dict:
    cfg = current_app.config
    return {"map_tiles": cfg.get("MAP_TILES", ""), "map_tiles_crs": cfg.get("MAP_TILES_CRS", "wgs84"),
            "map_attribution": cfg.get("MAP_ATTRIBUTION", "")}


@bp.get("/deliveries")
@login_required
def deliveries():
    """The runs given to me."""
    return render_template("logistics/deliveries.html", runs=runs.my_runs(current_user))


@bp.get("/deliveries/<int:run_id>")
@login_required
def run(run_id):
    """One run: the hub, the stops in order on a map and as a list, a receipt-code form per stop."""
    try:
        r = runs.get_run(current_user, run_id)
    except RunNotFound:
        abort(404)
    return render_template("logistics/run.html", run=r, stop_label=runs.stop_label,
                           show_codes=current_user.is_staff and r.driver_id != current_user.id, **_map_config())


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
        from ..extensions import db
        from .models import Stop

        stop = db.session.get(Stop, stop_id)
    if htmx():
        return render_template("logistics/_stop.html", stop=stop, run=stop.run, error=error,
                               stop_label=runs.stop_label), 422 if error else 200
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
