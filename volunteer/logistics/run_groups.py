"""A campaign's runs grouped by hub (counts, a page of runs each) and one driver given to many runs at once."""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import access
from ..accounts.models import User
from ..database import atomic
from ..extensions import db
from ..numbers import parse_int
from .campaigns import get_campaign
from .drivers import driver_by_phone, run_name, run_state
from .models import DeliveryRun, Hub
from .runs import RunNotFound
from .stock import LogisticsError

PER_PAGE = 10  # runs shown per hub group; the group's pager shows the rest
MAX_RUNS = 1000  # runs one bulk assignment may tick


@dataclass
class HubGroup:
    """One hub's runs in a campaign: the counts over all of them and one page of them."""

    hub: Hub
    total: int = 0
    stops: int = 0
    packs: int = 0
    assigned: int = 0
    page: int = 1
    pages: int = 1
    runs: list = field(default_factory=list)

    @property
    def unassigned(self) -> int:
        return self.total - self.assigned


@dataclass
class Assigned:
    """What a bulk assignment did: runs given to driver, of which `replaced` had someone else."""

    driver: User
    count: int
    replaced: int


def hub_groups(campaign_id: int, pages: dict | None = None) -> list[HubGroup]:
    """The campaign's runs by hub (hub order as planned); pages: {hub_id: page number} (default 1)."""
    rows = db.session.scalars(select(DeliveryRun).where(DeliveryRun.campaign_id == campaign_id)
                              .options(selectinload(DeliveryRun.stops), selectinload(DeliveryRun.driver),
                                       selectinload(DeliveryRun.hub))
                              .order_by(DeliveryRun.hub_id, DeliveryRun.number)).all()
    groups: dict[int, HubGroup] = {}
    for run in rows:
        g = groups.setdefault(run.hub_id, HubGroup(hub=run.hub))
        g.total += 1
        g.stops += len(run.stops)
        g.packs += sum(s.packs for s in run.stops)
        g.assigned += run.driver_id is not None
        g.runs.append(run)
    for g in groups.values():
        g.pages = max(1, -(-g.total // PER_PAGE))
        g.page = min(max(1, (pages or {}).get(g.hub.id, 1)), g.pages)
        g.runs = g.runs[(g.page - 1) * PER_PAGE:g.page * PER_PAGE]
    return list(groups.values())


def run_facts(run) -> dict:
    """What a run's row shows: its state, stops and packs."""
    return {"state": run_state(run), "stops": len(run.stops), "packs": sum(s.packs for s in run.stops)}


def _ids(values) -> list[int]:
    ids = {n for n in (parse_int(v, 1) for v in values or ()) if n is not None}
    if not ids:
        raise LogisticsError(_("Tick the runs to give this driver, or assign all unassigned runs of the hub."),
                             "run_ids")
    if len(ids) > MAX_RUNS:
        raise LogisticsError(_("Tick at most %(n)s runs at once.", n=MAX_RUNS), "run_ids")
    return sorted(ids)


def assign_drivers(user, campaign_id: int, phone_text, run_ids=None, hub_id: int | None = None) -> Assigned:
    """Give the ticked runs (or, with hub_id, every unassigned run of that hub not yet under way) to the
    driver with that phone number, in one transaction; the same checks as one run's assignment. A ticked
    run that is finished or under way refuses the whole request (nothing changes): hand those over one by
    one on the run's page."""
    campaign = get_campaign(user, campaign_id)
    driver = driver_by_phone(phone_text)
    ids = None if hub_id is not None else _ids(run_ids)
    with atomic():
        stmt = select(DeliveryRun).where(DeliveryRun.campaign_id == campaign.id).order_by(DeliveryRun.hub_id,
                                                                                          DeliveryRun.number)
        if ids is None:
            hub = db.session.get(Hub, hub_id)
            if hub is None or not access.hub_in_scope(user, hub):
                raise RunNotFound(hub_id)
            stmt = stmt.where(DeliveryRun.hub_id == hub.id, DeliveryRun.driver_id.is_(None),
                              DeliveryRun.status == "planned")
        else:
            stmt = stmt.where(DeliveryRun.id.in_(ids))
        chosen = db.session.scalars(stmt.with_for_update()).all()
        if ids is not None and len(chosen) != len(ids) or any(not access.hub_in_scope(user, r.hub) for r in chosen):
            raise RunNotFound(campaign_id)
        if ids is None:
            chosen = [r for r in chosen if run_state(r) == "planned"]
            if not chosen:
                raise LogisticsError(_("Every run of %(hub)s not yet under way already has a driver.", hub=hub.name),
                                     "run_ids")
        moving = [r for r in chosen if run_state(r) != "planned"]
        if moving:
            raise LogisticsError(_("Nothing was changed: %(runs)s already set off or finished. Hand such a run "
                                   "over on its own page.", runs="、".join(run_name(r) for r in moving)), "run_ids")
        replaced = sum(r.driver_id not in (None, driver.id) for r in chosen)
        for run in chosen:
            run.driver_id = driver.id
    return Assigned(driver=driver, count=len(chosen), replaced=replaced)
