"""The donor home (members and admins of a caring unit): my claims with their next step and the care events
open for claiming; for the unit's admins its members and invitations. Counts come from the services behind
the lists they open.
"""
from .org import team_part
from .wishes import claims_part, events_part


def summary(user) -> dict:
    """Template context of templates/home/_donor.html."""
    org = getattr(user, "organisation", None)
    return {"org_name": org.name if org else "", **claims_part(user), **events_part(user), **team_part(user)}
