"""Browser tests of the visit flow through a dead zone (Playwright's context.set_offline): a volunteer opens an
accepted visit, loses signal, checks in (emulated GPS) and files the report, sees "待同步", gets signal back,
and exactly one check-in and one report are saved, also when the same actions are sent again. The visit kept
on the phone is gone after logout, when its grant ends and when it is cancelled; logging out with actions
not sent asks first; the offline page shows without network; the manifest and the worker are readable."""
from datetime import timedelta

from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect
from sqlalchemy import func, select

from e2e.helpers import log_in
from volunteer.audit.models import AuditEntry
from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.types import utcnow
from volunteer.visits import answers, services
from volunteer.visits.models import Visit, VisitReport
from volunteer.volunteers.models import VolunteerSkill

HOME = (36.1102, 120.4622)  # the child's home in tests/conftest.py CHILD
# What this phone keeps (IndexedDB huhang-offline): the visits' ids and addresses, the outbox's items.
KEPT = """() => new Promise((resolve) => {
  const open = indexedDB.open('huhang-offline');
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('visits')) { db.close(); resolve({visits: [], outbox: []}); return; }
    const t = db.transaction(['visits', 'outbox']), out = {};
    t.objectStore('visits').getAll().onsuccess = (e) => {
      out.visits = e.target.result.map((v) => ({id: v.id, address: v.contact && v.contact.address})); };
    t.objectStore('outbox').getAll().onsuccess = (e) => { out.outbox = e.target.result; };
    t.oncomplete = () => { db.close(); resolve(out); };
  };
})"""


def _accepted_visit(make_user, make_child):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    volunteer = make_user(role="volunteer", name="王志愿")
    db.session.add(VolunteerSkill(user_id=volunteer.id, skill="tutoring"))
    db.session.commit()
    child = make_child(by=coordinator)
    need = create_need(coordinator, child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                                "skills": ["tutoring"]})
    start = utcnow() + timedelta(minutes=20)
    visit = services.assign_visit(coordinator, need.id, start, start + timedelta(hours=1), [volunteer.id])
    answers.respond(volunteer, visit.id, True)
    return coordinator, volunteer, visit


# The worker's registration as the page sees it, for the message when it never takes control.
REGISTRATION = """async () => {
  const r = await navigator.serviceWorker.getRegistration();
  const state = (w) => w ? w.state : null;
  return r ? {installing: state(r.installing), waiting: state(r.waiting), active: state(r.active)} : null;
}"""
CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def _ready(page):
    """Wait until the worker controls the page and the phone's copies are up to date."""
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    # Installing precaches the app shell (about 30 files) from the test's one-process server. Once in CI (of
    # hundreds of runs, on a loaded machine) the worker never took control within 60 s of the first page
    # after the login; every page registers it again, as the app does on a phone, so a page loaded once more
    # gets it. What the registration looked like is printed, for the next time.
    try:
        page.wait_for_function(CONTROLLED, timeout=30_000)
    except PlaywrightTimeout:
        print("service worker not in control after 30 s:", page.evaluate(REGISTRATION))
        page.reload()
        page.wait_for_selector("html[data-offline-ready]", state="attached")
        page.wait_for_function(CONTROLLED, timeout=60_000)


def _kept_ids(page):
    return [v["id"] for v in page.evaluate(KEPT)["visits"]]


def _open_visit(page, base, volunteer, visit):
    log_in(page, base, volunteer)
    page.goto(f"{base}/visits/{visit.id}")
    _ready(page)
    page.reload()  # the page the worker controls from its start, as on any later visit
    _ready(page)


def test_a_visit_checked_in_and_reported_without_signal_is_saved_once_when_signal_returns(live_server, phone,
                                                                                       make_user, make_child):
    _, volunteer, visit = _accepted_visit(make_user, make_child)
    page = phone(geolocation=HOME)
    _open_visit(page, live_server, volunteer, visit)
    kept = page.evaluate(KEPT)["visits"]
    assert [v["id"] for v in kept] == [visit.id] and "崂山区某路1号" in kept[0]["address"]

    page.context.set_offline(True)
    page.locator("#checkin-button").click()
    expect(page.locator("#offline-copy")).to_be_visible()
    expect(page.locator("#checked-in")).to_be_visible()
    expect(page.locator("#visit-contact")).to_contain_text("崂山区某路1号")
    expect(page.locator("#sync-status")).to_have_text("待同步 (1)")
    page.locator("#report-link").click()
    page.fill("#f-body", "身体健康，吃得好")
    page.select_option("select[name=need_service_0]", "counselling")
    page.select_option("select[name=need_dimension_0]", "mind")
    page.locator("#report-submit").click()
    expect(page.locator("#visit-pending")).to_contain_text("签到、探访报告")
    expect(page.locator("#visit-status")).to_have_text("待同步")
    expect(page.locator("#sync-status")).to_have_text("待同步 (2)")
    sent = page.evaluate(KEPT)["outbox"]
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "accepted"  # nothing reached the server yet

    page.context.set_offline(False)
    expect(page.locator("#sync-status")).to_be_hidden(timeout=15_000)
    expect(page.locator("#report-filed")).to_be_visible()  # the visit page, from the server again
    db.session.expire_all()
    saved = db.session.get(Visit, visit.id)
    assert saved.status == "checked_in" and saved.check_in_synced_at is not None
    assert saved.check_in_distance_m < 50  # the phone's fix, taken without signal
    reports = db.session.scalars(select(VisitReport).where(VisitReport.visit_id == visit.id)).all()
    assert len(reports) == 1 and reports[0].body == "身体健康，吃得好" and reports[0].synced_at is not None

    # The phone sends the same two actions again (an answer lost on the way): each gets its first answer back.
    result = page.evaluate("""async (items) => {
      const O = window.HuhangOffline;
      for (const item of items) { item.state = 'pending'; await O.queue(item); }
      return O.sync(); }""", sent)
    assert result == {"state": "done", "sent": 2, "failed": 0}
    db.session.expire_all()
    assert db.session.scalar(select(func.count(VisitReport.id)).where(VisitReport.visit_id == visit.id)) == 1
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_id == visit.id, AuditEntry.reason == "checkin:offline")) == 1


