"""Gift-pack logistics jobs: ids only, idempotent (reruns do only what is missing), progress per batch."""
from volunteer.logistics import allocation, packing, runs
from volunteer.tasks.services import progress


def allocate(campaign_id: int) -> dict:
    """Allocate the campaign's packs (or finish an allocation a killed worker left half done)."""
    return allocation.allocate(campaign_id, report=lambda d, t: progress(d, t, f"{d}/{t}"))


def packing_lists(campaign_id: int) -> dict:
    """Write every hub's packing list (CSV and PDF)."""
    return packing.write_all(campaign_id, report=lambda d, t: progress(d, t, f"{d}/{t}"))


def plan_runs(campaign_id: int, capacity: int) -> int:
    """Group the confirmed packs into delivery runs and order their stops."""
    return runs.plan(campaign_id, int(capacity), report=lambda d, t: progress(d, t, f"{d}/{t}"))
