"""Campaigns and the allocation: each eligible child gets one pack per family from the nearest hub with stock.

The allocation is a proposal: its packs leave the hubs' stock at once (an 'out' movement per pack, so no two
campaigns promise the same pack) and come back ('return') if the coordinator cancels it. It runs in
batches, each one transaction (allocations + stock + ledger together): a worker killed between or inside
batches leaves stock and ledger consistent, and a rerun only does what is missing.
"""
import json
import secrets
import time
from collections import Counter
from datetime import date

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from ..children.models import Child, Consent
from ..extensions import db
from ..geo import services as geo
from ..matching.spatial import EARTH_RADIUS_KM
from ..types import utcnow
from .eligibility import kinds_for
from .models import Allocation, Campaign, Hub, Movement, Stock
from .campaigns import get_campaign
from ..database import atomic
from .stock import LogisticsError

BATCH = 500  # children per transaction
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L or U to misread on a label
CODE_LENGTH = 8  # 30**8 codes per campaign and kind: a clash is rare, and the unique index catches it
GIFT_PURPOSES = ("wishes", "care_and_wishes")  # consents that cover gift packs


class StockChanged(RuntimeError):
    """Another job took stock this batch counted on; the batch is planned again."""


def hubs_for(campaign: Campaign) -> list[Hub]:
    """Hubs serving a campaign: those inside its scope, and every warehouse (retired hubs: none)."""
    return db.session.scalars(select(Hub).where(or_(Hub.kind == "warehouse",
                                                    Hub.division_code.startswith(campaign.scope_code, autoescape=True)),
                                                Hub.active.is_(True))
                              .order_by(Hub.id)).all()


def _children(campaign: Campaign, today: date):
    """(id, category, birth, grade, lat, lon, town) of children in scope whose consent covers gift packs."""
    q = (select(Child.id, Child.category, Child.birth_date, Child.grade, Child.lat, Child.lon, Child.town_code)
         .join(Consent, Consent.id == Child.consent_id).where(Consent.purpose.in_(GIFT_PURPOSES))
         .order_by(Child.id))
    if campaign.scope_code:
        q = q.where(or_(Child.town_code.startswith(campaign.scope_code, autoescape=True),
                        Child.district_code.startswith(campaign.scope_code, autoescape=True)))
    return db.session.execute(q).all()


def plan_items(campaign: Campaign, today: date | None = None):
    """What is still to allocate: [(child_id, kind, lat, lon)], from the campaign's kinds, minus done ones."""
    today = today or date.today()
    done = set(db.session.execute(select(Allocation.child_id, Allocation.family)
                                  .where(Allocation.campaign_id == campaign.id)).all())
    kinds = sorted(campaign.kinds, key=lambda k: k.id)
    items, town_points = [], {}
    for cid, category, birth, grade, lat, lon, town in _children(campaign, today):
        for kind in kinds_for(kinds, category, birth, grade, today):
            if (cid, kind.family) in done:
                continue
            if lat is None or lon is None:
                if town not in town_points:
                    town_points[town] = geo.point_for(town) or (36.0671, 120.3826)
                lat, lon = town_points[town][:2]
            items.append((cid, kind, lat, lon))
    return items


def _load_stock(hub_ids) -> dict:
    rows = db.session.execute(select(Stock.hub_id, Stock.kind_id, Stock.qty).where(Stock.hub_id.in_(hub_ids))).all()
    return {(h, k): q for h, k, q in rows}


