"""An auto-assign proposal as its page shows it: a summary per helper, filters, 20 visits a page, and the
coordinator's choices kept on the server while they page through it.

    present(viewer, loaded, town="", service="", helper="", page=1) -> dict   # the template's context
    choose(viewer, rq_id, shown, keep, picks) -> Choices                     # this page's ticks and picks
    chosen(rq_id) -> Choices                                                  # what confirm will send

The choices live in the proposal's row (AutoassignProposal.choices, the {"drop", "changes"} that
proposals.start_confirm records): a page saves only the visits it showed, so a visit on another page or
hidden by a filter keeps the choice made for it (proposed visits start chosen). Confirm sends exactly
these choices.
"""
import json
from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import access
from ..accounts.models import User
from ..children.cards import pseudonym
from ..children.validation import InvalidInput
from ..extensions import db
from ..geo import services as geo
from ..matching import distance
from ..needs.models import RHYTHMS, SERVICE_TYPES, Need
from ..orgs.models import Organisation
from ..safeguarding import services as safeguarding
from ..volunteers.skills import SKILLS
from . import proposals
from .autoassign_problem import TZ
from .models import AutoassignProposal

PER_PAGE = 20
RUNNING = ("pending", "queued", "started")
WHY = {
    "no_place": _l("The child has no location on record."),
    "no_window": _l("The need's time window has no day in the weeks planned."),
    "nobody_in_range": _l("No volunteer or team within %(km)s km."),
    "no_skill": _l("No one with the required skills (credentials verified) within %(km)s km."),
    "no_time": _l("No one with the skills within %(km)s km is free in the need's time window."),
    "no_partner": _l("No second adult with the skills and a shared free time within %(km)s km (a home visit "
                     "needs two adults)."),
    "no_capacity": _l("All %(n)s suitable helpers within %(km)s km have no visits left in this period."),
    "child_day": _l("The child already has a visit on every day these helpers are free in the need's time "
                    "window (at most one visit a day)."),
    "child_time": _l("The child already has a visit at every time these helpers are free in the need's time "
                     "window."),
}


class Choices(NamedTuple):
    """Needs left out, and changed volunteers {need: [ids]}."""

    drop: set
    changes: dict


def _row(rq_id) -> AutoassignProposal | None:
    return db.session.scalar(select(AutoassignProposal).where(AutoassignProposal.rq_id == str(rq_id)[:64]))


def chosen(rq_id) -> Choices:
    """The choices kept for the run (none made yet: every proposed visit, as proposed)."""
    row = _row(rq_id)
    data = json.loads(row.choices or "{}") if row is not None else {}
    return Choices({int(n) for n in data.get("drop", [])},
                   {int(k): [int(v) for v in vs] for k, vs in data.get("changes", {}).items()})


def choose(viewer, rq_id, shown, keep, picks) -> Choices:
    """Record the choices for the visits a page showed (need ids): kept or not, and the volunteers picked
    {need: [ids]} (only the proposed ones or their alternatives, as many as proposed; else unchanged)."""
    loaded = proposals.load(viewer, rq_id)
    if loaded.proposal is None:
        raise InvalidInput({"proposal": _l("This proposal has expired; run auto-assign again.")})
    if loaded.sending is not None and loaded.sending.status in RUNNING:
        raise InvalidInput({"proposal": _l("The offers are being sent; wait for this to finish.")})
    items = {i["need"]: i for i in loaded.proposal["items"]}
    drop, changes = chosen(rq_id)
    for need in set(shown) & set(items):
        item = items[need]
        changes.pop(need, None)
        if need not in keep:
            drop.add(need)
            continue
        drop.discard(need)
        picked = picks.get(need) or []
        allowed = set(item["volunteers"]) | set(item["alternatives"])
        if item["org"] is None and len(picked) == len(item["volunteers"]) and set(picked) <= allowed \
                and len(set(picked)) == len(picked) and picked != item["volunteers"]:
            changes[need] = picked
    row = _row(rq_id)
    row.choices = json.dumps({"drop": sorted(drop), "changes": {str(k): v for k, v in sorted(changes.items())}})
    db.session.commit()
    return Choices(drop, changes)


