"""Logistics pages for staff: hubs and their stock, campaigns with allocation, packing lists and runs."""
import io
import secrets

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from .. import access
from ..access import staff_required
from ..children.models import CATEGORIES
from ..numbers import parse_int
from ..rendering import render, wants_fragment
from ..validation import display_phone
from . import allocation, campaigns, packing, run_groups, services, setup, stock
from .drivers import RUN_BADGES, RUN_STATES
from .campaigns import CampaignNotFound
from .models import ALLOCATION_STATUSES, CAMPAIGN_STATUSES, FAMILIES, HUB_KINDS, MOVEMENTS, STOP_STATUSES
from .runs import RunNotFound
from .services import HubNotFound
from .stock import LogisticsError

bp = Blueprint("logistics", __name__)


def register(app):
    """Register the blueprint (the drivers' pages attach to it from driver_views)."""
    from . import driver_views, setup_views  # noqa: F401

    app.register_blueprint(bp)


bp.record_once(lambda state: state.app.jinja_env.globals.update(logistics_vocab={
    "hub_kinds": HUB_KINDS, "families": FAMILIES, "movements": MOVEMENTS, "campaign": CAMPAIGN_STATUSES,
    "allocation": ALLOCATION_STATUSES, "stop": STOP_STATUSES, "categories": CATEGORIES,
    "campaign_badges": {"open": "badge-info", "proposed": "badge-warn", "confirmed": "badge-ok", "closed": "badge-muted"},
    "stop_badges": {"pending": "badge-info", "delivered": "badge-ok", "missed": "badge-warn"},
    "run_states": RUN_STATES, "run_badges": RUN_BADGES}))


@bp.get("/logistics")
@staff_required
def index():
    """Hubs in scope with their stock, pack kinds, campaigns and the form to open one."""
    return _index()


def _index(error=None, status=200, form="campaign"):
    """The page; error belongs to one of its forms (campaign, hub or kind), whose values come back."""
    from ..geo import services as geo

    prefix = access.scope_prefix(current_user) or ""
    towns = [t for d in geo.districts() if d.code.startswith(prefix[:6]) for t in geo.towns(d.code)
             if t.code.startswith(prefix)]
    return render("logistics/index.html", hubs=services.visible_hubs(current_user), kinds=services.kinds(),
                           campaigns=campaigns.visible_campaigns(current_user), error=error, error_form=form,
                           values=request.form if error else {}, towns=towns, sizes=setup.SIZES,
                           may_add_kinds=access.city_wide(current_user)), status


@bp.post("/logistics/campaigns")
@staff_required
def open_campaign():
    try:
        campaign = campaigns.open_campaign(current_user, request.form)
    except LogisticsError as exc:
        return _index(exc.message, 422)
    flash(_("The campaign is open. Start the allocation when the stock is in."), "success")
    return redirect(url_for("logistics.campaign", campaign_id=campaign.id))


# --- hubs -------------------------------------------------------------------------------------------

@bp.get("/logistics/hubs/<int:hub_id>")
@staff_required
def hub(hub_id):
    """A hub's stock per kind, its ledger, and the movement form."""
    return _hub(hub_id)


def _hub(hub_id, error=None, status=200, form="move"):
    try:
        h = services.get_hub(current_user, hub_id)
    except HubNotFound:
        abort(404)
    others = [o for o in services.visible_hubs(current_user) if o.id != h.id and o.active]
    edit = request.form if error and form == "edit" else {
        "name": h.name, "lat": f"{h.lat:.6f}", "lon": f"{h.lon:.6f}", "active": "1" if h.active else "",
        "supervisor_phone": display_phone(h.supervisor.phone) if h.supervisor else ""}
    return render("logistics/hub.html", hub=h, stock=stock.stock_rows(h.id), ledger=stock.ledger(h.id),
                           kinds=services.kinds(), others=others, error=error, error_form=form,
                           form_key=secrets.token_hex(8), values=request.form if error else {}, ev=edit), status


@bp.post("/logistics/hubs/<int:hub_id>/movements")
@staff_required
def move(hub_id):
    """Record packs received, an adjustment (count after stock-taking) or a transfer to another hub."""
    try:
        h = services.get_hub(current_user, hub_id)
        target = request.form.get("to_hub_id")
        if request.form.get("movement") == "transfer" and target:
            services.get_hub(current_user, parse_int(target, 1) or 0)
        n = stock.move(current_user, h, request.form, request.form.get("form_key", ""))
    except HubNotFound:
        return _hub(hub_id, _("Choose another hub to send the packs to."), 422)
    except LogisticsError as exc:
        return _hub(hub_id, exc.message, 422)
    flash(_("%(n)s packs recorded.", n=n), "success")
    return redirect(url_for("logistics.hub", hub_id=hub_id))


# --- campaigns --------------------------------------------------------------------------------------

@bp.get("/logistics/campaigns/<int:campaign_id>")
@staff_required
def campaign(campaign_id):
    """The campaign's state (allocation, packing lists, planning) and its runs grouped by hub.

    htmx asks for the part that polls while a job runs (block campaign_state), or for one hub's group at
    another page (?hub=&page=, block hub_runs).
    """
    return _campaign(campaign_id)