def allocate(campaign_id: int, report=None, attempt: int | None = None) -> dict:
    """Run (or finish) a campaign's allocation; returns {"allocated", "shortfall", "items", "stale"}.

    attempt is the campaign's generation the run was asked for: once the proposal was cancelled (a new
    attempt), a late retry of the old run writes nothing, checked in the transaction of every write.
    report(done, total) is called after every batch (the job's progress bar).
    """
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status not in ("open", "proposed") or (
            attempt is not None and campaign.attempt != attempt):
        return {"allocated": 0, "shortfall": 0, "items": 0, "stale": campaign is not None}
    attempt = campaign.attempt
    hubs = hubs_for(campaign)
    items = plan_items(campaign)
    total = len(items)
    shortfall = Counter()
    allocated = 0
    if items and hubs:
        hub_ids = np.array([h.id for h in hubs])
        hlat = np.array([h.lat for h in hubs])
        hlon = np.array([h.lon for h in hubs])
        batch = int(current_app.config.get("LOGISTICS_BATCH", BATCH))
        pause = float(current_app.config.get("LOGISTICS_BATCH_PAUSE", 0))
        done = 0
        for start in range(0, total, batch):
            chunk = items[start:start + batch]
            # Vectorised: distances from every child of the batch to every hub, nearest first.
            lats = np.array([i[2] for i in chunk])
            lons = np.array([i[3] for i in chunk])
            dist = _matrix(lats, lons, hlat, hlon)
            order = np.argsort(dist, axis=1, kind="stable")
            n, missing = _write_batch(campaign, chunk, hub_ids, dist, order, attempt)
            allocated += n
            shortfall.update(missing)
            done += len(chunk)
            if report:
                report(done, total)
            if pause:
                time.sleep(pause)
    elif items:
        shortfall.update((kind.id, 0) for _cid, kind, _a, _b in items)
    shortfalls = json.dumps([{"kind_id": k, "hub_id": h, "missing": n} for (k, h), n in sorted(shortfall.items())])
    with atomic():
        if _lock(campaign_id) not in ("open", "proposed") or _attempt(campaign_id) != attempt:
            return {"allocated": allocated, "shortfall": 0, "items": total, "stale": True}
        db.session.execute(update(Campaign).where(Campaign.id == campaign_id).values(
            shortfalls=shortfalls, status="proposed"))
    return {"allocated": allocated, "shortfall": sum(shortfall.values()), "items": total, "stale": False}


def _matrix(lats, lons, hlat, hlon) -> np.ndarray:
    """children x hubs great-circle km (one numpy expression)."""
    p1, p2 = np.radians(lats)[:, None], np.radians(hlat)[None, :]
    dl = np.radians(hlon[None, :] - lons[:, None])
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _write_batch(campaign, chunk, hub_ids, dist, order, attempt, tries: int = 5):
    """Plan and write one batch in one transaction; replanned when stock or allocations changed meanwhile."""
    for n in range(tries):
        try:
            with atomic():
                return _apply(campaign, chunk, hub_ids, dist, order, attempt)
        except (StockChanged, IntegrityError, OperationalError):
            if n == tries - 1:
                raise
            time.sleep(0.05 * (n + 1))
    return 0, Counter()


def _apply(campaign, chunk, hub_ids, dist, order, attempt):
    """Inside one transaction: skip what is already done, take stock per (hub, kind), write the ledger."""
    if _lock(campaign.id) not in ("open", "proposed") or _attempt(campaign.id) != attempt:
        return 0, Counter()  # confirmed, or cancelled into a new attempt, meanwhile: write nothing more
    child_ids = sorted({c for c, *_ in chunk})
    done = set(db.session.execute(select(Allocation.child_id, Allocation.family).where(
        Allocation.campaign_id == campaign.id, Allocation.child_id.in_(child_ids))).all())
    avail = _load_stock(hub_ids.tolist())
    rows, take, missing, codes = [], Counter(), Counter(), set()
    for i, (cid, kind, _lat, _lon) in enumerate(chunk):
        if (cid, kind.family) in done:
            continue
        for j in order[i]:
            hub = int(hub_ids[j])
            if avail.get((hub, kind.id), 0) > 0:
                avail[(hub, kind.id)] -= 1
                take[(hub, kind.id)] += 1
                rows.append({"campaign_id": campaign.id, "child_id": cid, "kind_id": kind.id, "family": kind.family,
                             "hub_id": hub, "code": _new_code(campaign, kind.id, codes), "km": round(float(dist[i, j]), 2),
                             "status": "proposed", "created_at": utcnow()})
                break
        else:
            missing[(kind.id, int(hub_ids[order[i][0]]))] += 1
    if not rows:
        return 0, missing
    db.session.execute(insert(Allocation), rows)
    for (hub, kind), n in sorted(take.items()):  # one lock order for every writer: no deadlocks
        ok = db.session.execute(update(Stock).where(Stock.hub_id == hub, Stock.kind_id == kind, Stock.qty >= n)
                                .values(qty=Stock.qty - n)).rowcount
        if ok != 1:
            raise StockChanged()
    now = utcnow()
    db.session.execute(insert(Movement), [
        {"key": _key("alloc", campaign, r["kind_id"], r["child_id"]), "hub_id": r["hub_id"], "kind_id": r["kind_id"],
         "movement": "out", "delta": -1, "campaign_id": campaign.id, "note": r["code"], "at": now} for r in rows])
    return len(rows), missing


