"""Auto-assignment jobs: ids in; the proposal is kept in the database (nothing is offered by propose),
and confirm sends the offers the coordinator kept."""
import os
import uuid

from flask_babel import force_locale
from rq import Retry, get_current_job

from volunteer.accounts.models import User
from volunteer.extensions import db
from volunteer.tasks.services import BUSY, declare, note, progress
from volunteer.visits import autoassign, proposals
from volunteer.visits.models import AutoassignProposal

BUSY_RETRIES = 60  # 15 s apart: a run that is still going may take a quarter of an hour

POLICIES = {
    "jobs.autoassign.propose": declare("jobs.autoassign.propose", timeout=900, retries=2, intervals=(10, 60)),
    "jobs.autoassign.confirm": declare("jobs.autoassign.confirm", timeout=1800, retries=2, intervals=(10, 60)),
}


def propose(coordinator_id: int, max_km: int, *need_ids) -> dict:
    """Compute the proposal for the coordinator's needs and keep it (proposals.save).

    Safe twice: a run that already has its proposal returns it unchanged (one proposal per run)."""
    job = get_current_job()
    kept = proposals.load_saved(job.id) if job is not None else None
    if kept is not None:
        return _summary(kept)
    user = db.session.get(User, coordinator_id)
    with force_locale((user.locale if user else None) or "zh_Hans_CN"):
        proposal = autoassign.propose(coordinator_id, [int(i) for i in need_ids], max_km, report=progress)
    if job is not None:
        proposals.save(job.id, coordinator_id, proposal)
    return _summary(proposal)


def confirm(proposal_id: int) -> dict:
    """Offer the kept visits of a proposal; safe twice, also at once (a second run waits for the first)."""
    row = db.session.get(AutoassignProposal, proposal_id)
    user = db.session.get(User, row.owner_id) if row is not None else None
    job = get_current_job()
    run_id = f"{job.id if job else 'direct'}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # an orphaned horse differs
    with force_locale((user.locale if user else None) or "zh_Hans_CN"):  # the reasons it keeps are read later
        result = proposals.confirm(proposal_id, report=progress, run_id=run_id)
    if result.get("busy"):  # another run (maybe this job's orphaned horse) holds the proposal: again later
        note(BUSY)
        return Retry(max=BUSY_RETRIES, interval=proposals.LEASE_SECONDS // 2)
    return {k: v for k, v in result.items() if k != "errors"}


def _summary(proposal: dict) -> dict:
    return {"items": len(proposal["items"]), "unassigned": len(proposal["unassigned"])}
