"""Delivery runs: confirmed packs grouped by village into vehicle loads per hub, stops in solver order;
drops confirmed with the child director's receipt code; what is not delivered goes back to stock."""
import math
import secrets
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from .. import access
from ..children.cards import snap
from ..children.models import Child
from ..extensions import db
from ..geo import services as geo
from ..types import utcnow
from . import routing
from .drivers import DRIVER_ROLES, driver_by_phone, refuse_finished  # noqa: F401 (DRIVER_ROLES: callers)
from .allocation import return_packs
from .models import Allocation, Campaign, DeliveryRun, Hub, Stop
from ..database import atomic
from .stock import LogisticsError

MAX_CAPACITY = 5000
MAX_CODE_TRIES = 10


class RunNotFound(LookupError):
    """No such run or stop, or not this user's."""


def parse_capacity(value) -> int:
    """Packs one vehicle carries: 1..MAX_CAPACITY."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise LogisticsError(_("Enter the vehicle capacity as a whole number of packs."), "capacity") from None
    if not 1 <= n <= MAX_CAPACITY:
        raise LogisticsError(_("The vehicle capacity must be between 1 and %(n)s packs.", n=MAX_CAPACITY), "capacity")
    return n


def _villages(campaign_id: int, hub_id: int):
    """{(town, village): [allocation ids]} and each village's grid-cell point, for packs not yet on a run."""
    rows = db.session.execute(
        select(Allocation.id, Child.town_code, Child.village, Child.lat, Child.lon)
        .join(Child, Child.id == Allocation.child_id)
        .where(Allocation.campaign_id == campaign_id, Allocation.hub_id == hub_id,
               Allocation.status == "confirmed", Allocation.stop_id.is_(None))
        .order_by(Allocation.id)).all()
    groups, points = defaultdict(list), defaultdict(list)
    for aid, town, village, lat, lon in rows:
        key = (town or "", (village or "").strip())
        groups[key].append(aid)
        if lat is not None and lon is not None:
            points[key].append((lat, lon))
    where = {}
    for key in groups:
        pts = points.get(key)
        if pts:
            lat, lon = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        else:
            p = geo.point_for(key[0]) or (36.0671, 120.3826)
            lat, lon = p[0], p[1]
        where[key] = snap(lat, lon)  # a ~1 km cell centre: never a home
    return groups, where


def _loads(hub: Hub, groups: dict, where: dict, capacity: int) -> list[list[tuple]]:
    """Villages swept by bearing from the hub into loads of at most capacity packs (big villages split)."""
    parts = []
    for key, ids in groups.items():
        for i in range(0, len(ids), capacity):
            parts.append((key, ids[i:i + capacity]))
    parts.sort(key=lambda p: (math.atan2(where[p[0]][0] - hub.lat, where[p[0]][1] - hub.lon), p[0]))
    loads, current, used = [], [], 0
    for key, ids in parts:
        if used + len(ids) > capacity and current:
            loads.append(current)
            current, used = [], 0
        current.append((key, ids))
        used += len(ids)
    if current:
        loads.append(current)
    return loads


