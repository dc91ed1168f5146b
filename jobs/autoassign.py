"""The auto-assignment job: ids in, a proposal kept in the job's meta (nothing is offered here)."""
from flask_babel import force_locale
from rq import get_current_job

from volunteer.accounts.models import User
from volunteer.extensions import db
from volunteer.tasks.services import declare, progress
from volunteer.visits import autoassign

POLICIES = {"jobs.autoassign.propose": declare("jobs.autoassign.propose", timeout=900, retries=2, intervals=(10, 60))}
# The proposal lives in the job's meta: keep the finished job (and so the proposal) this long.
POLICIES["jobs.autoassign.propose"]["result_ttl"] = autoassign.PROPOSAL_TTL


def propose(coordinator_id: int, max_km: int, *need_ids) -> dict:
    """Compute the proposal for the coordinator's needs and keep it in job.meta["proposal"].

    Safe twice: a job that already holds its proposal returns it unchanged (one proposal per run)."""
    job = get_current_job()
    if job is not None and job.meta.get("proposal"):
        return _summary(job.meta["proposal"])
    user = db.session.get(User, coordinator_id)
    with force_locale((user.locale if user else None) or "zh_Hans_CN"):
        proposal = autoassign.propose(coordinator_id, [int(i) for i in need_ids], max_km, report=progress)
    if job is not None:
        job.meta["proposal"] = proposal
        job.save_meta()
    return _summary(proposal)


def _summary(proposal: dict) -> dict:
    return {"items": len(proposal["items"]), "unassigned": len(proposal["unassigned"])}
