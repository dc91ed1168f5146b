"""Guessing a password is slowed per account without locking the owner out of a phone they have used."""
from limits import parse_many

PHONE = "+8613912345678"


def attempt(client, password="bad-guess", addr="10.0.0.1", lang="en"):
    return client.post("/login", data={"phone": "139 1234 5678", "password": password},
                       environ_base={"REMOTE_ADDR": addr}, headers={"Accept-Language": lang})


def guess_from_many_places(app, n=150):
    """An attacker tries n wrong passwords, from a new address every 4 tries."""
    attacker = app.test_client()
    return [attempt(attacker, addr=f"10.1.{i // 4 // 250}.{i // 4 % 250}").status_code for i in range(n)]


def test_guessing_from_elsewhere_does_not_lock_the_owner_out_of_a_phone_they_used_before(client, app, make_user):
    make_user(phone=PHONE)
    assert attempt(client, "Huhang-2026", addr="192.168.1.5").status_code == 302
    client.post("/logout")
    codes = guess_from_many_places(app)
    assert codes.count(429) > 100
    assert attempt(client, "Huhang-2026", addr="192.168.1.5").status_code == 302


def test_the_known_phone_works_from_a_new_address_too(client, app, make_user):
    make_user(phone=PHONE)
    attempt(client, "Huhang-2026", addr="192.168.1.5")
    client.post("/logout")
    guess_from_many_places(app)
    assert attempt(client, "Huhang-2026", addr="172.16.0.9").status_code == 302  # on the bus, mobile data


def test_a_new_browser_is_told_how_long_to_wait_in_its_language(app, make_user):
    make_user(phone=PHONE)
    guess_from_many_places(app, n=40)
    resp = attempt(app.test_client(), "Huhang-2026", addr="172.16.0.9")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 429
    assert "please wait 1 minute and try again" in body and "where you have logged in before" in body
    zh = attempt(app.test_client(), "Huhang-2026", addr="172.16.0.10", lang="zh-CN").get_data(as_text=True)
    assert "请等 1 分钟后再试" in zh


def test_attempts_per_account_stay_within_100_an_hour_from_any_mix_of_addresses(app, make_user):
    make_user(phone=PHONE)
    hourly = [lim for lim in parse_many(app.config["LOGIN_RATE_PER_ACCOUNT"])
              if lim.GRANULARITY.seconds == 3600]
    assert hourly and all(lim.amount <= 100 for lim in hourly)
    assert guess_from_many_places(app, n=150).count(401) <= 10  # slowed to 10 a minute
    app.config["LOGIN_RATE_PER_ACCOUNT"] = "100/hour"
    attacker = app.test_client()
    codes = [attempt(attacker, addr=f"10.2.{i // 250}.{i % 250}").status_code for i in range(220)]
    assert codes.count(401) <= 100 - 10 and codes[-1] == 429


def test_a_device_known_for_another_account_does_not_skip_the_limit(client, app, make_user):
    make_user(phone=PHONE)
    mine = make_user(phone="+8613700000001")
    client.post("/login", data={"phone": mine.phone, "password": "Huhang-2026"})
    client.post("/logout")
    codes = [attempt(client, addr=f"10.3.0.{i // 4}").status_code for i in range(40)]
    assert codes.count(401) <= 10


def test_a_forged_device_cookie_is_ignored(app, make_user):
    make_user(phone=PHONE)
    attacker = app.test_client()
    attacker.set_cookie("hh_device", "eyJkIjoieCIsImEiOlsiMTIzNCJdfQ.forged")
    codes = [attempt(attacker, addr=f"10.4.0.{i // 4}").status_code for i in range(40)]
    assert codes.count(401) <= 10


def test_the_wait_is_told_right_while_limits_are_counted_in_memory_with_redis_away(app, make_user):
    from volunteer.extensions import limiter

    make_user(phone=PHONE)
    limiter._storage_dead = True  # as after a Redis error: Flask-Limiter's in-memory fallback counts
    guess_from_many_places(app, n=40)
    body = attempt(app.test_client(), "Huhang-2026", addr="172.16.0.9").get_data(as_text=True)
    assert "please wait 1 minute and try again" in body  # not "2 minutes" for a 10-a-minute limit
