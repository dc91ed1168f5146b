"""The coordinator home ("today"): what waits in the coordinator's area, most urgent first, each count from
the service behind the list it opens (so the count is what that list shows), then the month's figures.

    waiting(user, now=None) -> (tiles with a count, tiles at zero)   # Tile: key, count, label, url, ...
    month(user, today=None) -> dict                                  # stats.services.figures of this month
    summary(user) -> dict                                            # the template's context

Every count is one count query inside the user's scope (no rows loaded), so the page stays quick on a
city's registry.
"""
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import access
from ..children.models import CATEGORIES
from ..geo import services as geo
from ..matching import offers
from ..stats import services as stats
from ..tasks import services as tasks
from ..types import utcnow
from ..visits import contact, lists, proposals
from ..volunteers import services as volunteers


@dataclass(frozen=True)
class Tile:
    """One kind of waiting work: its count, a short label, what zero means, and the list it opens."""

    key: str
    count: int
    label: str
    empty: str
    url: str
    tone: str = "warn"  # danger, warn or info: how it looks while something waits
    note: str = ""      # a second short line (a child category)


def _no_contact(user, now) -> list[Tile]:
    """One tile per category with children nobody visited for too long (one all-clear tile when none)."""
    counts = contact.silent_counts(now, staff=user)
    tiles = [Tile(f"no-contact-{c}", counts[c], _l("No contact for too long"), "", url_for(
        "visits.no_contact", category=c), "warn", label) for c, label in CATEGORIES.items() if counts.get(c)]
    return tiles or [Tile("no-contact", 0, _l("No contact for too long"), _l("Every child has had contact recently."),
                          url_for("visits.no_contact"))]


def waiting(user, now=None) -> tuple[list[Tile], list[Tile]]:
    """(the tiles with something waiting, the tiles at zero), each in order of urgency."""
    now = now or utcnow()
    tiles = [
        Tile("overdue", lists.staff_count(user, "overdue", now), _l("Overdue visits"), _l("No overdue visits."),
             url_for("visits.index", show="overdue"), "danger"),
        Tile("flagged", lists.staff_count(user, "flagged", now), _l("Flagged visits"), _l("No flagged visits."),
             url_for("visits.index", show="flagged"), "danger"),
        Tile("review", lists.staff_count(user, "review", now), _l("Reports to review"), _l("No reports to review."),
             url_for("visits.index", show="review")),
        Tile("offers", offers.pending_count(user), _l("Offers to decide"), _l("No offers are waiting for an answer."),
             url_for("matching.offers")),
        Tile("to-plan", lists.to_plan_count(user), _l("Accepted offers to plan"), _l("No accepted offers to plan."),
             url_for("visits.index", _anchor="h-offers")),
        *_no_contact(user, now),
        Tile("proposals", proposals.ready_count(user, now), _l("Proposals to confirm"), _l("No proposals to confirm."),
             url_for("visits.autoassign_start", _anchor="proposals-ready"), "info"),
        Tile("failed", tasks.failed_count(user), _l("Failed jobs"), _l("No failed jobs."), url_for("tasks.failed"),
             "danger"),
        Tile("credentials", volunteers.pending_credentials_count(user), _l("Credentials to verify"),
             _l("No credentials to verify."), url_for("volunteers.credentials"), "info"),
    ]
    return [t for t in tiles if t.count], [t for t in tiles if not t.count]


def area_name(user) -> str:
    """The user's area as people say it: 青岛市 for the whole city, else the district's or town's name."""
    prefix = access.scope_prefix(user)
    if prefix is None:
        return str(_l("your area"))
    return (geo.name_of(prefix) or prefix) if prefix else str(_l("Qingdao"))


def month(user, today=None) -> dict | None:
    """This month's figures of the user's area (stats.services.figures from the 1st to today) and the link
    to the statistics page for the same days; None for staff without an area."""
    if access.scope_prefix(user) is None:
        return None
    today = today or datetime.now(stats.LOCAL).date()
    first = today.replace(day=1)
    f = stats.figures(user, first, today)
    return {"first": first, "last": today, "visits": f.services_total["visits"],
            "children": f.reach["children_served"], "hours": f.services_total["hours"],
            "volunteers": f.volunteers["served"], "new_children": f.reach["new_children"],
            "new_needs": f.reach["new_needs"],
            "url": url_for("stats.index", start=first.isoformat(), end=today.isoformat())}


def summary(user) -> dict:
    """Template context of templates/home/_coordinator.html."""
    busy, clear = waiting(user)
    return {"waiting": busy, "clear": clear, "area": area_name(user), "month": month(user)}
