"""Matching pages: "near me" for volunteers and help offers (blueprint `matching`).

Other matching pages (find helpers, coverage) add their routes to this same blueprint in
helper_views.py (`from .views import bp`), imported by register() before the blueprint is registered.
"""
import importlib
import importlib.util

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..access import roles_required, staff_required
from ..children.validation import InvalidInput
from ..needs.rules import NotAllowed
from ..needs.views import child_url
from ..rendering import render, wants_fragment
from . import nearme, nearwords, offers as offer_services
from .offers import OFFER_STATUSES, OfferNotFound

bp = Blueprint("matching", __name__)


def register(app):
    """Register the matching blueprint (with the routes other modules attach to it)."""
    # find-helpers / coverage routes live in helper_views.py and attach themselves to bp on import.
    if importlib.util.find_spec(f"{__package__}.helper_views") is not None:
        importlib.import_module(f"{__package__}.helper_views")
    app.register_blueprint(bp)


def _map_config() -> dict:
    cfg = current_app.config
    return {"map_tiles": cfg.get("MAP_TILES", ""), "map_tiles_crs": cfg.get("MAP_TILES_CRS", "wgs84"),
            "map_attribution": cfg.get("MAP_ATTRIBUTION", "")}


# --- near me ----------------------------------------------------------------------------------------

@bp.get("/near")
@roles_required("volunteer")
def near():
    """Open needs near the volunteer, nearest first, as numbered cards and a map with the same numbers.

    One URL for the page and its fragments: htmx gets the block "results" of matching/near.html (page 1:
    the map and the list, replacing the results; a later page: only its cards, appended).
    """
    error, field = None, None
    user = current_user._get_current_object()  # the model itself: every attribute through the proxy costs
    try:
        q = nearme.parse_query(user, request.args)
    except nearme.NearInputError as exc:
        error, field = exc.message, exc.field
        q = nearme.form_only(request.args)
    results = nearme.near_needs(user, q) if error is None else nearme.NearPage()
    fragment = wants_fragment()
    context = dict(q=q, results=results, error=error, error_field=field, append=fragment and q.page > 1,
                   fragment=fragment, first_num=(q.page - 1) * results.per_page + 1,
                   filter_words=nearwords.filter_summary(q), has_home=nearwords.has_home(user),
                   labels=nearme.card_labels(), offer_form=_offer_form() if results else None, **_map_config())
    areas = [] if fragment else nearme.area_choices()
    return render("matching/near.html", block="results", areas=areas, **context), 422 if error else 200


def _offer_form() -> tuple:
    """What every card's offer button shares, made once a page: the offer URL before and after the need
    id, the "my offers" URL and the CSRF token."""
    marker = 987654321
    before, after = url_for("matching.offer", need_id=marker).split(str(marker), 1)
    return before, after, url_for("matching.offers"), generate_csrf()


@bp.post("/near/needs/<int:need_id>/offer")
@roles_required("volunteer")
def offer(need_id):
    """Offer to help with a need; htmx gets the card's button in its "offered" state."""
    try:
        made = offer_services.offer_help(current_user, need_id, request.form.get("message"))
    except OfferNotFound:
        if not wants_fragment():
            abort(404)
        # On the card: say so in place (htmx swaps 422 answers; the same words whether the need was
        # taken, closed or never existed).
        return _offer_button(need_id, None, _("This need is no longer open for offers.")), 422
    except NotAllowed:
        abort(403)
    except InvalidInput as exc:
        message = next(iter(exc.errors.values()))
        if wants_fragment():
            return _offer_button(need_id, None, message), 422
        flash(str(message), "error")
        return redirect(url_for("matching.near"))
    if wants_fragment():
        return _offer_button(need_id, made.status, None)
    flash(_("Thank you! Your offer was sent to the coordinator."), "success")
    return redirect(url_for("matching.offers"))


def _offer_button(need_id: int, status: str | None, error) -> str:
    """One card's offer control (the block "offer_button" of matching/near.html)."""
    return render("matching/near.html", block="offer_button", need_id=need_id, offer_status=status,
                  offer_error=error)


# --- offers -----------------------------------------------------------------------------------------

@bp.get("/offers")
@roles_required("volunteer", "coordinator", "admin")
def offers():
    """A volunteer's own offers; staff: the pending offers in their scope, to accept or decline."""
    staff = current_user.is_staff
    rows = offer_services.pending_for(current_user) if staff else offer_services.offers_of(current_user)
    return render("matching/offers.html", rows=rows, staff=staff, statuses=OFFER_STATUSES,
                  child_link=child_url if staff else None,
                  total=offer_services.pending_count(current_user) if staff else len(rows))


@bp.post("/offers/<int:offer_id>/withdraw")
@roles_required("volunteer")
def withdraw(offer_id):
    """The volunteer takes back a pending offer."""
    error = None
    try:
        offer_services.withdraw(current_user, offer_id)
    except OfferNotFound:
        abort(404)
    except InvalidInput as exc:
        error = next(iter(exc.errors.values()))
    if wants_fragment():
        row = offer_services.row_for(current_user, offer_id)
        return render("matching/offers.html", block="list", row=row, staff=False, statuses=OFFER_STATUSES,
                      error=error), 422 if error else 200
    flash(str(error) if error else _("Your offer was withdrawn."), "error" if error else "success")
    return redirect(url_for("matching.offers"))


@bp.post("/offers/<int:offer_id>/decide")
@staff_required
def decide(offer_id):
    """Staff accept or decline a pending offer; htmx gets the refreshed list of pending offers."""
    decision = (request.form.get("decision") or "").strip()
    error = None
    try:
        offer_services.offer_for_staff(current_user, offer_id)
        if decision not in ("accept", "decline"):
            raise InvalidInput({"decision": _("Choose to accept or decline the offer.")})
        offer_services.decide(current_user, offer_id, decision == "accept")
    except OfferNotFound:
        abort(404)
    except InvalidInput as exc:
        error = next(iter(exc.errors.values()))
    done = None
    if error is None:
        done = _("Offer accepted; the need is now assigned.") if decision == "accept" else _("Offer declined.")
    if wants_fragment():
        rows = offer_services.pending_for(current_user)
        return render("matching/offers.html", block="list", rows=rows, staff=True, statuses=OFFER_STATUSES,
                      error=error, done=done, oob=True, child_link=child_url), 422 if error else 200
    flash(str(error or done), "error" if error else "success")
    return redirect(url_for("matching.offers"))