def test_a_check_out_tapped_without_signal_on_the_visit_page_is_sent_when_signal_returns(live_server, phone,
                                                                                        make_user, make_child):
    _, volunteer, visit = _accepted_visit(make_user, make_child)
    page = phone(geolocation=HOME)
    _open_visit(page, live_server, volunteer, visit)
    page.locator("#checkin-button").click()
    expect(page.locator("#checkout-button")).to_be_visible()  # checked in with signal: the server's page
    page.context.set_offline(True)
    page.locator("#checkout-button").click()  # an htmx form: kept on the phone instead
    expect(page.locator("#checked-out")).to_be_visible()
    expect(page.locator("#sync-status")).to_have_text("待同步 (1)")
    page.context.set_offline(False)
    expect(page.locator("#sync-status")).to_be_hidden(timeout=15_000)
    db.session.expire_all()
    done = db.session.get(Visit, visit.id)
    assert done.status == "done" and done.check_out_synced_at is not None and done.check_in_synced_at is None


def test_a_check_in_lost_on_a_failing_signal_is_kept_by_the_worker_and_sent_later(live_server, phone, make_user,
                                                                                 make_child):
    _, volunteer, visit = _accepted_visit(make_user, make_child)
    page = phone(geolocation=HOME)
    _open_visit(page, live_server, volunteer, visit)
    lost = f"{live_server}/**"  # the phone says it is online, but nothing gets through
    page.context.route(lost, lambda route: route.abort())
    page.locator("#checkin-button").click()
    expect(page.locator("#offline-copy")).to_be_visible()
    expect(page.locator("#sync-status")).to_have_text("待同步 (1)")
    page.context.unroute(lost)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#sync-status")).to_be_hidden(timeout=15_000)
    expect(page.locator("#checked-in")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).check_in_synced_at is not None


def test_logging_out_with_actions_not_sent_asks_first_then_the_kept_visit_is_gone(live_server, phone, make_user,
                                                                                 make_child):
    _, volunteer, visit = _accepted_visit(make_user, make_child)
    page = phone(geolocation=HOME)
    _open_visit(page, live_server, volunteer, visit)
    page.goto(f"{live_server}/account")
    _ready(page)
    assert _kept_ids(page) == [visit.id]
    page.evaluate("""(a) => window.HuhangOffline.queue({user_id: a.user, visit_id: a.visit, kind: 'checkin',
      fields: {lat: String(a.lat), lon: String(a.lon), accuracy: '12'}, recorded_at: new Date().toISOString()})""",
                  {"user": volunteer.id, "visit": visit.id, "lat": HOME[0], "lon": HOME[1]})
    page.locator("#logout").click()
    expect(page.locator("#outbox-dialog")).to_be_visible()
    expect(page.locator("#outbox-dialog-text")).to_contain_text("还有 1 项没有发送")
    page.locator("#outbox-stay").click()
    expect(page.locator("#outbox-dialog")).to_be_hidden()
    assert page.url == f"{live_server}/account"

    page.locator("#logout").click()
    page.locator("#outbox-send").click()
    page.wait_for_url(f"{live_server}/login")
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "checked_in"  # sent before logging out, not lost
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    assert page.evaluate(KEPT) == {"visits": [], "outbox": []}


def test_the_kept_visit_is_gone_when_its_grant_ends_and_when_the_visit_is_cancelled(live_server, phone, make_user,
                                                                                   make_child):
    coordinator, volunteer, visit = _accepted_visit(make_user, make_child)
    page = phone(geolocation=HOME)
    _open_visit(page, live_server, volunteer, visit)
    assert _kept_ids(page) == [visit.id]
    # Its grant ended (the phone's clock says so): without signal, the next run of the app deletes it.
    page.evaluate("""() => new Promise((resolve) => {
      const open = indexedDB.open('huhang-offline');
      open.onsuccess = () => {
        const t = open.result.transaction('visits', 'readwrite'), s = t.objectStore('visits');
        s.getAll().onsuccess = (e) => e.target.result.forEach((v) => {
          v.grant_ends_at = new Date(Date.now() - 60000).toISOString(); s.put(v); });
        t.oncomplete = () => { open.result.close(); resolve(); };
      };
    })""")
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#offline-missing")).to_be_visible()
    assert _kept_ids(page) == []

    page.context.set_offline(False)
    page.reload()
    _ready(page)
    assert _kept_ids(page) == [visit.id]  # fetched again while its grant runs
    answers.cancel(coordinator, visit.id)
    page.reload()
    _ready(page)
    assert _kept_ids(page) == []


def test_the_offline_page_shows_without_network_and_the_app_is_installable(live_server, phone):
    page = phone()
    page.goto(f"{live_server}/login")
    _ready(page)
    manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.json())")
    assert manifest["name"] == "护航" and manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)") == f"{live_server}/"
    page.context.set_offline(True)
    page.goto(f"{live_server}/my/visits")
    expect(page.locator("#offline-home h1")).to_have_text("离线使用")
    expect(page.locator("#offline-now")).to_be_visible()
    expect(page.locator("#offline-can")).to_contain_text("签到和签退")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
