"""Visit messages carry numbers with units in the recipient's language (48 小时, not 48.0 小时)."""
from sqlalchemy import select

from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.visits import notices, services

from .conftest import window


def _body(user_id, key):
    return db.session.scalar(select(Notification.body).where(Notification.user_id == user_id,
                                                             Notification.key == key))


def test_the_offer_and_the_reminder_give_hours_without_needless_decimals(app, team, monkeypatch):
    monkeypatch.setitem(app.config, "VISIT_OFFER_HOURS", 48.0)  # config reads the environment as a float
    zh, en = team["vols"][0], team["vols"][1]
    en.locale = "en"
    db.session.commit()
    visit = services.assign_visit(team["coord"], team["home"].id, *window(30), [zh.id, en.id])
    notices.offer(visit)
    assert "48 小时内" in _body(zh.id, f"visit:{visit.id}:offer")
    assert "within 48 hours;" in _body(en.id, f"visit:{visit.id}:offer")
    for a in visit.assignees:
        a.status = "accepted"
    db.session.commit()
    notices.reminder(visit, 2)
    assert "大约 2 小时后开始" in _body(zh.id, f"visit:{visit.id}:remind:2")
    assert "in about 2 hours." in _body(en.id, f"visit:{visit.id}:remind:2")
