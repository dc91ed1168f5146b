"""Send and read in-app notifications."""
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..extensions import db
from ..types import utcnow
from .models import Notification


def notify(user_id: int, kind: str, key: str, title: str, body: str = "") -> bool:
    """Put a message in a user's inbox once per key; return False if it was already there."""
    if db.session.scalar(select(Notification.id).where(Notification.user_id == user_id,
                                                       Notification.key == key)):
        return False
    db.session.add(Notification(user_id=user_id, kind=kind, key=key, title=title, body=body))
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
    return notify(user.id, "welcome", f"welcome:{user.id}", title, body)


def unread_count(user_id: int) -> int:
    """Count a user's unread messages."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def inbox(user_id: int, limit: int = 50) -> list[Notification]:
    """Return a user's newest messages."""
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                              .order_by(Notification.id.desc()).limit(limit)).all()


def mark_read(user_id: int, notification_id: int) -> Notification | None:
    """Mark one of the user's messages read; None if it is not theirs."""
    n = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                     Notification.user_id == user_id))
    if n and n.read_at is None:
        n.read_at = utcnow()
        db.session.commit()
    return n
