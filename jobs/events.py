"""Domain-event jobs: the generic event handler and the outbox reconciler."""
import json

from volunteer.events import services
from volunteer.events.models import OutboxEvent
from volunteer.extensions import db


def handle(event_id: int) -> str | None:
    """Run the in-process effects of one event (services.EFFECTS[topic]); return its topic.

    A missing event (erased with its subject) is a quiet no-op. Safe to run twice: effects must be
    idempotent, and this job itself changes nothing.
    """
    ev = db.session.get(OutboxEvent, event_id)
    if ev is None:
        return None
    effect = services.EFFECTS.get(ev.topic)
    if effect is not None:
        effect(ev, json.loads(ev.payload or "{}"))
    return ev.topic


def reconcile_outbox() -> int:
    """Re-send undispatched events, then come back in 60 s: a self-rescheduling periodic job.

    It re-schedules itself first (fixed job id "outbox-reconciler", via enqueue_in on the default
    queue, unless that id is already scheduled), so a failing run does not break the chain; the
    worker's scheduler runs it again. One `services.start_reconciler()` when `flask worker` starts
    keeps it going for as long as a worker with the scheduler runs; starting again is harmless.
    """
    services.schedule_reconciler()
    return services.reconcile()
