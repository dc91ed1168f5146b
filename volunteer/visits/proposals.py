"""Auto-assign proposals: kept in the database, loaded by their owner, confirmed into offers by a job.

    save(rq_id, coordinator_id, proposal) -> AutoassignProposal   # by jobs.autoassign.propose, once
    load(coordinator, rq_id) -> Loaded                            # ProposalNotFound if not theirs
    start_confirm(coordinator, rq_id, drop=(), changes=None)      # queues jobs.autoassign.confirm
    confirm(proposal_id, report=None) -> dict                      # run by it: offers through assign_visit
    delete_expired(now=None) -> int                                # by the visits sweep
    ready_for(coordinator), ready_count(coordinator)               # proposals made, not yet confirmed
"""
import json
import uuid
from datetime import datetime, timedelta
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from ..accounts.models import User
from ..children.validation import InvalidInput
from ..events import services as events
from ..extensions import db
from ..needs.rules import NeedNotFound, NotAllowed
from ..tasks import lease, services as tasks
from ..tasks.models import JobRecord
from ..types import utcnow
from .autoassign import check_staff
from .models import AutoassignProposal, ProposalVisit
from .services import assign_visit

PROPOSAL_TTL = 3 * 86400
NOTICE_BATCH = 50  # visits per notification job
LEASE_SECONDS = 30  # a killed run's lease runs out after this; a live run renews it every 10 s


class ProposalNotFound(NeedNotFound):
    """No such proposal, or not this coordinator's: the same answer."""


class Loaded(NamedTuple):
    """A run as load() gives it."""

    job: object
    proposal: dict | None
    confirmed: dict
    errors: dict
    sending: object | None  # the latest confirmation's JobRecord
    result: dict


def save(rq_id: str, coordinator_id: int, proposal: dict) -> AutoassignProposal:
    """Keep a run's proposal (once: a second save of the same run returns the first)."""
    row = _row(rq_id)
    if row is None:
        row = AutoassignProposal(rq_id=rq_id, owner_id=coordinator_id, body=json.dumps(proposal),
                                 expires_at=utcnow() + timedelta(seconds=PROPOSAL_TTL))
        db.session.add(row)
        db.session.commit()
    return row


def load_saved(rq_id: str) -> dict | None:
    """The proposal kept for a run, whoever asks (the job itself), or None."""
    row = _row(rq_id)
    return json.loads(row.body) if row is not None else None


def _row(rq_id) -> AutoassignProposal | None:
    return db.session.scalar(select(AutoassignProposal).where(AutoassignProposal.rq_id == str(rq_id)[:64]))


def load(coordinator, rq_id) -> Loaded:
    """The coordinator's run: its job record, the proposal (None while computing or once expired), the
    confirmed {need id: visit id}, errors {need id: why}, the latest confirmation's job and counts."""
    check_staff(coordinator)
    rec = db.session.scalar(select(JobRecord).where(JobRecord.rq_id == str(rq_id)[:64]))
    if rec is None or rec.kind != "autoassign" or rec.owner_id != coordinator.id:
        raise ProposalNotFound(rq_id)
    row = _row(rq_id)
    if row is None:
        return Loaded(rec, None, {}, {}, None, {})
    sending = db.session.scalar(select(JobRecord).where(JobRecord.rq_id == row.confirm_job)) if row.confirm_job else None
    live = row.expires_at is None or row.expires_at > utcnow()
    return Loaded(rec, json.loads(row.body) if live else None, made(row.id), json.loads(row.errors),
                  sending, json.loads(row.result))


def start_confirm(coordinator, rq_id, drop=(), changes=None):
    """Send the kept visits of the proposal in a background job (nothing goes out before this): dropped
    needs are skipped, changes {need id: [volunteer ids]} replace the proposed volunteers. Returns the
    job's record; a confirmation already waiting or running is refused with a clear message."""
    loaded = load(coordinator, rq_id)
    if loaded.proposal is None:
        raise InvalidInput({"proposal": _l("This proposal has expired; run auto-assign again.")})
    if loaded.sending is not None and loaded.sending.status in ("pending", "queued", "started"):
        raise InvalidInput({"proposal": _l("The offers are being sent; wait for this to finish.")})
    row = _row(rq_id)
    row.choices = json.dumps({"drop": sorted({int(x) for x in drop}),
                              "changes": {str(int(k)): [int(v) for v in vs] for k, vs in (changes or {}).items()}})
    rec = tasks.record("jobs.autoassign.confirm", row.id, kind="autoassign.confirm", owner_id=coordinator.id)
    row.confirm_job = rec.rq_id
    db.session.commit()
    tasks.dispatch(rec)
    return rec


def _message(exc) -> str:
    if isinstance(exc, InvalidInput):
        return "; ".join(str(v) for v in exc.errors.values())
    return str(_l("This need is no longer in your scope."))


