"""Auto-assign pages (staff): choose needs, start the job, watch its progress, edit and confirm.

    GET/POST /visits/auto               choose needs (town, service type, rhythm; or checkboxes), start
    GET      /visits/auto/<rq_id>       progress, then the proposal (htmx: the result fragment)
    POST     /visits/auto/<rq_id>/confirm   send the kept pairs' offers in a job (nothing goes out before)
A proposal is its owner's only (others: 404). Bad input: the form again with a message, status 422.
"""
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import access
from ..access import staff_required
from ..accounts.models import User
from ..children.cards import pseudonym
from ..children.validation import InvalidInput
from ..extensions import db
from ..geo import services as geo
from ..needs.models import RHYTHMS, SERVICE_TYPES, Need
from ..orgs.models import Organisation
from ..volunteers.skills import SKILLS
from . import autoassign, proposals
from .autoassign_problem import TZ
from .views import bp

RUNNING = ("pending", "queued", "started")
SHOWN = 300  # needs listed with checkboxes; "all matching" covers more
WHY = {
    "no_place": _l("The child has no location on record."),
    "no_window": _l("The need's time window has no day in the weeks planned."),
    "nobody_in_range": _l("No volunteer or team within %(km)s km."),
    "no_skill": _l("No one with the required skills (credentials verified) within %(km)s km."),
    "no_time": _l("No one with the skills within %(km)s km is free in the need's time window."),
    "no_partner": _l("No second adult with the skills and a shared free time within %(km)s km (a home visit "
                     "needs two adults)."),
    "no_capacity": _l("All %(n)s suitable helpers within %(km)s km have no visits left in this period."),
}


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
            if request.headers.get("HX-Request") == "true":
                return "", 200, {"HX-Redirect": url}
            return redirect(url)
    rows = [_need_row(n) for n in needs[:SHOWN]]
    return render_template("visits/autoassign.html", f=f, form=form, rows=rows, total=len(needs), shown=SHOWN,
                           searched=searched,
                           errors=errors, services=SERVICE_TYPES, rhythms=RHYTHMS,
                           max_km=form.get("max_km", autoassign.DEFAULT_KM)), 422 if errors else 200


def _need_row(n) -> dict:
    return {"id": n.id, "child": pseudonym(n.child.ref), "ref": n.child.ref, "town": geo.name_of(n.child.town_code),
            "service": SERVICE_TYPES.get(n.service_type, n.service_type), "rhythm": RHYTHMS.get(n.rhythm, n.rhythm),
            "window": (n.window_start, n.window_end)}


def _load(rq_id) -> proposals.Loaded:
    try:
        return proposals.load(current_user, rq_id)
    except proposals.ProposalNotFound:
        abort(404)


@bp.get("/visits/auto/<rq_id>")
@staff_required
def autoassign_run(rq_id):
    """The run's progress bar, then its proposal; while its offers are sent, that job's progress (the htmx
    fragment is the result region only)."""
    ctx = _result_context(_load(rq_id))
    if request.headers.get("HX-Request") == "true":
        return render_template("visits/_autoassign_result.html", **ctx)
    return render_template("visits/autoassign_run.html", **ctx)


@bp.post("/visits/auto/<rq_id>/confirm")
@staff_required
def autoassign_confirm(rq_id):
    """Send the kept pairs' offers in a job (unticked ones are dropped; a changed volunteer replaces the
    proposed one); the page then shows its progress."""
    proposal = _load(rq_id).proposal
    if proposal is None:
        abort(404)
    keep = {int(v) for v in request.form.getlist("keep") if str(v).isdigit()}
    drop = [i["need"] for i in proposal["items"] if i["need"] not in keep]
    changes = {}
    for item in proposal["items"]:
        if item["org"] is not None or item["need"] not in keep:
            continue
        chosen = [request.form.get(f"v-{item['need']}-{j}", "") for j in range(len(item["volunteers"]))]
        allowed = set(item["volunteers"]) | set(item["alternatives"])
        picked = [int(c) for c in chosen if c.isdigit() and int(c) in allowed]
        if len(picked) == len(item["volunteers"]) and picked != item["volunteers"]:
            changes[item["need"]] = picked
    try:
        proposals.start_confirm(current_user, rq_id, drop=drop, changes=changes)
    except InvalidInput as exc:
        db.session.rollback()
        flash(" ".join(str(v) for v in exc.errors.values()), "error")
    return redirect(url_for("visits.autoassign_run", rq_id=rq_id))


# --- presenting a proposal ------------------------------------------------------------------------------

def _result_context(run: proposals.Loaded) -> dict:
    rec, proposal, confirmed, errors = run.job, run.proposal, run.confirmed, run.errors
    sending = run.sending if run.sending is not None and run.sending.status in RUNNING else None
    ctx = {"job": rec, "proposal": proposal, "items": [], "unassigned": [], "confirmed": confirmed,
           "errors": errors, "running": rec.status in RUNNING, "sending": sending,
           "result": run.result if run.sending is not None and run.sending.status == "finished" else {}}
    if not proposal:
        return ctx
    need_ids = [i["need"] for i in proposal["items"]] + [u["need"] for u in proposal["unassigned"]]
    needs = {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_(need_ids))
                                                 .options(selectinload(Need.child), selectinload(Need.skills)))} \
        if need_ids else {}
    user_ids = {v for i in proposal["items"] for v in i["volunteers"] + i["alternatives"]}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    org_ids = {i["org"] for i in proposal["items"] if i["org"]}
    orgs = dict(db.session.execute(select(Organisation.id, Organisation.name)
                                   .where(Organisation.id.in_(org_ids))).all()) if org_ids else {}
    for item in proposal["items"]:
        n = needs.get(item["need"])
        if n is None or not access.child_in_scope(current_user, n.child):
            continue
        ctx["items"].append({**item, "row": _need_row(n), "names": names, "org_name": orgs.get(item["org"], ""),
                             "why": _reason(item, n), "when": _when(item),
                             "visit_id": confirmed.get(str(item["need"])), "error": errors.get(str(item["need"]))})
    km = proposal["max_km"]
    for u in proposal["unassigned"]:
        n = needs.get(u["need"])
        if n is not None and access.child_in_scope(current_user, n.child):
            ctx["unassigned"].append({"row": _need_row(n), "why": WHY[u["why"]] % {"km": km, "n": u["in_range"]}})
    return ctx


def _reason(item, need) -> str:
    """One line: distances, skills, continuity."""
    parts = [_("%(km)s km", km=" + ".join(f"{k:.1f}" for k in item["km"]))]
    skills = need.skill_codes
    if skills:
        parts.append(_("skills: %(skills)s", skills="、".join(str(SKILLS.get(s, s)) for s in skills)))
    else:
        parts.append(_("no skill required"))
    if item["org"]:
        parts.append(_("an organisation team (two adults or more)"))
    elif len(item["volunteers"]) == 2:
        parts.append(_("two adults, free at the same time"))
    if item["continuity"]:
        parts.append(_("visited this child before"))
    return " · ".join(parts)


def _when(item) -> str:
    start = datetime.fromisoformat(item["starts_at"]).astimezone(TZ)
    end = datetime.fromisoformat(item["ends_at"]).astimezone(TZ)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
