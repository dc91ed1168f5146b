"""Gift-pack logistics jobs: ids only, idempotent (reruns do only what is missing), progress per batch."""
from volunteer.logistics import allocation, packing, runs
from volunteer.tasks.services import STALE, note, progress


def allocate(campaign_id: int, attempt: int | None = None) -> dict:
    """Allocate the campaign's packs (or finish an allocation a killed worker left half done); a run asked
    for an earlier attempt of the campaign (a late retry after a cancel) does nothing and says so."""
    result = allocation.allocate(campaign_id, report=lambda d, t: progress(d, t, f"{d}/{t}"), attempt=attempt)
    if result["stale"]:
        note(STALE)
    return result


def packing_lists(campaign_id: int) -> dict:
    """Write every hub's packing list (CSV and PDF)."""
    return packing.write_all(campaign_id, report=lambda d, t: progress(d, t, f"{d}/{t}"))


def plan_runs(campaign_id: int, capacity: int) -> int:
    """Group the confirmed packs into delivery runs and order their stops."""
    return runs.plan(campaign_id, int(capacity), report=lambda d, t: progress(d, t, f"{d}/{t}"))
