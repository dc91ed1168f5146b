"""The driver's part of any home: the delivery runs given to the user that are still to drive (those of
/deliveries, logistics.runs.my_runs), with their stops and packs."""
from ..logistics import runs
from ..logistics.drivers import run_state


def summary(user) -> dict:
    """{"runs": [{"run", "state", "stops", "left", "packs"}]}: the runs /deliveries lists under 要送的."""
    out = []
    for run in runs.my_runs(user):
        if run.status != "planned":
            continue
        out.append({"run": run, "state": run_state(run), "stops": len(run.stops),
                    "left": sum(1 for s in run.stops if s.status == "pending"),
                    "packs": sum(s.packs for s in run.stops)})
    return {"runs": out}