def confirm(proposal_id: int, report=None, run_id: str | None = None) -> dict:
    """Run by the job: offer every kept visit through assign_visit (source "auto"), as the coordinator's
    choices say. Returns (and keeps) the counts {"sent", "already", "dropped", "errors"}.

    Safe twice, and twice at once: a run holds the proposal's lease (a second run meanwhile does nothing,
    {"busy": True}); each visit and its ProposalVisit row commit together; the database keeps one live
    visit per need whatever happens.
    """
    report = report or (lambda done, total, message="": None)
    row = db.session.get(AutoassignProposal, proposal_id)
    coordinator = db.session.get(User, row.owner_id) if row is not None else None
    if row is None or coordinator is None or not coordinator.active:
        raise NotAllowed(_l("Only a coordinator can run auto-assignment."))
    try:
        with lease.held(f"autoassign.confirm:{proposal_id}", run_id or uuid.uuid4().hex, LEASE_SECONDS) as held, \
                events.deferred_dispatch() as send_events:
            return _confirm(row, coordinator, held, report, send_events)
    except lease.LeaseHeld:
        return {"sent": 0, "already": 0, "dropped": 0, "errors": {}, "busy": True}


def _confirm(row, coordinator, held, report, send_events) -> dict:
    proposal_id, coordinator_id = row.id, coordinator.id
    proposal, choices = json.loads(row.body), json.loads(row.choices)
    confirmed, errors = made(proposal_id), {}
    drop = set(choices.get("drop", []))
    changes = {int(k): v for k, v in choices.get("changes", {}).items()}
    sent = already = 0
    items = proposal["items"]
    for n, item in enumerate(items, 1):
        need = item["need"]
        if str(need) in confirmed:
            already += 1
        elif need not in drop:
            vols = changes.get(need, item["volunteers"])
            org = None if need in changes else item["org"]
            try:
                visit = assign_visit(db.session.get(User, coordinator_id), need,
                                     datetime.fromisoformat(item["starts_at"]), datetime.fromisoformat(item["ends_at"]),
                                     volunteer_ids=vols, org_id=org, source="auto", notify=False,
                                     also=lambda v, need=need: db.session.add(
                                         ProposalVisit(proposal_id=proposal_id, need_id=need, visit_id=v.id)))
            except (InvalidInput, NeedNotFound) as exc:
                db.session.rollback()
                errors[str(need)] = _message(exc)
            else:
                confirmed[str(need)] = visit.id
                sent += 1
        # Nothing loaded is needed for the next need: a session that keeps them expires them all at every
        # commit (quadratic over a city's thousands of visits).
        db.session.expunge_all()
        if n % NOTICE_BATCH == 0 or n == len(items):
            send_events()
            _notify([confirmed[str(i["need"])] for i in items[n - (n - 1) % NOTICE_BATCH - 1:n]
                     if str(i["need"]) in confirmed])
        if n % 10 == 0 or n == len(items):
            report(n, len(items), f"{n}/{len(items)}")
        held.renew()
    result = {"sent": sent, "already": already, "dropped": len(drop), "errors": len(errors)}
    kept = made(proposal_id)
    errors = {k: v for k, v in errors.items() if k not in kept}  # made by another run meanwhile
    result["errors"] = len(errors)
    db.session.execute(update(AutoassignProposal).where(AutoassignProposal.id == proposal_id)
                       .values(errors=json.dumps(errors), result=json.dumps(result)))
    db.session.commit()
    return {**result, "errors": errors}


def made(proposal_id: int) -> dict:
    """{need id (str): visit id} of the visits the proposal made so far."""
    return {str(need): visit for need, visit in db.session.execute(
        select(ProposalVisit.need_id, ProposalVisit.visit_id).where(ProposalVisit.proposal_id == proposal_id))}


def _notify(visit_ids) -> None:
    """One job tells the helpers of a batch of visits (a rerun sends the batch again: messages are keyed
    per visit and recipient, so nobody hears twice)."""
    if visit_ids:
        tasks.enqueue("jobs.visits.notify_offers", *visit_ids, kind="notify", queue="notifications")


def delete_expired(now=None) -> int:
    """Forget proposals past their time (the visits they made stay)."""
    gone = db.session.execute(delete(AutoassignProposal).where(AutoassignProposal.expires_at < (now or utcnow())))
    db.session.commit()
    return gone.rowcount or 0


class Ready(NamedTuple):
    """A proposal waiting for its owner's check and confirmation."""

    rq_id: str
    created_at: datetime
    expires_at: datetime | None
    visits: int       # visits proposed
    unassigned: int   # needs left without a helper


def _ready(coordinator, *columns, now=None):
    return select(*columns).where(AutoassignProposal.owner_id == getattr(coordinator, "id", None),
                                  AutoassignProposal.confirm_job.is_(None),
                                  or_(AutoassignProposal.expires_at.is_(None),
                                      AutoassignProposal.expires_at > (now or utcnow())))


def ready_for(coordinator, limit: int = 50, now=None) -> list[Ready]:
    """The coordinator's proposals that are made and not yet confirmed (nor expired), newest first."""
    rows = db.session.scalars(_ready(coordinator, AutoassignProposal, now=now)
                              .order_by(AutoassignProposal.id.desc()).limit(limit))
    out = []
    for row in rows:
        body = json.loads(row.body)
        out.append(Ready(row.rq_id, row.created_at, row.expires_at, len(body.get("items", ())),
                         len(body.get("unassigned", ()))))
    return out


def ready_count(coordinator, now=None) -> int:
    """How many proposals ready_for(coordinator) lists in all (one count query)."""
    return db.session.scalar(_ready(coordinator, func.count(AutoassignProposal.id), now=now))
