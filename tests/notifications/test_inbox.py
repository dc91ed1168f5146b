"""The in-app inbox."""
from volunteer.notifications import services
from volunteer.notifications.targets import Target

ACCOUNT = Target("account")


def test_notify_is_idempotent_per_key(app, make_user):
    user = make_user()
    assert services.notify(user.id, "test", "k1", "hello", target=ACCOUNT) is True
    assert services.notify(user.id, "test", "k1", "hello again", target=ACCOUNT) is False
    assert [n.title for n in services.inbox(user.id)] == ["hello"]


def test_marking_read_updates_the_count_and_only_for_the_owner(app, client, make_user, login):
    owner, other = make_user(), make_user()
    services.notify(owner.id, "test", "k1", "hello", target=ACCOUNT)
    n = services.inbox(owner.id)[0]
    login(other)
    assert client.post(f"/inbox/{n.id}/read").status_code == 404
    client.post("/logout")
    login(owner)
    assert services.unread_count(owner.id) == 1
    resp = client.post(f"/inbox/{n.id}/read", headers={"HX-Request": "true"})
    assert resp.status_code == 200 and "unread" not in resp.get_data(as_text=True).split(">")[0]
    assert services.unread_count(owner.id) == 0


def test_welcome_is_written_in_the_users_language(app, make_user):
    user = make_user(locale="en", name="Li Hua")
    services.send_welcome(user.id)
    assert services.inbox(user.id)[0].title == "Welcome to Huhang, Li Hua!"


def test_a_message_marked_read_without_htmx_goes_back_to_the_inbox_and_loses_its_unread_badge(
        app, client, make_user, login):
    owner = make_user()
    services.notify(owner.id, "test", "k1", "hello", target=ACCOUNT)
    n = services.inbox(owner.id)[0]
    login(owner)
    page = client.get("/inbox/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Unread" in page
    resp = client.post(f"/inbox/{n.id}/read")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/inbox/")
    page = client.get("/inbox/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Unread" not in page and "hello" in page
