"""The rule: who holds a verified, unexpired check of every required kind, on a given day.

    missing(user_id, purpose, on=None) -> [kind]          # what the user lacks for "visit" or an activity type
    missing_for(user_ids, purpose, on=None) -> {id: [kind]}  # the same for many (one query)
    require(user_id, purpose, on=None, error=None)       # raises SafeguardingMissing (or error) naming them
    check_signup(user_id, activity)                      # activity sign-up's hook: an ActivityError
    states(user_ids, on=None) -> {id: State}             # the badge on find helpers and proposals
    teams_missing(org_ids, on=None) -> {org id: [names]} # members of a team who lack a check

A check counts from its verification until the day before expires_on (issued_on + the kind's validity,
settings.kinds()). Purposes and kinds come from settings.py; a purpose not required needs nothing.
Uploads and the coordinators' decisions are in proofs.py; expiry reminders in expiry.py.
"""
import calendar
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..extensions import db
from . import settings
from .models import SafeguardingCheck

LOCAL = ZoneInfo("Asia/Shanghai")


class SafeguardingMissing(Exception):
    """A person lacks a verified, unexpired check a purpose needs; message names what is missing."""

    def __init__(self, message, kinds=()):
        super().__init__(str(message))
        self.message = message
        self.kinds = list(kinds)


class State(NamedTuple):
    """A person's checks in one word: verified, expiring, pending, rejected, expired or missing; until: the
    first day the verified check no longer counts (verified, expiring)."""

    status: str
    until: date | None = None


def today() -> date:
    """Today in Qingdao."""
    return datetime.now(LOCAL).date()


def local_day(on) -> date:
    """A date, or an aware datetime's Qingdao date; None: today."""
    if on is None:
        return today()
    if isinstance(on, datetime):
        return on.astimezone(LOCAL).date() if on.tzinfo else on.date()
    return on


def add_months(day: date, months: int) -> date:
    """The same day months later (the month's last day when it has no such day)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _until(user_ids, kinds) -> dict:
    """{(user id, kind): the latest expires_on of a verified check}."""
    if not user_ids or not kinds:
        return {}
    rows = db.session.execute(select(SafeguardingCheck.user_id, SafeguardingCheck.kind,
                                     func.max(SafeguardingCheck.expires_on))
                              .where(SafeguardingCheck.user_id.in_(list(user_ids)),
                                     SafeguardingCheck.kind.in_(list(kinds)),
                                     SafeguardingCheck.status == "verified")
                              .group_by(SafeguardingCheck.user_id, SafeguardingCheck.kind))
    return {(uid, kind): until for uid, kind, until in rows if until is not None}


def missing_for(user_ids, purpose: str | None, on=None) -> dict[int, list[str]]:
    """{user id: kinds lacking} of the users who lack a verified check valid on the day (none: {}).
    purpose None: whether or not any purpose requires the checks (for badges)."""
    if purpose is not None and not settings.is_required(purpose):
        return {}
    ids, kinds, day = sorted({int(u) for u in user_ids}), list(settings.kinds()), local_day(on)
    until = _until(ids, kinds)
    out = {}
    for uid in ids:
        lacking = [k for k in kinds if not (until.get((uid, k)) and day < until[(uid, k)])]
        if lacking:
            out[uid] = lacking
    return out


def missing(user_id: int, purpose: str, on=None) -> list[str]:
    """The kinds user_id lacks for purpose ("visit" or an activity's service type) on the day."""
    return missing_for([user_id], purpose, on).get(int(user_id), [])


def kind_names(kinds) -> str:
    return "、".join(settings.label(k) for k in kinds)


def message(kinds, names: str | None = None):
    """"No verified, unexpired …" for one person (names: who, for a coordinator)."""
    if names:
        return _l("%(names)s has no verified, unexpired %(kinds)s for that day, which is required to work "
                  "with children.", names=names, kinds=kind_names(kinds))
    return _l("You need a verified, unexpired %(kinds)s for that day to work with children. Upload it under "
              "My checks; a coordinator verifies it.", kinds=kind_names(kinds))


def require(user_id: int, purpose: str, on=None, error=None) -> None:
    """Raise (error or SafeguardingMissing)(message) when user_id lacks a check purpose needs on the day."""
    lacking = missing(user_id, purpose, on)
    if lacking:
        if error is not None:
            raise error(message(lacking))
        raise SafeguardingMissing(message(lacking), lacking)


def check_signup(user_id: int, activity) -> None:
    """Activity sign-up's rule: the volunteer's checks on the activity's day, for its service type."""
    from ..activities.errors import ActivityError

    require(user_id, activity.service_type, on=activity.starts_at, error=ActivityError)


def teams_missing(org_ids, on=None, purpose: str | None = settings.VISIT) -> dict[int, list[str]]:
    """{organisation id: names of active members lacking a check} (a team visit takes every member);
    purpose None: whether or not a purpose requires the checks."""
    if (purpose is not None and not settings.is_required(purpose)) or not org_ids:
        return {}
    members = db.session.execute(select(User.id, User.name, User.organisation_id).where(
        User.organisation_id.in_(list(org_ids)), User.role.in_(("org_admin", "org_member")),
        User.active.is_(True))).all()
    lacking = missing_for([m.id for m in members], purpose, on)
    out: dict = {}
    for m in members:
        if m.id in lacking:
            out.setdefault(m.organisation_id, []).append(m.name)
    return out


def states(user_ids, on=None) -> dict[int, State]:
    """Each user's state over the configured kinds (the worst kind decides), for badges."""
    ids, kinds, day = sorted({int(u) for u in user_ids}), list(settings.kinds()), local_day(on)
    if not ids or not kinds:
        return {}
    rows = db.session.execute(select(SafeguardingCheck.user_id, SafeguardingCheck.kind, SafeguardingCheck.status,
                                     SafeguardingCheck.expires_on, SafeguardingCheck.id)
                              .where(SafeguardingCheck.user_id.in_(ids), SafeguardingCheck.kind.in_(kinds))
                              .order_by(SafeguardingCheck.id.desc())).all()
    by: dict = {}
    for r in rows:
        by.setdefault((r.user_id, r.kind), []).append(r)
    soon = day + timedelta(days=int(settings.setting("SAFEGUARDING_REMIND_DAYS")))
    order = ("missing", "rejected", "expired", "pending", "expiring", "verified")
    out = {}
    for uid in ids:
        worst = None
        for k in kinds:
            s = kind_state(by.get((uid, k), []), day, soon)
            if worst is None or order.index(s.status) < order.index(worst.status) or (
                    s.status == worst.status and s.until and worst.until and s.until < worst.until):
                worst = s
        out[uid] = worst
    return out


def kind_state(rows, day: date, soon: date) -> State:
    """One kind's state from its rows, newest first."""
    valid = [r.expires_on for r in rows if r.status == "verified" and r.expires_on and day < r.expires_on]
    if valid:
        until = max(valid)
        return State("expiring" if until <= soon else "verified", until)
    if any(r.status == "pending" for r in rows):
        return State("pending")
    if rows and rows[0].status == "rejected":
        return State("rejected")
    if any(r.status == "verified" for r in rows):
        return State("expired")
    return State("missing")
