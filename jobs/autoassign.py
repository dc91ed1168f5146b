"""Auto-assignment jobs: ids in; the proposal is kept in the database (nothing is offered by propose),
and confirm sends the offers the coordinator kept."""
from flask_babel import force_locale
from rq import get_current_job

from volunteer.accounts.models import User
from volunteer.extensions import db
from volunteer.tasks.services import declare, progress
from volunteer.visits import autoassign, proposals

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
    """Offer the kept visits of a proposal; safe twice (a need already confirmed is not offered again)."""
    result = proposals.confirm(proposal_id, report=progress)
    return {k: v for k, v in result.items() if k != "errors"}


def _summary(proposal: dict) -> dict:
    return {"items": len(proposal["items"]), "unassigned": len(proposal["unassigned"])}
