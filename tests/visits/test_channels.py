"""Notifications: the inbox always, SMS and email as each user chose, once per event and recipient."""
import pytest
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.notifications import backends, channels
from volunteer.notifications.models import Delivery, Notification
from volunteer.notifications.targets import Target

ACCOUNT = Target("account")


class Broken:
    def __init__(self, channel):
        self.channel = channel

    def send(self, address, title, body):
        raise ConnectionError("gateway down")


def test_send_twice_gives_one_inbox_message_and_one_sms(app, make_user):
    user = make_user(email="v@example.org")
    channels.choose(user, sms=True, email=False)
    backends.SENT.clear()
    assert channels.send(user.id, "visit", "k:1", "标题", "内容", target=ACCOUNT) is True
    assert channels.send(user.id, "visit", "k:1", "标题", "内容", target=ACCOUNT) is False
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id)) == 1
    assert [s[0] for s in backends.SENT] == ["sms"]
    assert db.session.scalar(select(Delivery.status)) == "sent"


def test_inbox_only_when_no_channel_chosen(app, make_user):
    user = make_user()
    backends.SENT.clear()
    channels.send(user.id, "visit", "k:2", "t", target=ACCOUNT)
    assert backends.SENT == [] and db.session.scalar(select(func.count(Delivery.id))) == 0


def test_a_failed_delivery_raises_and_is_retried_later_without_a_second_inbox_message(app, make_user):
    user = make_user(email="w@example.org")
    channels.choose(user, sms=False, email=True)
    app.config["NOTIFY_EMAIL_BACKEND"] = f"{__name__}:Broken"
    try:
        with pytest.raises(channels.DeliveryFailed):
            channels.send(user.id, "visit", "k:3", "t", target=ACCOUNT)
    finally:
        app.config.pop("NOTIFY_EMAIL_BACKEND")
    assert db.session.scalar(select(Delivery.status)) == "failed"
    backends.SENT.clear()
    channels.send(user.id, "visit", "k:3", "t", target=ACCOUNT)
    assert db.session.scalar(select(Delivery.status)) == "sent" and len(backends.SENT) == 1
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id)) == 1
