"""Opening a message: it is marked read and lands on its subject (else on its row in the inbox); messages
under Qingdao days; the unread count on the nav's Inbox item."""
import re
from datetime import datetime, time, timedelta

import pytest
from babel.dates import format_skeleton
from sqlalchemy import select, text

from volunteer.accounts.models import User
from volunteer.extensions import db
from volunteer.notifications import services
from volunteer.notifications.models import Notification
from volunteer.notifications.services import LOCAL, local_day
from volunteer.notifications.targets import Target
from volunteer.types import utcnow

EN = {"Accept-Language": "en"}


def _old(user, title="Your visit was moved", at=None) -> Notification:
    """A message as stored before targets existed."""
    n = Notification(user_id=user.id, kind="visit", key=f"old:{title}", title=title, body="", created_at=at or utcnow())
    db.session.add(n)
    db.session.commit()
    return n


def test_an_old_message_without_a_target_shows_and_opens_its_own_row_in_the_inbox(app, client, make_user, login):
    user = make_user()
    n = _old(user)
    login(user)
    page = client.get("/inbox/", headers=EN).get_data(as_text=True)
    assert "Your visit was moved" in page and f'action="/inbox/{n.id}/open"' in page
    resp = client.post(f"/inbox/{n.id}/open", headers=EN)
    assert resp.status_code == 303 and resp.headers["Location"] == f"/inbox/#n-{n.id}"
    page = client.get("/inbox/", headers=EN).get_data(as_text=True)
    assert "no longer available" not in page  # nothing was lost: it never had a subject
    db.session.refresh(n)
    assert n.read_at is not None


def test_opening_marks_read_and_another_users_message_is_not_found(app, client, make_user, login):
    owner, other = make_user(), make_user()
    services.notify(owner.id, "security", "k1", "hello", target=Target("account"))
    n = services.inbox(owner.id)[0]
    login(other)
    assert client.post(f"/inbox/{n.id}/open").status_code == 404
    db.session.refresh(n)
    assert n.read_at is None
    client.post("/logout")
    login(owner)
    resp = client.post(f"/inbox/{n.id}/open")
    assert resp.status_code == 303 and resp.headers["Location"] == "/account"
    assert services.unread_count(owner.id) == 0


def test_a_subject_gone_or_out_of_scope_opens_the_inbox_with_a_word_why(app, client, make_user, make_child, login):
    from volunteer.children.services import delete_child

    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    gone, moved = make_child(by=coord), make_child(by=coord)
    for child in (gone, moved):
        services.notify(coord.id, "visit", f"nocontact:{child.id}", "No contact", target=Target("child", child.id))
    by_child = {n.target_id: n for n in services.inbox(coord.id)}
    login(coord)
    assert client.post(f"/inbox/{by_child[moved.id].id}/open").headers["Location"] == f"/children/{moved.ref}"
    delete_child(coord, gone.ref)
    coord.scope_code = "370203"  # now 市北区: 崂山区's child is out of scope
    db.session.commit()
    for n in by_child.values():
        resp = client.post(f"/inbox/{n.id}/open", headers=EN)
        assert resp.headers["Location"] == f"/inbox/#n-{n.id}"
        assert "no longer available to you" in client.get("/inbox/", headers=EN).get_data(as_text=True)
    assert client.get(f"/children/{moved.ref}").status_code == 404  # the page it did not send them to


def test_a_visit_message_opens_the_same_visit_for_staff_and_helpers_and_the_inbox_for_others(
        app, make_user, make_child):
    from tests.visits.conftest import window
    from volunteer.needs.services import create_need
    from volunteer.notifications.targets import url_for
    from volunteer.visits.services import assign_visit

    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    vol, stranger = make_user(role="volunteer"), make_user(role="volunteer")
    child = make_child(by=coord)
    need = create_need(coord, child.ref, {"dimension": "intellect", "service_type": "tutoring", "skills": []})
    visit = assign_visit(coord, need.id, *window(30), [vol.id])
    readers = (coord, vol, stranger, outsider)
    for user in readers:
        services.notify(user.id, "visit", f"v:{visit.id}", "Visit", target=Target("visit", visit.id))
    with app.test_request_context():
        urls = [url_for(u, services.inbox(u.id)[0]) for u in readers]
    assert urls[:2] == [f"/visits/{visit.id}"] * 2  # the page shows each its own view (tests/notifications/test_targets.py)
    assert all(u.startswith("/inbox/#n-") for u in urls[2:])


