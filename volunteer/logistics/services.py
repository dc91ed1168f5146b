"""Logistics entry points the views call: hubs and pack kinds, and starting the three jobs."""
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import access
from ..extensions import db
from ..tasks.models import JobRecord
from ..tasks.services import enqueue
from .allocation import plan_items
from .campaigns import get_campaign
from .models import Allocation, Hub, PackKind
from .runs import parse_capacity
from .stock import LogisticsError


class HubNotFound(LookupError):
    """No such hub, or not in the user's scope."""


def create_hub(name, kind, division_code, lat, lon, supervisor_id=None) -> Hub:
    hub = Hub(name=name, kind=kind, division_code=division_code, lat=lat, lon=lon, supervisor_id=supervisor_id)
    db.session.add(hub)
    db.session.flush()
    return hub


def create_kind(code, name, family, contents="", **eligibility) -> PackKind:
    kind = PackKind(code=code, name=name, family=family, contents=contents, **eligibility)
    db.session.add(kind)
    db.session.flush()
    return kind


def visible_hubs(user) -> list[Hub]:
    prefix = access.scope_prefix(user)
    if prefix is None:
        return []
    return db.session.scalars(select(Hub).where(Hub.division_code.startswith(prefix, autoescape=True))
                              .order_by(Hub.kind.desc(), Hub.name)).all()


def get_hub(user, hub_id: int) -> Hub:
    hub = db.session.get(Hub, hub_id)
    if hub is None or not access.hub_in_scope(user, hub):
        raise HubNotFound(hub_id)
    return hub


def kinds() -> list[PackKind]:
    return db.session.scalars(select(PackKind).order_by(PackKind.id)).all()


def job(rq_id: str) -> JobRecord | None:
    return db.session.scalar(select(JobRecord).where(JobRecord.rq_id == rq_id)) if rq_id else None


def waiting(rq_id: str) -> bool:
    """A job not started yet. A started one may belong to a killed worker: the jobs are idempotent and safe
    to run side by side, so starting again is allowed then."""
    rec = job(rq_id)
    return rec is not None and rec.status in ("pending", "queued")


def start_allocation(user, campaign_id: int) -> JobRecord:
    """Queue the allocation job; a campaign with no eligible child is refused with a clear message."""
    campaign = get_campaign(user, campaign_id)
    if campaign.status not in ("open", "proposed"):
        raise LogisticsError(_("This campaign is confirmed; its allocation cannot run again."))
    if waiting(campaign.allocation_job):
        raise LogisticsError(_("The allocation is already waiting for a worker."))
    if not plan_items(campaign):
        has_any = db.session.scalar(select(func.count(Allocation.id)).where(Allocation.campaign_id == campaign.id))
        raise LogisticsError(_("Every eligible child already has a pack.") if has_any else
                             _("No child in this campaign's area fits its pack kinds (or has consent for gift packs)."))
    rec = enqueue("jobs.logistics.allocate", campaign.id, campaign.attempt, kind="logistics.allocate", queue="logistics",
                  owner_id=user.id, subject=f"campaign:{campaign.id}")
    campaign = get_campaign(user, campaign_id)
    campaign.allocation_job = rec.rq_id
    db.session.commit()
    return rec


def start_packing(user, campaign_id: int) -> JobRecord:
    campaign = get_campaign(user, campaign_id)
    if campaign.status != "confirmed":
        raise LogisticsError(_("Confirm the allocation before making packing lists."))
    rec = enqueue("jobs.logistics.packing_lists", campaign.id, kind="logistics.packing", queue="logistics",
                  owner_id=user.id, subject=f"campaign:{campaign.id}")
    campaign = get_campaign(user, campaign_id)
    campaign.packing_job = rec.rq_id
    db.session.commit()
    return rec


def start_planning(user, campaign_id: int, capacity_text) -> JobRecord:
    campaign = get_campaign(user, campaign_id)
    capacity = parse_capacity(capacity_text)
    if campaign.status != "confirmed":
        raise LogisticsError(_("Confirm the allocation before planning delivery runs."))
    rec = enqueue("jobs.logistics.plan_runs", campaign.id, capacity, kind="logistics.routes", queue="logistics",
                  owner_id=user.id, subject=f"campaign:{campaign.id}")
    campaign = get_campaign(user, campaign_id)
    campaign.routing_job = rec.rq_id
    db.session.commit()
    return rec
