"""Children nobody has visited for too long (VISIT_NO_CONTACT_DAYS, per category): the coordinators'
list and the sweep's alerts.

    silent_children(now=None, staff=None) -> [Silent]   # longest silence first; staff: only their scope
    alert(now=None) -> int                               # new inbox messages sent

An alert is keyed by the child and the day of the last contact, so it comes once per silence. A
coordinator with more than DIGEST_OVER new silences at once gets one digest for the day instead (linking
to the list), so a first run over a large registry does not flood the inbox.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from .. import access
from ..accounts.models import User
from ..children.models import Child
from ..extensions import db
from ..notifications.models import Notification
from ..types import utcnow
from . import notices
from .models import Visit
from .settings import no_contact_days, setting

CONTACT_STATUSES = ("checked_in", "done", "flagged")
DIGEST_OVER = 10


@dataclass
class Silent:
    child: Child
    days: int          # the threshold for the child's category
    since: datetime    # the last contact (or when the child was registered)

    @property
    def key(self) -> str:
        return f"nocontact:{self.child.id}:{self.since:%Y%m%d}"

    def days_since(self, now) -> int:
        return (now - self.since).days


def silent_children(now=None, staff=None) -> list[Silent]:
    """Children whose last contact is older than their category's number of days."""
    now = now or utcnow()
    last = dict(db.session.execute(select(Visit.child_id, func.max(Visit.checked_in_at))
                                   .where(Visit.status.in_(CONTACT_STATUSES)).group_by(Visit.child_id)).all())
    shortest = min([int(setting("VISIT_NO_CONTACT_DAYS")),
                    *map(int, setting("VISIT_NO_CONTACT_DAYS_BY_CATEGORY").values())])
    oldest = now - timedelta(days=shortest)
    children = db.session.scalars(select(Child).where(or_(Child.created_at <= oldest, Child.id.in_(
        [cid for cid, at in last.items() if at and at <= oldest])))).all()
    out = []
    for child in children:
        if staff is not None and not access.child_in_scope(staff, child):
            continue
        since = last.get(child.id) or child.created_at
        days = no_contact_days(child.category)
        if since is not None and now - since >= timedelta(days=days):
            out.append(Silent(child, days, since))
    return sorted(out, key=lambda s: (s.since, s.child.id))


def alert(now=None) -> int:
    """Tell each coordinator about the silences in their scope they have not heard of yet."""
    now = now or utcnow()
    rows = silent_children(now)
    if not rows:
        return 0
    sent = 0
    for user in db.session.scalars(select(User).where(User.role == "coordinator", User.active.is_(True))
                                   .order_by(User.id)):
        mine = [r for r in rows if access.child_in_scope(user, r.child)]
        if not mine:
            continue
        known = set(db.session.scalars(select(Notification.key).where(
            Notification.user_id == user.id, Notification.key.startswith("nocontact:"))))
        new = [r for r in mine if r.key not in known]
        if len(new) > DIGEST_OVER:
            sent += notices.no_contact_digest(user, len(new), now)
        else:
            sent += sum(notices.no_contact(user, r.child, r.days, r.key) for r in new)
    return sent
