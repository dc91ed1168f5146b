"""Forms on the logistics page: add a hub (staff, in their scope) or a pack kind (city-wide staff)."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import staff_required
from . import setup
from .stock import LogisticsError
from .views import _index, bp


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