def test_an_unknown_target_kind_is_refused_when_sending(app, make_user):
    with pytest.raises(ValueError, match="resolver"):
        services.notify(make_user().id, "x", "k", "t", target=Target("spaceship", 1))


def _qingdao(day, hour, minute):
    return datetime.combine(day, time(hour, minute), LOCAL)


def test_messages_are_grouped_under_today_yesterday_and_a_date_by_qingdao_days(app, client, make_user, login):
    user = make_user()
    today = local_day(utcnow())
    # 00:01 today and 23:59 yesterday in Qingdao are the same day in UTC (16:01 and 15:59).
    _old(user, "just after midnight", _qingdao(today, 0, 1))
    _old(user, "just before midnight", _qingdao(today - timedelta(days=1), 23, 59))
    _old(user, "last week", _qingdao(today - timedelta(days=6), 9, 0))
    login(user)
    page = client.get("/inbox/").get_data(as_text=True)
    date = format_skeleton("MMMdEEE" if (today - timedelta(days=6)).year == today.year else "yMMMd",
                           today - timedelta(days=6), locale="zh_Hans_CN")
    order = [page.index(s) for s in ("今天", "just after midnight", "昨天", "just before midnight", date, "last week")]
    assert order == sorted(order)
    assert page.count('<h2 class="section-title"') == 3


def _badge(page):
    m = re.search(r'<span class="badge" id="nav-unread"( hidden)?>(\d+)', page)
    return None if m is None or m.group(1) else int(m.group(2))


def test_the_nav_badge_counts_unread_messages_and_follows_reading_them(app, client, make_user, login):
    user, other = make_user(), make_user()
    for i in range(3):
        services.notify(user.id, "security", f"k{i}", f"hello {i}", target=Target("account"))
    services.notify(other.id, "security", "k", "not yours", target=Target("account"))
    first = services.inbox(user.id)[-1]
    login(user)
    assert _badge(client.get("/").get_data(as_text=True)) == 3
    resp = client.post(f"/inbox/{first.id}/read", headers={"HX-Request": "true"})
    fragment = resp.get_data(as_text=True)
    assert 'id="nav-unread" hx-swap-oob="true"' in fragment and _badge(fragment.replace(' hx-swap-oob="true"', "")) == 2
    client.post(f"/inbox/{services.inbox(user.id)[0].id}/open")
    page = client.get("/inbox/").get_data(as_text=True)
    assert _badge(page) == 1 and 'id="read-all"' in page
    assert client.post("/inbox/read-all").status_code == 303
    page = client.get("/inbox/").get_data(as_text=True)
    assert _badge(page) is None and 'id="read-all"' not in page
    assert not [c for c in re.findall(r'<li class="([^"]*)"', page) if "unread" in c.split()]
    assert services.unread_count(user.id) == 0 and services.unread_count(other.id) == 1


def test_existing_messages_migrate_without_a_target_and_still_show(app, client, make_user, login):
    from flask_migrate import downgrade, upgrade

    user_id = make_user().id
    db.session.remove()
    try:
        downgrade(revision="b014e0000015")  # before targets
        db.session.execute(text("INSERT INTO notification (user_id, key, kind, created_at, title, body) "
                                "VALUES (:u, 'old:1', 'visit', :at, 'Message from before', '')"),
                           {"u": user_id, "at": utcnow()})
        db.session.commit()
        db.session.remove()
    finally:
        upgrade()
    from volunteer.privacy.services import consent_everyone

    consent_everyone()  # the downgrade took the privacy tables, and the user's consent with them
    n = db.session.scalar(select(Notification).where(Notification.user_id == user_id))
    assert (n.title, n.target_kind, n.target_id) == ("Message from before", None, None)
    login(db.session.get(User, user_id))
    assert "Message from before" in client.get("/inbox/").get_data(as_text=True)
    assert client.post(f"/inbox/{n.id}/open").headers["Location"] == f"/inbox/#n-{n.id}"