def _lock(campaign_id: int) -> str:
    """The campaign's status, its row locked until the transaction ends (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serialises writers), so confirm/cancel and a running batch never interleave."""
    return db.session.scalar(select(Campaign.status).where(Campaign.id == campaign_id).with_for_update())


def _attempt(campaign_id: int) -> int:
    """The campaign's generation, read inside the transaction that holds its lock."""
    return db.session.scalar(select(Campaign.attempt).where(Campaign.id == campaign_id))


def pack_code(campaign, kind_id: int) -> str:
    """The label's code: campaign, kind and random characters; nothing in it points to the child."""
    return f"{campaign.id}-{kind_id}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _new_code(campaign, kind_id: int, taken: set) -> str:
    """A pack code not yet used in this batch (codes of other batches or runs: the unique index on
    (campaign, code) refuses a clash, and the batch is planned again with new codes)."""
    code = pack_code(campaign, kind_id)
    while code in taken:
        code = pack_code(campaign, kind_id)
    taken.add(code)
    return code


def _key(prefix: str, campaign, kind_id: int, child_id: int) -> str:
    return f"{prefix}:{campaign.id}:{campaign.attempt}:{kind_id}:{child_id}"


def return_packs(campaign, allocations, status: str, note: str) -> int:
    """Put allocations' packs back into their hubs' stock (one 'return' line each) and set their status.

    Runs in the caller's transaction; allocations already returned are skipped by their ledger key.
    """
    keys = {a.id: _key("ret", campaign, a.kind_id, a.child_id) for a in allocations}
    seen = set(db.session.scalars(select(Movement.key).where(Movement.key.in_(list(keys.values()))))) if keys else set()
    back = Counter()
    lines = []
    for a in allocations:
        if keys[a.id] in seen:
            continue
        back[(a.hub_id, a.kind_id)] += 1
        lines.append({"key": keys[a.id], "hub_id": a.hub_id, "kind_id": a.kind_id, "movement": "return",
                      "delta": 1, "campaign_id": campaign.id, "note": f"{a.code} {note}"[:120], "at": utcnow()})
    for (hub, kind), n in sorted(back.items()):
        db.session.execute(update(Stock).where(Stock.hub_id == hub, Stock.kind_id == kind).values(qty=Stock.qty + n))
    if lines:
        db.session.execute(insert(Movement), lines)
    ids = [a.id for a in allocations]
    if ids:
        db.session.execute(update(Allocation).where(Allocation.id.in_(ids)).values(status=status))
    return len(lines)


def confirm(user, campaign_id: int) -> int:
    """Accept the proposal: its allocations become confirmed (the stock already left with the proposal)."""
    campaign = get_campaign(user, campaign_id)
    with atomic():
        if _lock(campaign.id) != "proposed":
            raise LogisticsError(_("Only a proposal can be confirmed; run the allocation first."))
        n = db.session.execute(update(Allocation).where(Allocation.campaign_id == campaign.id,
                                                        Allocation.status == "proposed")
                               .values(status="confirmed")).rowcount
        db.session.execute(update(Campaign).where(Campaign.id == campaign.id, Campaign.status == "proposed")
                           .values(status="confirmed", confirmed_at=utcnow()))
    return n


def cancel(user, campaign_id: int) -> int:
    """Drop the proposal: every proposed pack goes back to its hub; the campaign can be allocated again."""
    campaign = get_campaign(user, campaign_id)
    with atomic():
        if _lock(campaign.id) != "proposed":
            raise LogisticsError(_("Only a proposal that is not confirmed yet can be cancelled."))
        allocations = db.session.scalars(select(Allocation).where(Allocation.campaign_id == campaign.id)).all()
        n = return_packs(campaign, allocations, "cancelled", "cancelled")
        db.session.execute(delete(Allocation).where(Allocation.campaign_id == campaign.id))
        db.session.execute(update(Campaign).where(Campaign.id == campaign.id).values(
            status="open", attempt=Campaign.attempt + 1, shortfalls="[]"))
    return n