def plan(campaign_id: int, capacity: int, report=None) -> int:
    """Create runs for every hub's confirmed packs not yet on a run; returns runs made (0 on a rerun)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != "confirmed":
        return 0
    hub_ids = db.session.scalars(select(Allocation.hub_id).where(Allocation.campaign_id == campaign_id)
                                 .distinct().order_by(Allocation.hub_id)).all()
    made = 0
    for i, hub_id in enumerate(hub_ids):
        with atomic():  # one hub at a time: its runs, stops and the packs' stop ids together
            # Two planning jobs of one campaign take turns (PostgreSQL row lock; SQLite: BEGIN IMMEDIATE).
            db.session.scalar(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())
            hub = db.session.get(Hub, hub_id)
            groups, where = _villages(campaign_id, hub_id)
            number = db.session.scalar(select(func.coalesce(func.max(DeliveryRun.number), 0)).where(
                DeliveryRun.campaign_id == campaign_id, DeliveryRun.hub_id == hub_id))
            for load in _loads(hub, groups, where, capacity):
                number += 1
                made += 1
                _make_run(campaign_id, hub, number, capacity, load, where)
        if report:
            report(i + 1, len(hub_ids))
    return made


def _make_run(campaign_id, hub, number, capacity, load, where):
    order, km = routing.solve([hub.lat] + [where[k][0] for k, _ in load], [hub.lon] + [where[k][1] for k, _ in load])
    run = DeliveryRun(campaign_id=campaign_id, hub_id=hub.id, number=number, capacity=capacity, km=round(km, 1))
    db.session.add(run)
    db.session.flush()
    for seq, idx in enumerate(order, start=1):
        (town, village), ids = load[idx - 1]
        lat, lon = where[(town, village)]
        stop = Stop(run_id=run.id, seq=seq, town_code=town, village=village[:60], lat=lat, lon=lon, packs=len(ids),
                    receipt_code=f"{secrets.randbelow(10**6):06d}")
        db.session.add(stop)
        db.session.flush()
        db.session.execute(update(Allocation).where(Allocation.id.in_(ids)).values(stop_id=stop.id))


def runs_of(campaign_id: int) -> list[DeliveryRun]:
    return db.session.scalars(select(DeliveryRun).where(DeliveryRun.campaign_id == campaign_id)
                              .order_by(DeliveryRun.hub_id, DeliveryRun.number)).all()


def my_runs(user) -> list[DeliveryRun]:
    return db.session.scalars(select(DeliveryRun).where(DeliveryRun.driver_id == user.id)
                              .order_by(DeliveryRun.status.desc(), DeliveryRun.id.desc())).all()


def get_run(user, run_id: int) -> DeliveryRun:
    """The run if user drives it or is staff whose scope covers its hub."""
    run = db.session.get(DeliveryRun, run_id)
    if run is None or not access.may_see_run(user, run):
        raise RunNotFound(run_id)
    return run


def assign_driver(user, run_id: int, phone_text: str) -> DeliveryRun:
    """Give a run to the person with that phone number; a finished run keeps its driver, a run under way
    may be handed over (drivers.py holds the rules bulk assignment shares)."""
    run = get_run(user, run_id)
    if not user.is_staff:
        raise RunNotFound(run_id)
    driver = driver_by_phone(phone_text)
    with atomic():
        run = db.session.scalar(select(DeliveryRun).where(DeliveryRun.id == run.id).with_for_update())
        refuse_finished(run)
        run.driver_id = driver.id
    return run


def confirm_drop(user, stop_id: int, code: str) -> Stop:
    """The child director's receipt code confirms a stop: its packs are delivered (once)."""
    stop = db.session.get(Stop, stop_id)
    if stop is None:
        raise RunNotFound(stop_id)
    run = get_run(user, stop.run_id)
    if stop.status == "delivered":
        return stop
    if run.status != "planned" or stop.status != "pending":
        raise LogisticsError(_("This run is finished; the stop can no longer be confirmed."), "code")
    if stop.tries >= MAX_CODE_TRIES:
        raise LogisticsError(_("Too many wrong codes for this stop; ask the coordinator."), "code")
    given = "".join(ch for ch in (code or "") if ch.isdigit())
    if not secrets.compare_digest(given.encode(), stop.receipt_code.encode()):
        db.session.execute(update(Stop).where(Stop.id == stop.id).values(tries=Stop.tries + 1))
        db.session.commit()
        raise LogisticsError(_("The receipt code is not right. Ask the child director for the code again."), "code")
    with atomic():
        n = db.session.execute(update(Stop).where(Stop.id == stop.id, Stop.status == "pending")
                               .values(status="delivered", delivered_at=utcnow())).rowcount
        if n:
            db.session.execute(update(Allocation).where(Allocation.stop_id == stop.id, Allocation.status == "confirmed")
                               .values(status="delivered"))
    db.session.refresh(stop)
    return stop


def finish(user, run_id: int) -> int:
    """End a run: stops not delivered are marked so and their packs go back to the hub's stock."""
    run = get_run(user, run_id)
    with atomic():
        run = db.session.scalar(select(DeliveryRun).where(DeliveryRun.id == run.id).with_for_update())
        pending = [s.id for s in run.stops if s.status == "pending"]
        allocations = db.session.scalars(select(Allocation).where(
            Allocation.stop_id.in_(pending), Allocation.status == "confirmed")).all() if pending else []
        back = return_packs(db.session.get(Campaign, run.campaign_id), allocations, "returned", "not delivered")
        if pending:
            db.session.execute(update(Stop).where(Stop.id.in_(pending)).values(status="missed"))
        run.status = "finished"
        run.finished_at = utcnow()
    return back


def stop_label(stop: Stop) -> str:
    """Town and village, as on the labels."""
    town = geo.name_of(stop.town_code)
    return f"{town} {stop.village}".strip() or _("Unknown village")
