"""Micro-wish jobs: release claims not marked bought in time (ids only; safe to run twice)."""
from volunteer.tasks.services import progress
from volunteer.wishes import claims, schedule


def release_expired() -> int:
    """Release every expired unbought claim (each exactly once, however many runs overlap), tell the
    donors, then come back later: the job re-schedules itself first, so a failing run keeps the chain."""
    schedule.schedule_release()
    ids = claims.expired_claim_ids()
    released = 0
    for n, claim_id in enumerate(ids, 1):
        released += claims.release_claim(claim_id)
        progress(n, len(ids))
    return released
