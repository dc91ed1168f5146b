"""Send and read in-app notifications."""
from datetime import date
from itertools import groupby
from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..extensions import db
from ..types import utcnow
from .models import Notification
from .targets import KINDS, Target

LOCAL = ZoneInfo("Asia/Shanghai")  # days in the inbox are Qingdao's days


def notify(user_id: int, kind: str, key: str, title: str, body: str = "", *, target: Target) -> bool:
    """Put a message about target in a user's inbox once per key; return False if it was already there."""
    if target.kind not in KINDS:
        raise ValueError(f"unknown notification target kind {target.kind!r}: add its resolver to targets.py")
    if db.session.scalar(select(Notification.id).where(Notification.user_id == user_id,
                                                       Notification.key == key)):
        return False
    db.session.add(Notification(user_id=user_id, kind=kind, key=key, title=title, body=body,
                                target_kind=target.kind, target_id=target.id))
    try:
        db.session.commit()
    except IntegrityError:
        # Two runs of the same job raced; the unique key kept exactly one.
        db.session.rollback()
        return False
    return True


def send_welcome(user_id: int) -> bool:
    """Welcome a new volunteer in their own language; idempotent."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    with force_locale(user.locale or "zh_Hans_CN"):
        title = _("Welcome to Huhang, %(name)s!", name=user.name)
        body = _("Thank you for joining. Complete your profile (skills, free times and where you live) "
                 "so coordinators can find children's needs near you.")
    return notify(user.id, "welcome", f"welcome:{user.id}", title, body, target=Target("profile"))


def unread_count(user_id: int) -> int:
    """Count a user's unread messages."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def inbox(user_id: int, limit: int = 50) -> list[Notification]:
    """Return a user's newest messages."""
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                              .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()


def mark_read(user_id: int, notification_id: int) -> Notification | None:
    """Mark one of the user's messages read; None if it is not theirs."""
    n = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                     Notification.user_id == user_id))
    if n and n.read_at is None:
        n.read_at = utcnow()
        db.session.commit()
    return n


def mark_all_read(user_id: int) -> int:
    """Mark every unread message of the user read; return how many."""
    done = db.session.execute(update(Notification).where(Notification.user_id == user_id,
                                                         Notification.read_at.is_(None))
                              .values(read_at=utcnow()), execution_options={"synchronize_session": False})
    db.session.commit()
    return done.rowcount


def by_day(items: list[Notification]) -> list[tuple[date, list[Notification]]]:
    """Messages (newest first) grouped by the Qingdao day they came."""
    return [(day, list(group)) for day, group in groupby(items, key=lambda n: local_day(n.created_at))]


def local_day(moment) -> date:
    """The Qingdao day of an aware moment."""
    return moment.astimezone(LOCAL).date()
