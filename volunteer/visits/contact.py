"""Children nobody has visited for too long (VISIT_NO_CONTACT_DAYS, per category): the coordinators'
list and the sweep's alerts.

    silent_children(now=None, staff=None, category=None, limit=None, offset=0) -> [Silent]
                                                         # longest silence first; staff: only their scope
    silent_counts(now=None, staff=None) -> {category: n} # how many silent_children lists, per category
    alert(now=None) -> int                               # new inbox messages sent

An alert is keyed by the child and the day of the last contact, so it comes once per silence. A
coordinator with more than DIGEST_OVER new silences at once gets one digest for the day instead (linking
to the list), so a first run over a large registry does not flood the inbox.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import case, func, literal, select

from .. import access
from ..accounts.models import User
from ..children.models import Child
from ..extensions import db
from ..notifications.models import Notification
from ..types import UTCDateTime, utcnow
from . import notices
from .models import Visit
from .settings import no_contact_days, setting

CONTACT_STATUSES = ("checked_in", "done", "flagged")
DIGEST_OVER = 10


def alert_key(child_id: int, since: datetime) -> str:
    """One alert per child and silence: the day of the last contact is in the key."""
    return f"nocontact:{child_id}:{since:%Y%m%d}"


@dataclass
class Silent:
    child: Child
    days: int          # the threshold for the child's category
    since: datetime    # the last contact (or when the child was registered)

    @property
    def key(self) -> str:
        return alert_key(self.child.id, self.since)

    def days_since(self, now) -> int:
        return (now - self.since).days


def _silent(now, prefix: str, *columns):
    """(select(*columns) of the children under the code prefix whose last contact (a visit checked in, else
    the day they were registered) is older than their category's number of days, that last contact's
    column): one query, so a count loads no rows."""
    last = (select(Visit.child_id, func.max(Visit.checked_in_at).label("at"))
            .where(Visit.status.in_(CONTACT_STATUSES)).group_by(Visit.child_id).subquery())
    since = func.coalesce(last.c.at, Child.created_at)

    def before(days):
        return literal(now - timedelta(days=int(days)), UTCDateTime)

    limit = before(setting("VISIT_NO_CONTACT_DAYS"))
    by_category = setting("VISIT_NO_CONTACT_DAYS_BY_CATEGORY")
    if by_category:
        limit = case(*[(Child.category == c, before(d)) for c, d in by_category.items()], else_=limit)
    stmt = (select(*columns).select_from(Child).outerjoin(last, last.c.child_id == Child.id).where(since <= limit))
    return (stmt.where(access.child_scope_clause(prefix)) if prefix else stmt), since


def _silences(now, prefix: str = "", category=None, limit=None, offset=0) -> list[tuple]:
    """(child id, ref, town, district, days, since) of every silent child under the code prefix (of a
    category), as plain values (no ORM objects: a caller that commits per message would reload them all),
    longest first."""
    stmt, since = _silent(now, prefix, Child.id, Child.ref, Child.town_code, Child.district_code, Child.category)
    stmt = stmt.add_columns(since)
    if category:
        stmt = stmt.where(Child.category == category)
    stmt = stmt.order_by(since, Child.id).offset(offset)
    rows = db.session.execute(stmt if limit is None else stmt.limit(limit))
    return [(cid, ref, town or "", district or "", no_contact_days(cat), at)
            for cid, ref, town, district, cat, at in rows]


def _prefix(staff) -> str | None:
    return access.scope_prefix(staff) if staff is not None else ""


def silent_children(now=None, staff=None, category=None, limit=None, offset=0) -> list[Silent]:
    """Children whose last contact is older than their category's number of days (staff: in scope; a
    category: only its children), longest silence first."""
    now = now or utcnow()
    prefix = _prefix(staff)
    if prefix is None:
        return []
    rows = _silences(now, prefix, category, limit, offset)
    children = {}
    ids = [r[0] for r in rows]
    for i in range(0, len(ids), 900):
        children.update((c.id, c) for c in db.session.scalars(select(Child).where(Child.id.in_(ids[i:i + 900]))))
    return [Silent(children[r[0]], r[4], r[5]) for r in rows if r[0] in children]


def silent_counts(now=None, staff=None) -> dict:
    """{category: how many children silent_children(now, staff, category) lists} (categories with none
    left out): one GROUP BY query."""
    prefix = _prefix(staff)
    if prefix is None:
        return {}
    stmt = _silent(now or utcnow(), prefix, Child.category, func.count(Child.id))[0]
    return dict(db.session.execute(stmt.group_by(Child.category)).all())


class _Row(NamedTuple):
    """A silence as the alert needs it: plain values, so the commits of sending reload nothing."""

    child_id: int
    child_ref: str
    town: str
    district: str
    days: int
    key: str


class _Scopes:
    """The silences inside a scope prefix, found through buckets of the codes cut to the prefix's
    length (the same test as access.in_scope: a town or district code starting with the prefix)."""

    def __init__(self, rows: list[_Row]):
        self.rows, self.buckets = rows, {}

    def inside(self, prefix: str) -> list[_Row]:
        if prefix == "":
            return self.rows
        n = len(prefix)
        bucket = self.buckets.get(n)
        if bucket is None:
            bucket = self.buckets[n] = {}
            for r in self.rows:
                for code in {r.town[:n], r.district[:n]}:
                    if len(code) == n:
                        bucket.setdefault(code, []).append(r)
        return bucket.get(prefix, [])


def _known(user_id: int, keys: list[str]) -> set:
    out = set()
    for i in range(0, len(keys), 500):
        out |= set(db.session.scalars(select(Notification.key).where(
            Notification.user_id == user_id, Notification.key.in_(keys[i:i + 500]))))
    return out


def alert(now=None) -> int:
    """Tell each coordinator about the silences in their scope they have not heard of yet."""
    now = now or utcnow()
    rows = [_Row(cid, ref, town, district, days, alert_key(cid, since))
            for cid, ref, town, district, days, since in _silences(now)]
    if not rows:
        return 0
    scopes = _Scopes(rows)
    coordinators = db.session.execute(select(User.id, User.role, User.scope_level, User.scope_code, User.locale)
                                      .where(User.role == "coordinator", User.active.is_(True))
                                      .order_by(User.id)).all()
    sent = 0
    for user in coordinators:
        prefix = access.scope_prefix(user)
        mine = scopes.inside(prefix) if prefix is not None else []
        if not mine:
            continue
        known = _known(user.id, [r.key for r in mine])
        new = [r for r in mine if r.key not in known]
        if len(new) > DIGEST_OVER:
            sent += notices.no_contact_digest(user, len(new), now)
        else:
            sent += sum(notices.no_contact(user, r.child_id, r.child_ref, r.days, r.key) for r in new)
    return sent
