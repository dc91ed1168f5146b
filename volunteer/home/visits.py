"""The visits part of a helper's home (volunteers, organisation members and admins).

    visits_part(user, now=None) -> {"offers": [present.card], "next_visit": dict | None, "ahead_count": int}

Offers and visits ahead are visits.lists.helper_sections, the lists of /my/visits, so the counts match that
page. The next visit shows what its page shows the helper (visits/phone_views.py): the privacy card's town,
the address only while the visit's access grant runs, the 导航 hand-off of visits/navigation.py. The
co-helpers' and the coordinator's phones follow the guardian's: shown only while that grant runs (from
two hours before the visit), names otherwise.
"""
from ..accounts.models import User
from ..extensions import db
from ..units import day_time
from ..visits import lists, navigation, present, services


def visits_part(user, now=None) -> dict:
    """The offers waiting for the user's answer (or their team's, for an organisation admin), the next
    visit in detail, and how many visits are ahead in all."""
    sections = lists.helper_sections(user, now)
    return {"offers": [present.card(v, user) for v in sections.to_answer],
            "next_visit": next_visit(sections.ahead[0], user) if sections.ahead else None,
            "ahead_count": len(sections.ahead)}


def _person(user, phones: bool) -> dict:
    return {"name": user.name, "phone": user.phone if phones else ""}


def people(visit, user, phones: bool) -> dict:
    """Who goes with the user (the other helpers asked or accepted; for a team visit, the team) and the
    coordinator who planned the visit; phones only when phones is True (the user's grant for the visit runs)."""
    others = [a.user for a in visit.assignees if a.user_id != user.id and a.status in ("offered", "accepted")]
    planner = db.session.get(User, visit.created_by_id) if visit.created_by_id else None
    return {"co_helpers": [_person(u, phones) for u in others if u.active],
            "team": visit.org.name if visit.org else "",
            "coordinator": _person(planner, phones) if planner is not None and planner.active else None}


def next_visit(visit, user) -> dict:
    """The visit as the home's "my next visit" card shows it."""
    contact = services.contact(user, visit)
    return {"v": present.card(visit, user), "when": f"{day_time(visit.starts_at)}–{present.local(visit.ends_at)[-5:]}",
            "contact": contact, "nav": navigation.links(visit.child, contact), "phones": contact is not None,
            **people(visit, user, phones=contact is not None)}
