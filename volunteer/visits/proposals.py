"""Auto-assign proposals: kept in the database, loaded by their owner, confirmed into offers by a job.

    save(rq_id, coordinator_id, proposal) -> AutoassignProposal   # by jobs.autoassign.propose, once
    load(coordinator, rq_id) -> Loaded                            # ProposalNotFound if not theirs
    start_confirm(coordinator, rq_id, drop=(), changes=None)      # queues jobs.autoassign.confirm
    confirm(proposal_id, report=None) -> dict                      # run by it: offers through assign_visit
    delete_expired(now=None) -> int                                # by the visits sweep
"""
import json
from datetime import datetime, timedelta
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..accounts.models import User
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.rules import NeedNotFound, NotAllowed
from ..tasks import services as tasks
from ..tasks.models import JobRecord
from ..types import utcnow
from .autoassign import check_staff
from .models import AutoassignProposal
from .services import assign_visit

PROPOSAL_TTL = 3 * 86400


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
    return Loaded(rec, json.loads(row.body) if live else None, json.loads(row.confirmed), json.loads(row.errors),
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


def confirm(proposal_id: int, report=None) -> dict:
    """Run by the job: offer every kept visit through assign_visit (source "auto"), as the coordinator's
    choices say. Safe twice: a need already confirmed is not offered again. Returns (and keeps) the counts
    {"sent", "already", "dropped", "errors"}."""
    report = report or (lambda done, total, message="": None)
    row = db.session.get(AutoassignProposal, proposal_id)
    coordinator = db.session.get(User, row.owner_id) if row is not None else None
    if row is None or coordinator is None or not coordinator.active:
        raise NotAllowed(_l("Only a coordinator can run auto-assignment."))
    proposal, choices = json.loads(row.body), json.loads(row.choices)
    confirmed, errors = json.loads(row.confirmed), {}
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
                visit = assign_visit(coordinator, need, datetime.fromisoformat(item["starts_at"]),
                                     datetime.fromisoformat(item["ends_at"]), volunteer_ids=vols, org_id=org,
                                     source="auto")
            except (InvalidInput, NeedNotFound) as exc:
                db.session.rollback()
                errors[str(need)] = _message(exc)
            else:
                confirmed[str(need)] = visit.id
                sent += 1
                # Kept after every visit. A worker killed just before this line is still safe: on the rerun
                # assign_visit refuses a need that already has a live visit.
                row.confirmed = json.dumps(confirmed)
                db.session.commit()
        if n % 10 == 0 or n == len(items):
            report(n, len(items), f"{n}/{len(items)}")
    result = {"sent": sent, "already": already, "dropped": len(drop), "errors": len(errors)}
    row.errors, row.result = json.dumps(errors), json.dumps(result)
    db.session.commit()
    return {**result, "errors": errors}


def delete_expired(now=None) -> int:
    """Forget proposals past their time (the visits they made stay)."""
    gone = db.session.execute(delete(AutoassignProposal).where(AutoassignProposal.expires_at < (now or utcnow())))
    db.session.commit()
    return gone.rowcount or 0
