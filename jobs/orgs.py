"""Organisation jobs."""
import json

from volunteer.events.models import OutboxEvent
from volunteer.extensions import db
from volunteer.orgs import invitations


def notify_invitation(event_id: int) -> bool:
    """Tell the invited number's account (if any) about its invitation (an `organisation.invited` event;
    safe to run twice: one message per invitation round)."""
    ev = db.session.get(OutboxEvent, event_id)
    if ev is None:
        return False
    ids = json.loads(ev.payload or "{}")
    return invitations.notify(ids.get("invitation_id"), ids.get("round"))