def present(viewer, run: proposals.Loaded, town: str = "", service: str = "", helper: str = "",
            page: int = 1) -> dict:
    """The page's context: the run's state, the per-helper summary, the filtered page of visits."""
    rec, proposal, confirmed, errors = run.job, run.proposal, run.confirmed, run.errors
    sending = run.sending if run.sending is not None and run.sending.status in RUNNING else None
    ctx = {"job": rec, "proposal": proposal, "items": [], "unassigned": [], "confirmed": confirmed,
           "errors": errors, "running": rec.status in RUNNING, "sending": sending,
           "result": run.result if run.sending is not None and run.sending.status == "finished" else {},
           "f": {"town": town, "service": service, "helper": helper}, "page": 1, "pages": 1, "helpers": [],
           "towns": {}, "services": {}, "total": 0, "matching": 0, "to_send": 0, "dropped": 0}
    if not proposal:
        return ctx
    drop, changes = chosen(rec.rq_id)
    all_items = _items(viewer, proposal, confirmed, errors, drop, changes)
    ctx["helpers"] = _summary(all_items)
    checks = safeguarding.states([int(h["key"][1:]) for h in ctx["helpers"] if not h["team"]])
    for h in ctx["helpers"]:
        h["check"] = None if h["team"] else checks.get(int(h["key"][1:]))
    ctx["unchecked"] = (proposal.get("unchecked", 0), proposal.get("unchecked_teams", 0))
    ctx["towns"] = dict(sorted({i["row"]["town_code"]: i["row"]["town"] for i in all_items}.items()))
    ctx["services"] = {k: v for k, v in SERVICE_TYPES.items() if any(i["service_type"] == k for i in all_items)}
    ctx["total"] = len(all_items)
    ctx["to_send"] = sum(1 for i in all_items if i["kept"] and not i["visit_id"])
    ctx["dropped"] = sum(1 for i in all_items if not i["kept"] and not i["visit_id"])
    shown = [i for i in all_items if _matches(i, town, service, helper)]
    ctx["matching"] = len(shown)
    ctx["pages"] = max(1, -(-len(shown) // PER_PAGE))
    ctx["page"] = min(max(1, page), ctx["pages"])
    ctx["items"] = shown[(ctx["page"] - 1) * PER_PAGE:ctx["page"] * PER_PAGE]
    km = proposal["max_km"]
    for u in _unassigned(viewer, proposal):
        if _matches(u, town, service, ""):
            ctx["unassigned"].append({"row": u["row"], "why": WHY[u["why"]] % {"km": km, "n": u["in_range"]}})
    return ctx


def _matches(item, town, service, helper) -> bool:
    return (not town or item["row"]["town_code"] == town) and (not service or item["service_type"] == service) \
        and (not helper or helper in item.get("helper_keys", ()))


def _needs(ids) -> dict:
    return {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_(ids))
                                                .options(selectinload(Need.child), selectinload(Need.skills)))} \
        if ids else {}


def _unassigned(viewer, proposal) -> list[dict]:
    needs = _needs([u["need"] for u in proposal["unassigned"]])
    return [{**u, "row": need_row(n), "service_type": n.service_type} for u in proposal["unassigned"]
            if (n := needs.get(u["need"])) is not None and access.child_in_scope(viewer, n.child)]


def _items(viewer, proposal, confirmed, errors, drop, changes) -> list[dict]:
    """Every visit of the proposal in the viewer's scope, with its reason, choice and distances."""
    items = proposal["items"]
    needs = _needs([i["need"] for i in items])
    user_ids = {v for i in items for v in i["volunteers"] + i["alternatives"]}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    org_ids = {i["org"] for i in items if i["org"]}
    orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))} \
        if org_ids else {}
    # Distances as on find helpers (matching.distance), not the solver's numbers (it places a team at its
    # members' centre).
    homes = distance.homes(user_ids)
    teams = distance.member_homes(org_ids)
    out = []
    for item in items:
        n = needs.get(item["need"])
        if n is None or not access.child_in_scope(viewer, n.child):
            continue
        org = orgs.get(item["org"])
        visit_id = confirmed.get(str(item["need"]))
        picked = changes.get(item["need"], item["volunteers"]) if org is None else []
        if org is not None:
            helpers = [(f"o{org.id}", org.name, distance.team_from(viewer, org, teams.get(org.id), n.child))]
        else:
            helpers = [(f"v{v}", names.get(v, str(v)), distance.between(viewer, "home", homes.get(v), n.child))
                       for v in picked]
        proposed = [d for (_k, _n, d) in helpers] if picked == item["volunteers"] or org is not None else \
            [distance.between(viewer, "home", homes.get(v), n.child) for v in item["volunteers"]]
        out.append({**item, "row": need_row(n), "service_type": n.service_type, "names": names,
                    "org_name": org.name if org else "", "why": _reason(item, n, proposed), "when": _when(item),
                    "visit_id": visit_id, "error": errors.get(str(item["need"])),
                    "kept": item["need"] not in drop, "picked": picked, "helpers": helpers,
                    "helper_keys": {k for k, _n, _d in helpers}})
    return out


def _summary(items) -> list[dict]:
    """Per helper (volunteer or team) of the chosen and sent visits: how many, km in all, which towns."""
    rows = {}
    for item in items:
        if not item["kept"] and not item["visit_id"]:
            continue
        for key, name, dist in item["helpers"]:
            r = rows.setdefault(key, {"key": key, "name": name, "visits": 0, "km": 0.0, "towns": [],
                                      "team": key.startswith("o")})
            r["visits"] += 1
            r["km"] += dist.km if dist is not None else 0.0
            if item["row"]["town"] and item["row"]["town"] not in r["towns"]:
                r["towns"].append(item["row"]["town"])
    return sorted(rows.values(), key=lambda r: (-r["visits"], -r["km"], r["name"]))


def need_row(n) -> dict:
    """A need as the auto-assign pages list it."""
    return {"id": n.id, "child": pseudonym(n.child.ref), "ref": n.child.ref, "town": geo.name_of(n.child.town_code),
            "town_code": n.child.town_code or "",
            "service": SERVICE_TYPES.get(n.service_type, n.service_type), "rhythm": RHYTHMS.get(n.rhythm, n.rhythm),
            "window": (n.window_start, n.window_end)}


def _reason(item, need, dists) -> str:
    """One line: distances (from the helpers' homes, named), skills, continuity."""
    dists = [d for d in dists if d is not None]
    parts = [distance.pair_text(*dists) if len(dists) == 2 else dists[0].text] if dists else []
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
