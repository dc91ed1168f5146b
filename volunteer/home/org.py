"""The org home (members and admins of an organisation that is not a caring unit): the team's offers to
answer (admins answer for the team, visits/answers.py) and its visits, members and invitations for admins,
the needs board; counts from the services behind the lists they open.
"""
from ..orgs import invitations, services as orgs
from .visits import visits_part
from .wishes import claims_part


def team_part(user) -> dict:
    """For an organisation admin: how many members the organisation page lists and how many of its
    invitations still wait for an answer; {} for anyone else."""
    if user.role != "org_admin" or not user.organisation_id:
        return {}
    org_id = user.organisation_id
    return {"team": {"org_id": org_id, "members": len(orgs.members(user, org_id)),
                     "invitations": sum(1 for inv in invitations.sent(user, org_id) if inv["waiting"])}}


def summary(user) -> dict:
    """Template context of templates/home/_org.html."""
    org = getattr(user, "organisation", None)
    return {"org_name": org.name if org else "", "is_org_admin": user.role == "org_admin",
            **visits_part(user), **team_part(user), **claims_part(user)}
