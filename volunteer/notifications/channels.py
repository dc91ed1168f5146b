"""One way to tell someone something: the in-app inbox always, plus the SMS and email they chose.

    send(user_id, kind, key, title, body, target=Target(...)) -> bool   # True when the inbox message is new
    choices(user_id) -> ChannelChoice | None; choose(user, sms, email)

Idempotent per event and recipient: the inbox message is unique per (user, key) and each channel's
delivery per (message, channel), so a job that runs twice (or is retried) sends each message once;
a failed delivery is tried again on the next run and raises, so the job fails and is retried.
"""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..extensions import db
from ..types import utcnow
from .backends import backend
from .models import CHANNELS, ChannelChoice, Delivery, Notification
from .services import notify
from .targets import Target


class DeliveryFailed(RuntimeError):
    """A channel's backend could not send (the job fails and is retried)."""


def choices(user_id: int) -> ChannelChoice | None:
    return db.session.get(ChannelChoice, user_id)


def chosen(user_id: int) -> list[str]:
    """The extra channels a user chose."""
    c = choices(user_id)
    return [ch for ch in CHANNELS if c is not None and getattr(c, ch)]


def choose(user, sms: bool, email: bool) -> ChannelChoice:
    """Save a user's channel choice (the inbox is always on)."""
    c = choices(user.id) or ChannelChoice(user_id=user.id)
    c.sms, c.email = bool(sms), bool(email)
    db.session.add(c)
    db.session.commit()
    return c


def send(user_id: int, kind: str, key: str, title: str, body: str = "", *, target: Target) -> bool:
    """Inbox message about target once per key, then any chosen channel not yet delivered."""
    new = notify(user_id, kind, key, title[:120], body, target=target)
    deliver(user_id, key)
    return new


def _delivery(notification_id: int, channel: str) -> Delivery:
    d = db.session.scalar(select(Delivery).where(Delivery.notification_id == notification_id,
                                                 Delivery.channel == channel))
    if d is not None:
        return d
    db.session.add(Delivery(notification_id=notification_id, channel=channel))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a parallel run made it first
    return db.session.scalar(select(Delivery).where(Delivery.notification_id == notification_id,
                                                    Delivery.channel == channel))


def deliver(user_id: int, key: str) -> int:
    """Send the message with key on each chosen channel where it was not sent yet; return how many went."""
    n = db.session.scalar(select(Notification).where(Notification.user_id == user_id, Notification.key == key))
    user = db.session.get(User, user_id)
    if n is None or user is None:
        return 0
    sent, failed = 0, None
    for channel in chosen(user_id):
        d = _delivery(n.id, channel)
        if d.status == "sent":
            continue
        address = user.phone if channel == "sms" else user.email
        if not address:
            d.status, d.error = "failed", "no address"
            db.session.commit()
            continue
        d.attempts += 1
        try:
            backend(channel).send(address, n.title, n.body)
        except Exception as exc:  # noqa: BLE001 - any backend error: record it, retry later
            d.status, d.error = "failed", f"{type(exc).__name__}: {exc}"[:200]
            failed = exc
        else:
            d.status, d.sent_at, d.error = "sent", utcnow(), ""
            sent += 1
        db.session.commit()
    if failed is not None:
        raise DeliveryFailed(str(failed)[:200])
    return sent
