"""Activities through the API: volunteers find those near home (radius, days, types), staff those they
organise; signing up takes exact places then a waitlist; refusals are 409s with the reason; my hours."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from tests.activities.conftest import activity_data
from tests.wishes.test_race import _race_app
from volunteer.activities import services
from volunteer.activities.models import Activity, ActivitySignup
from volunteer.api.services import issue_token
from volunteer.extensions import db
from volunteer.volunteers.models import VolunteerProfile

EN = {"Accept-Language": "en"}
HOME = (36.107, 120.468)  # the volunteers' home, beside activity_data's venue
OPEN = {"skills": [], "min_age": None}  # anyone may sign up


def _days(n: int) -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=n)


@pytest.fixture
def people(make_user, make_org):
    org = make_org()
    home = {"lat": HOME[0], "lon": HOME[1]}
    out = {
        "coordinator": make_user(role="coordinator", scope_level="district", scope_code="370212"),
        "outsider": make_user(role="coordinator", scope_level="district", scope_code="370202"),
        "org_admin": make_user(role="org_admin", organisation_id=org.id),
        "admin": make_user(role="admin"),
        "volunteer": make_user(role="volunteer"),
        "homeless": make_user(role="volunteer"),
    }
    _home(out["volunteer"], **home)
    return out


def _home(user, lat, lon):
    p = db.session.get(VolunteerProfile, user.id)
    p.lat, p.lon = lat, lon
    db.session.commit()


@pytest.fixture
def publish(people):
    """publish(by="coordinator", **fields) -> the id of a published activity a week away."""
    def make(by="coordinator", **over):
        who = people[by]
        activity = services.create(who, activity_data(**{**OPEN, **over}))
        return services.publish(who, activity.id).id

    return make


def _ids(resp):
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [a["id"] for a in resp.json["items"]]


def test_a_volunteer_lists_published_activities_near_home_nearest_first(api, people, publish):
    near = publish(lat=HOME[0] + 0.01, lon=HOME[1])             # about 1.1 km
    nearest = publish(lat=HOME[0], lon=HOME[1] + 0.001)          # about 0.1 km
    far = publish(lat=HOME[0] + 0.3, lon=HOME[1])                # about 33 km: beyond the page's 30 km
    services.create(people["coordinator"], activity_data(**OPEN))  # a draft: nobody's list
    started = publish()
    db.session.execute(update(Activity).where(Activity.id == started).values(starts_at=_days(-1)))
    db.session.commit()
    resp = api(people["volunteer"], "GET", "/api/v1/activities")
    assert _ids(resp) == [nearest, near] and resp.json["total"] == 2  # 30 km, as on the page
    first = resp.json["items"][0]
    assert first["distance_km"] == 0.1 and first["places_left"] == 10 and first["my_signup"] is None
    assert first["service_type"] == "group_service" and first["status"] == "published"
    assert _ids(api(people["volunteer"], "GET", "/api/v1/activities?radius_km=50")) == [nearest, near, far]
    assert _ids(api(people["volunteer"], "GET", "/api/v1/activities?radius_km=0.5")) == [nearest]


def test_a_volunteer_filters_by_days_and_types(api, people, publish):
    week = publish()
    camp = publish(service_type="camp", starts_at=_days(20), ends_at=_days(21), signup_deadline=_days(19))
    local = lambda d: (d + timedelta(hours=8)).date().isoformat()  # noqa: E731 (Qingdao's day)
    v = people["volunteer"]
    assert _ids(api(v, "GET", "/api/v1/activities?type=camp")) == [camp]
    assert _ids(api(v, "GET", "/api/v1/activities?type=group_service,camp")) == [week, camp]
    assert _ids(api(v, "GET", f"/api/v1/activities?from={local(_days(10))}")) == [camp]
    assert _ids(api(v, "GET", f"/api/v1/activities?to={local(_days(10))}")) == [week]
    assert _ids(api(v, "GET", f"/api/v1/activities?from={local(_days(7))}&to={local(_days(7))}")) == [week]
    assert _ids(api(v, "GET", "/api/v1/activities?from=2000-01-01")) == [week, camp]  # never ones begun


@pytest.mark.parametrize("query, field", [("radius_km=0", "radius_km"), ("radius_km=51", "radius_km"),
                                          ("radius_km=nan", "radius_km"), ("radius_km=x", "radius_km"),
                                          ("type=party", "type"), ("from=2026-02-30", "from"),
                                          ("to=0001-01-01", "to"), ("from=2026-06-02&to=2026-06-01", "to"),
                                          ("status=gone", "status")])
def test_bad_filters_are_a_422_naming_the_field(api, people, query, field):
    for who in ("volunteer", "coordinator"):
        resp = api(people[who], "GET", f"/api/v1/activities?{query}", headers=EN)
        if who == "coordinator" and field == "radius_km":
            assert resp.status_code == 200  # staff lists have no radius
            continue
        assert resp.status_code == 422 and field in resp.json["error"]["fields"], (who, resp.json)


def test_without_a_home_point_the_list_is_the_published_ones_ahead_soonest_first(api, people, publish):
    later = publish(starts_at=_days(20), ends_at=_days(21), signup_deadline=_days(19))
    soon = publish(lat=HOME[0] + 0.3)
    resp = api(people["homeless"], "GET", "/api/v1/activities")
    assert _ids(resp) == [soon, later] and resp.json["items"][0]["distance_km"] is None
    assert _ids(api(people["homeless"], "GET", "/api/v1/activities?type=camp")) == []


def test_staff_list_the_activities_they_organise_drafts_included(api, people, publish):
    mine = publish()
    draft = services.create(people["coordinator"], activity_data()).id
    theirs = publish(by="org_admin")
    shinan = publish(by="outsider", district_code="370202", town_code="370202001")
    assert _ids(api(people["coordinator"], "GET", "/api/v1/activities")) == [theirs, draft, mine]  # latest first
    assert _ids(api(people["coordinator"], "GET", "/api/v1/activities?status=draft")) == [draft]
    assert _ids(api(people["org_admin"], "GET", "/api/v1/activities")) == [theirs]
    assert _ids(api(people["outsider"], "GET", "/api/v1/activities")) == [shinan]
    assert set(_ids(api(people["admin"], "GET", "/api/v1/activities?per_page=2"))) <= {mine, draft, theirs, shinan}
    assert api(people["admin"], "GET", "/api/v1/activities").json["total"] == 4
    assert _ids(api(people["coordinator"], "GET", "/api/v1/activities?type=camp")) == []


def test_one_activity_is_seen_as_its_status_allows(api, people, publish):
    published = publish()
    draft = services.create(people["coordinator"], activity_data(**OPEN)).id
    assert api(people["volunteer"], "GET", f"/api/v1/activities/{published}").json["id"] == published
    assert api(people["outsider"], "GET", f"/api/v1/activities/{published}").status_code == 200
    for who in ("volunteer", "outsider", "org_admin"):
        assert api(people[who], "GET", f"/api/v1/activities/{draft}").status_code == 404, who
    assert api(people["coordinator"], "GET", f"/api/v1/activities/{draft}").json["status"] == "draft"
    assert api(people["volunteer"], "GET", "/api/v1/activities/2147483647").status_code == 404
    for path in (f"/api/v1/activities/{draft}/signup", f"/api/v1/activities/{draft}/signup/cancel"):
        assert api(people["volunteer"], "POST", path).status_code == 404
    api(people["volunteer"], "POST", f"/api/v1/activities/{published}/signup")
    services.cancel(people["coordinator"], published)
    assert api(people["volunteer"], "GET", f"/api/v1/activities/{published}").json["status"] == "cancelled"
    assert api(people["outsider"], "GET", f"/api/v1/activities/{published}").status_code == 404


def test_sign_up_takes_exact_places_then_the_waitlist_and_a_cancel_promotes(api, people, publish, make_user):
    activity = publish(places=2)
    a, b, c, d = (make_user(role="volunteer") for _ in range(4))
    path = f"/api/v1/activities/{activity}/signup"
    answers = [api(v, "POST", path) for v in (a, b, c, d)]
    assert [r.status_code for r in answers] == [200] * 4
    assert [(r.json["status"], r.json["position"]) for r in answers] == [
        ("confirmed", None), ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
    again = api(a, "POST", path)
    assert (again.status_code, again.json["status"]) == (200, "confirmed")  # a double tap: the same sign-up
    shown = api(c, "GET", f"/api/v1/activities/{activity}").json
    assert (shown["places_left"], shown["waitlisted"], shown["my_signup"]["position"]) == (0, 2, 1)
    gone = api(a, "POST", f"{path}/cancel")
    assert (gone.status_code, gone.json["status"]) == (200, "cancelled")
    assert api(c, "GET", f"/api/v1/activities/{activity}").json["my_signup"]["status"] == "confirmed"
    assert db.session.get(Activity, activity).places_taken == 2


def test_refusals_are_409s_with_the_reason_and_other_roles_get_403(api, people, publish, make_user):
    activity = publish(places=1)
    v = people["volunteer"]
    not_yet = api(v, "POST", f"/api/v1/activities/{activity}/signup/cancel", headers=EN)
    assert not_yet.status_code == 409 and not_yet.json["error"] == {
        "code": "conflict", "message": "You are not signed up for this activity."}
    services.close(people["coordinator"], activity)
    closed = api(v, "POST", f"/api/v1/activities/{activity}/signup", headers=EN)
    assert closed.status_code == 409 and "closed" in closed.json["error"]["message"]
    skilled = publish(skills=["counselling"])
    lacking = api(v, "POST", f"/api/v1/activities/{skilled}/signup", headers=EN)
    assert lacking.status_code == 409 and "asks for" in lacking.json["error"]["message"]
    chinese = api(v, "POST", f"/api/v1/activities/{activity}/signup", headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 409 and "报名" in chinese.json["error"]["message"]
    for who in ("coordinator", "org_admin", "admin"):
        resp = api(people[who], "POST", f"/api/v1/activities/{skilled}/signup", headers=EN)
        assert resp.status_code == 403 and resp.json["error"]["message"] == \
            "Only volunteers can sign up for activities.", who
    assert db.session.scalar(select(ActivitySignup.id)) is None


def test_my_hours_are_the_hours_summary(api, people, publish):
    activity = publish()
    v = people["volunteer"]
    api(v, "POST", f"/api/v1/activities/{activity}/signup")
    start = db.session.get(Activity, activity).starts_at
    db.session.execute(update(ActivitySignup).where(ActivitySignup.volunteer_id == v.id).values(
        signed_in_at=start, signed_out_at=start + timedelta(minutes=90), minutes=90, hours_status="approved",
        approved_minutes=90))
    db.session.commit()
    resp = api(v, "GET", "/api/v1/me/hours", headers=EN)
    assert resp.status_code == 200
    assert resp.json["total_minutes"] == 90 and resp.json["pending"] == []
    assert resp.json["by_type"] == [{"service_type": "group_service", "minutes": 90, "service_label": "Group service"}]
    item = resp.json["items"][0]
    assert (item["kind"], item["id"], item["title"], item["minutes"]) == ("activity", activity, "六一游园会", 90)
    empty = api(people["coordinator"], "GET", "/api/v1/me/hours").json
    assert empty["total_minutes"] == 0 and empty["items"] == []


RACERS, PLACES = 30, 10


def test_thirty_http_clients_signing_up_at_once_get_ten_places_and_a_gapless_waitlist(
        app, database_url, redis_url, instance_dir, make_user, people, publish):
    import threading

    activity = publish(places=PLACES)
    racers = [make_user(role="volunteer") for _ in range(RACERS)]
    headers = [{"Authorization": f"Bearer {issue_token(u, 'race')[1]}"} for u in racers]
    race = _race_app(database_url, redis_url, instance_dir)
    clients = [race.test_client() for _ in racers]
    barrier, results = threading.Barrier(RACERS), [None] * RACERS

    def racer(k):
        barrier.wait(timeout=60)
        resp = clients[k].post(f"/api/v1/activities/{activity}/signup", headers=headers[k])
        results[k] = (resp.status_code, resp.get_json())

    threads = [threading.Thread(target=racer, args=(k,)) for k in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with race.app_context():
        db.engine.dispose()
    assert [s for s, _ in results] == [200] * RACERS, [r for r in results if r[0] != 200][:3]
    statuses = [body["status"] for _, body in results]
    assert statuses.count("confirmed") == PLACES and statuses.count("waitlisted") == RACERS - PLACES
    positions = sorted(body["position"] for _, body in results if body["status"] == "waitlisted")
    assert positions == list(range(1, RACERS - PLACES + 1))
    db.session.expire_all()
    assert db.session.get(Activity, activity).places_taken == PLACES
    rows = db.session.execute(select(ActivitySignup.volunteer_id, ActivitySignup.status)
                              .where(ActivitySignup.activity_id == activity)).all()
    assert len(rows) == RACERS and {v for v, _ in rows} == {u.id for u in racers}