def _campaign(campaign_id, error=None, status=200, assign=None):
    """The page; assign: a refused bulk assignment ({hub_id, error, field, phone, ticked}) shown in its group."""
    try:
        c = campaigns.get_campaign(current_user, campaign_id)
    except CampaignNotFound:
        abort(404)
    jobs = {name: services.job(getattr(c, f"{name}_job")) for name in ("allocation", "packing", "routing")}
    busy = any(j is not None and j.status in ("pending", "queued", "started") for j in jobs.values())
    open_hub = parse_int(request.values.get("hub") if assign is None else (assign or {}).get("hub_id"), 1)
    groups = run_groups.hub_groups(c.id, {open_hub: parse_int(request.values.get("page"), 1) or 1})
    run_count = sum(g.total for g in groups)
    seen = request.args.get("seen")
    if wants_fragment() and seen is not None and parse_int(seen, 0) != run_count:
        return "", 200, {"HX-Refresh": "true"}  # planning made runs: the whole page shows them
    hub_rows = campaigns.summary(c)
    files = {h.id: {ext: packing.file_for(c, h.id, ext) is not None for ext in ("csv", "pdf")}
             for h, _k, _n in hub_rows["per_hub"]}
    group = next((g for g in groups if g.hub.id == open_hub), None)
    block = "hub_runs" if group is not None and request.args.get("hub") else "campaign_state"
    return render("logistics/campaign.html", block=block, campaign=c, jobs=jobs, busy=busy, summary=hub_rows,
                  files=files, groups=groups, group=group, run_count=run_count, open_hub=open_hub,
                  unassigned_count=sum(g.unassigned for g in groups), assign=assign or {}, error=error,
                  may_assign={g.hub.id: access.hub_in_scope(current_user, g.hub) for g in groups},
                  run_facts=run_groups.run_facts, run_states=RUN_STATES, run_badges=RUN_BADGES), status


def _campaign_action(campaign_id, action, done_message):
    try:
        action()
    except CampaignNotFound:
        abort(404)
    except LogisticsError as exc:
        return _campaign(campaign_id, exc.message, 422)
    if done_message:
        flash(done_message, "success")
    return redirect(url_for("logistics.campaign", campaign_id=campaign_id))


@bp.post("/logistics/campaigns/<int:campaign_id>/allocate")
@staff_required
def allocate(campaign_id):
    return _campaign_action(campaign_id, lambda: services.start_allocation(current_user, campaign_id),
                            _("The allocation has started."))


@bp.post("/logistics/campaigns/<int:campaign_id>/confirm")
@staff_required
def confirm(campaign_id):
    return _campaign_action(campaign_id, lambda: allocation.confirm(current_user, campaign_id),
                            _("The allocation is confirmed."))


@bp.post("/logistics/campaigns/<int:campaign_id>/cancel")
@staff_required
def cancel(campaign_id):
    return _campaign_action(campaign_id, lambda: allocation.cancel(current_user, campaign_id),
                            _("The proposal is cancelled; its packs are back in stock."))


@bp.post("/logistics/campaigns/<int:campaign_id>/packing")
@staff_required
def make_packing(campaign_id):
    return _campaign_action(campaign_id, lambda: services.start_packing(current_user, campaign_id),
                            _("The packing lists are being made."))


@bp.post("/logistics/campaigns/<int:campaign_id>/runs")
@staff_required
def plan_runs(campaign_id):
    return _campaign_action(campaign_id, lambda: services.start_planning(
        current_user, campaign_id, request.form.get("capacity")), _("The delivery runs are being planned."))


@bp.get("/logistics/campaigns/<int:campaign_id>/hubs/<int:hub_id>/packing.<ext>")
@staff_required
def packing_file(campaign_id, hub_id, ext):
    """Download a hub's packing list (PDF or CSV) written by the packing-list job."""
    try:
        c = campaigns.get_campaign(current_user, campaign_id)
    except CampaignNotFound:
        abort(404)
    path = packing.file_for(c, hub_id, ext)
    if path is None:
        message = c.packing_error if ext == "pdf" and c.packing_error else _(
            "This packing list is not ready. Make the packing lists first.")
        return _campaign(campaign_id, message, 404)
    name = f"packing-{c.id}-hub-{hub_id}.{ext}"
    if ext == "csv":
        return send_file(io.BytesIO(packing.reader_csv(path)), mimetype="text/csv", as_attachment=True,
                         download_name=name, max_age=0)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=name, max_age=0)


@bp.post("/logistics/campaigns/<int:campaign_id>/drivers")
@staff_required
def assign_drivers(campaign_id):
    """Give one driver the ticked runs of a hub, or all its runs without a driver (scope=unassigned)."""
    hub_id = parse_int(request.form.get("hub_id"), 1)
    ticked = request.form.getlist("run_ids")
    try:
        done = run_groups.assign_drivers(current_user, campaign_id, request.form.get("phone"), run_ids=ticked,
                                         hub_id=hub_id if request.form.get("scope") == "unassigned" else None)
    except (CampaignNotFound, RunNotFound):
        abort(404)
    except LogisticsError as exc:
        return _campaign(campaign_id, status=422, assign={
            "hub_id": hub_id, "error": exc.message, "field": exc.field, "phone": request.form.get("phone", ""),
            "ticked": {parse_int(t, 1) for t in ticked}})
    message = ngettext("%(num)s run is now driven by %(name)s.", "%(num)s runs are now driven by %(name)s.",
                       done.count, name=done.driver.name)
    if done.replaced:
        message += " " + ngettext("%(num)s of them had another driver before.",
                                  "%(num)s of them had another driver before.", done.replaced)
    flash(message, "success")
    return redirect(url_for("logistics.campaign", campaign_id=campaign_id, hub=hub_id,
                            page=parse_int(request.form.get("page"), 1)) + f"#hub-{hub_id}")
