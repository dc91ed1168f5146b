"""Forms for hubs (staff, in their scope) and pack kinds (city-wide staff): add, change, retire."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access
from ..access import staff_required
from ..extensions import db
from . import services, setup
from .models import PackKind
from .services import HubNotFound
from .stock import LogisticsError
from .views import _hub, _index, bp


@bp.post("/logistics/hubs")
@staff_required
def add_hub():
    try:
        hub = setup.add_hub(current_user, request.form)
    except LogisticsError as exc:
        return _index(exc.message, 422, form="hub")
    flash(_("The hub is added."), "success")
    return redirect(url_for("logistics.hub", hub_id=hub.id))


@bp.post("/logistics/kinds")
@staff_required
def add_kind():
    try:
        setup.add_kind(current_user, request.form)
    except PermissionError:
        abort(403)
    except LogisticsError as exc:
        return _index(exc.message, 422, form="kind")
    flash(_("The pack kind is added."), "success")
    return redirect(url_for("logistics.index") + "#kinds-title")


@bp.post("/logistics/hubs/<int:hub_id>/edit")
@staff_required
def edit_hub(hub_id):
    """Change a hub's name, point or supervisor; retire it or bring it back."""
    try:
        hub = services.get_hub(current_user, hub_id)
        setup.edit_hub(current_user, hub, request.form)
    except HubNotFound:
        abort(404)
    except LogisticsError as exc:
        return _hub(hub_id, exc.message, 422, form="edit")
    flash(_("Saved."), "success")
    return redirect(url_for("logistics.hub", hub_id=hub_id))


@bp.route("/logistics/kinds/<int:kind_id>", methods=["GET", "POST"])
@staff_required
def edit_kind(kind_id):
    """A pack kind's page: change its name, contents and rules, or retire it (city-wide staff)."""
    if db.session.get(PackKind, kind_id) is None:
        abort(404)
    error = None
    if request.method == "POST":
        try:
            setup.edit_kind(current_user, kind_id, request.form)
        except PermissionError:
            abort(403)
        except LogisticsError as exc:
            db.session.rollback()
            error = exc.message
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("logistics.index") + "#kinds-title")
    return render_template("logistics/kind.html", kind=db.session.get(PackKind, kind_id), error=error,
                           values=request.form if error else None, sizes=setup.SIZES,
                           may_edit=access.city_wide(current_user)), 422 if error else 200
