"""Campaigns: opening one over the user's scope, finding it, and its figures for the campaign page."""
import json
from collections import Counter, defaultdict

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import access
from ..extensions import db
from ..numbers import parse_int
from .models import Allocation, Campaign, Hub, PackKind
from .stock import LogisticsError


class CampaignNotFound(LookupError):
    """No such campaign, or not in the user's scope."""


def get_campaign(user, campaign_id: int) -> Campaign:
    """The campaign if the user's scope covers it, else CampaignNotFound."""
    c = db.session.get(Campaign, campaign_id)
    if c is None or not access.campaign_in_scope(user, c):
        raise CampaignNotFound(campaign_id)
    return c


def visible_campaigns(user) -> list[Campaign]:
    prefix = access.scope_prefix(user)
    if prefix is None:
        return []
    return db.session.scalars(select(Campaign).where(Campaign.scope_code.startswith(prefix, autoescape=True))
                              .order_by(Campaign.id.desc())).all()


def open_campaign(user, form) -> Campaign:
    """A new campaign over the user's scope with the chosen pack kinds."""
    name = (form.get("name") or "").strip()
    if not name or len(name) > 60:
        raise LogisticsError(_("Give the campaign a name (at most 60 characters)."), "name")
    values = form.getlist("kind_ids") if hasattr(form, "getlist") else form.get("kind_ids", [])
    ids = [n for n in (parse_int(v, 1) for v in values) if n is not None]
    kinds = db.session.scalars(select(PackKind).where(PackKind.id.in_(ids))).all() if ids else []
    if any(not k.active for k in kinds):
        raise LogisticsError(_("%(name)s is retired; choose pack kinds in use.",
                               name=next(k.name for k in kinds if not k.active)), "kind_ids")
    if not kinds:
        raise LogisticsError(_("Choose at least one pack kind."), "kind_ids")
    c = Campaign(name=name, scope_code=access.scope_prefix(user) or "", created_by_id=user.id, kinds=list(kinds))
    db.session.add(c)
    db.session.commit()
    return c


def summary(campaign: Campaign) -> dict:
    """Packs per hub and kind, shortfalls with names, and totals, for the campaign page."""
    rows = db.session.execute(select(Allocation.hub_id, Allocation.kind_id, Allocation.status, func.count())
                              .where(Allocation.campaign_id == campaign.id)
                              .group_by(Allocation.hub_id, Allocation.kind_id, Allocation.status)).all()
    hubs = {h.id: h for h in db.session.scalars(select(Hub)).all()}
    kinds = {k.id: k for k in db.session.scalars(select(PackKind)).all()}
    per = defaultdict(Counter)
    by_status = Counter()
    for hub, kind, status, n in rows:
        per[hub][kind] += n
        by_status[status] += n
    short = [{"kind": kinds.get(s["kind_id"]), "hub": hubs.get(s["hub_id"]), "missing": s["missing"]}
             for s in json.loads(campaign.shortfalls or "[]")]
    return {"per_hub": [(hubs[h], [(kinds[k], n) for k, n in sorted(c.items())], sum(c.values()))
                        for h, c in sorted(per.items()) if h in hubs],
            "shortfalls": short, "short_total": sum(s["missing"] for s in short),
            "total": sum(by_status.values()), "by_status": dict(by_status)}
