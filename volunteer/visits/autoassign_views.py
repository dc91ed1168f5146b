"""Auto-assign pages (staff): choose needs, start the job, watch its progress, edit and confirm.

    GET/POST /visits/auto               choose needs (town, service type, rhythm; or checkboxes), start;
                                        above, the coordinator's proposals ready to check and confirm
    GET      /visits/auto/<rq_id>       progress, then the proposal: per helper, filtered, 20 a page
                                        (htmx: the block "result" of autoassign_run.html)
    POST     /visits/auto/<rq_id>/choices   keep the ticks and picks of the visits a page showed
    POST     /visits/auto/<rq_id>/confirm   the same, then send the chosen visits' offers in a job
A proposal is its owner's only (others: 404). Bad input: the form again with a message, status 422.
The choices are kept on the server (proposal_page), so paging and filtering neither drop nor add a visit.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import access
from ..access import staff_required
from ..children.validation import InvalidInput
from ..extensions import db
from ..geo import services as geo
from ..needs.models import RHYTHMS, SERVICE_TYPES
from ..numbers import parse_int
from ..rendering import render, wants_fragment
from . import autoassign, proposal_page, proposals
from .proposal_page import WHY  # noqa: F401  (the reasons' words, imported from here by tests)
from .views import bp

SHOWN = 300  # needs listed with checkboxes; "all matching" covers more


def _towns() -> dict:
    """Towns in the coordinator's scope: code -> "district · town"."""
    prefix = access.scope_prefix(current_user) or ""
    out = {}
    for d in geo.districts():
        if not (d.code.startswith(prefix) or prefix.startswith(d.code)):
            continue
        for t in geo.towns(d.code):
            if t.code.startswith(prefix) or prefix == d.code or not prefix:
                out[t.code] = f"{d.name} · {t.name}"
    return out


def _filters(form) -> dict:
    towns = _towns()
    town = form.get("town") if form.get("town") in towns else ""
    service = form.get("service") if form.get("service") in SERVICE_TYPES else ""
    rhythm = form.get("rhythm") if form.get("rhythm") in RHYTHMS else ""
    return {"town": town, "service": service, "rhythm": rhythm, "towns": towns}


def _needs(f) -> list:
    return autoassign.needs_for(current_user, town_code=f["town"] or None,
                                service_types=[f["service"]] if f["service"] else (), rhythm=f["rhythm"] or None)


@bp.route("/visits/auto", methods=["GET", "POST"])
@staff_required
def autoassign_start():
    """Choose the needs to auto-assign (a town, a service type, a rhythm; then tick) and start the job."""
    form = request.form if request.method == "POST" else request.args
    f = _filters(form)
    errors = {}
    searched = request.method == "POST" or any(k in form for k in ("town", "service", "rhythm"))
    needs = _needs(f) if searched else []
    if request.method == "POST":
        ids = [n.id for n in needs] if form.get("scope") == "all" else \
            [int(v) for v in form.getlist("need") if str(v).isdigit()]
        try:
            rec = autoassign.start(current_user, ids, max_km=form.get("max_km", autoassign.DEFAULT_KM))
        except InvalidInput as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            url = url_for("visits.autoassign_run", rq_id=rec.rq_id)
            if wants_fragment():
                return "", 200, {"HX-Redirect": url}
            return redirect(url)
    rows = [proposal_page.need_row(n) for n in needs[:SHOWN]]
    return render_template("visits/autoassign.html", f=f, form=form, rows=rows, total=len(needs), shown=SHOWN,
                           searched=searched, ready=proposals.ready_for(current_user),
                           ready_total=proposals.ready_count(current_user),
                           errors=errors, services=SERVICE_TYPES, rhythms=RHYTHMS,
                           max_km=form.get("max_km", autoassign.DEFAULT_KM)), 422 if errors else 200


def _load(rq_id) -> proposals.Loaded:
    try:
        return proposals.load(current_user, rq_id)
    except proposals.ProposalNotFound:
        abort(404)


def _view(args) -> dict:
    """The filter and page asked for (unknown values: none)."""
    return {"town": str(args.get("town", ""))[:12], "service": args.get("service", "") if args.get("service") in
            SERVICE_TYPES else "", "helper": str(args.get("helper", ""))[:12],
            "page": parse_int(args.get("page"), 1, 100_000) or 1}


def _result(rq_id, args, status=200):
    """The run's page, or for htmx its block "result"."""
    ctx = proposal_page.present(current_user, _load(rq_id), **_view(args))
    return render("visits/autoassign_run.html", block="result", **ctx), status


@bp.get("/visits/auto/<rq_id>")
@staff_required
def autoassign_run(rq_id):
    """The run's progress bar, then its proposal (per helper, filters, paged); while its offers are sent,
    that job's progress."""
    return _result(rq_id, request.args)


def _choose(rq_id):
    """Keep the choices of the visits the form showed ("shown"; a form without it showed them all)."""
    f = request.form
    loaded = _load(rq_id)
    items = loaded.proposal["items"] if loaded.proposal else []
    shown = [n for n in (parse_int(v, 1) for v in f.getlist("shown")) if n is not None] if "shown" in f else \
        [i["need"] for i in items]
    keep = {parse_int(v, 1) for v in f.getlist("keep")} - {None}
    picks = {i["need"]: [n for n in (parse_int(f.get(f"v-{i['need']}-{j}"), 1) for j in range(len(i["volunteers"])))
                         if n is not None] for i in items if i["need"] in shown}
    return proposal_page.choose(current_user, rq_id, shown, keep, picks)


@bp.post("/visits/auto/<rq_id>/choices")
@staff_required
def autoassign_choose(rq_id):
    """Keep this page's ticks and picks; the page again (htmx: its result block) with the new totals."""
    try:
        _choose(rq_id)
    except InvalidInput as exc:
        db.session.rollback()
        flash(" ".join(str(v) for v in exc.errors.values()), "error")
    if wants_fragment():
        return _result(rq_id, request.form)
    view = {k: v for k, v in _view(request.form).items() if v and v != 1}
    return redirect(url_for("visits.autoassign_run", rq_id=rq_id, **view))


@bp.post("/visits/auto/<rq_id>/confirm")
@staff_required
def autoassign_confirm(rq_id):
    """Keep this page's choices, then send the offers of every chosen visit (on every page) in a job; the
    page then shows its progress."""
    if _load(rq_id).proposal is None:
        abort(404)
    try:
        choices = _choose(rq_id)
        proposals.start_confirm(current_user, rq_id, drop=choices.drop, changes=choices.changes)
    except InvalidInput as exc:
        db.session.rollback()
        flash(" ".join(str(v) for v in exc.errors.values()), "error")
    return redirect(url_for("visits.autoassign_run", rq_id=rq_id))
