"""Every notification the code sends names its subject, and its reader opens that subject's page in one tap.

SENDERS lists every function that creates a notification; a scan of volunteer/ and jobs/ for calls of
notify(), channels.send() and Notification(...) must find exactly those, so a new sender fails here until
it is listed with a trigger. Each trigger sends its message for real (services, jobs on a real worker)."""
import ast
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import select, update

from tests.visits.conftest import add_skills, window
from volunteer.accounts.models import User
from volunteer.children.models import Child
from volunteer.extensions import db
from volunteer.notifications.models import Notification
from volunteer.notifications.targets import KINDS
from volunteer.types import utcnow
from volunteer.validation import display_phone

ROOT = Path(__file__).resolve().parents[2]
# (module, name) that puts a message in an inbox; calls of them are the senders.
SENDING = {("volunteer.notifications.services", "notify"), ("volunteer.notifications.channels", "send"),
           ("volunteer.notifications.models", "Notification")}
WRAPPERS = {"volunteer.notifications.services:notify",   # the one place that builds Notification
            "volunteer.notifications.channels:send"}      # passes its caller's target on


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _absolute(node: ast.ImportFrom, module: str) -> str:
    if not node.level:
        return node.module or ""
    return ".".join(module.split(".")[:-node.level] + ([node.module] if node.module else []))


class _Scan(ast.NodeVisitor):
    """The functions of one module that call a sending name (imported, aliased or its own)."""

    def __init__(self, module: str, tree: ast.Module):
        self.module, self.stack, self.sites = module, [], set()
        self.names = {name for mod, name in SENDING if mod == module}
        self.attrs = set()  # (module alias, name): channels.send(...)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = _absolute(node, module)
                for a in node.names:
                    if (base, a.name) in SENDING:
                        self.names.add(a.asname or a.name)
                    self.attrs |= {(a.asname or a.name, name) for mod, name in SENDING if mod == f"{base}.{a.name}"}
            elif isinstance(node, ast.Import):
                for a in node.names:
                    self.attrs |= {(a.asname or a.name, name) for mod, name in SENDING if mod == a.name}
        self.visit(tree)

    def _function(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Call(self, node):
        f = node.func
        if (isinstance(f, ast.Name) and f.id in self.names) or (
                isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and (f.value.id, f.attr) in self.attrs):
            self.sites.add(f"{self.module}:{self.stack[-1] if self.stack else '<module>'}")
        self.generic_visit(node)


def call_sites() -> set[str]:
    """module:function of every call that creates a notification in volunteer/ and jobs/."""
    sites = set()
    for path in sorted([*ROOT.glob("volunteer/**/*.py"), *ROOT.glob("jobs/**/*.py")]):
        module = _module(path)
        sites |= _Scan(module, ast.parse(path.read_text(encoding="utf-8"))).sites
    return sites - WRAPPERS


# --- the senders, each triggered for real -------------------------------------------------------------

class Expect(NamedTuple):
    reader: User
    key: str          # part of the message's key
    url: str          # where opening it lands
    marker: str       # proof that the page is the subject's
    absent: str = ""  # what the reader's role does not see there


class World:
    """A 崂山区 coordinator, volunteers with skills, a child with a need on the map, a donor, an org admin."""

    def __init__(self, make_user, make_child, make_org, run_worker):
        from volunteer.matching import points
        from volunteer.needs.services import create_need

        self.make_child, self.run_worker = make_child, run_worker
        self.coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
        self.vols = [make_user(role="volunteer") for _ in range(2)]
        for v in self.vols:
            add_skills(v, "home_visit", "tutoring")
        self.donor = make_user(role="volunteer", name="李爱心")
        org = make_org()
        self.org, self.org_admin = org, make_user(role="org_admin", organisation_id=org.id)
        self.child = make_child(by=self.coord)
        self.need = create_need(self.coord, self.child.ref, {"dimension": "intellect", "service_type": "tutoring",
                                                             "skills": ["tutoring"]})
        points.sync_need(self.need.id)

    def visit(self, accepted=False):
        from volunteer.visits import answers, services

        v = self.vols[0]
        visit = services.assign_visit(self.coord, self.need.id, *window(30), [v.id])
        if accepted:
            answers.respond(v, visit.id, True)
        return v, visit

    def claim(self):
        from volunteer.needs.wishes import create_wish
        from volunteer.wishes import claims

        wish = create_wish(self.coord, self.child.ref, {"item": "台灯", "category": "study", "price_yuan": "80"})
        wish.status = "published"
        db.session.commit()
        return wish, claims.claim(self.donor, wish.ref)


def _helper_page(visit_id):
    return f"/visits/{visit_id}", 'id="visit-main"', 'id="assignees"'


def _staff_page(visit_id):
    return f"/visits/{visit_id}", 'id="assignees"', 'id="visit-main"'


def offer(w):
    v, visit = w.visit()
    w.run_worker()
    return [Expect(v, f"visit:{visit.id}:offer", *_helper_page(visit.id))]


def planned(w):
    from volunteer.matching import offers
    from volunteer.visits import services

    v = w.vols[0]
    offers.decide(w.coord, offers.offer_help(v, w.need.id).id, True)
    visit = services.assign_visit(w.coord, w.need.id, *window(30), [v.id])
    w.run_worker()
    return [Expect(v, f"visit:{visit.id}:planned", *_helper_page(visit.id))]


def reminder(w):
    from volunteer.visits import reminders

    v, visit = w.visit(accepted=True)
    reminders.remind(visit.id, 2)
    return [Expect(v, f"visit:{visit.id}:remind:2", *_helper_page(visit.id))]


def coordinators(w):
    _, visit = w.visit(accepted=True)
    w.run_worker()
    return [Expect(w.coord, f"visit:{visit.id}:accepted", *_staff_page(visit.id))]


def no_contact(w):
    from volunteer.visits import contact

    contact.alert(utcnow() + timedelta(days=31))
    return [Expect(w.coord, f"nocontact:{w.child.id}:", f"/children/{w.child.ref}", 'id="child-record"')]


def no_contact_digest(w):
    from volunteer.visits import contact

    for _ in range(contact.DIGEST_OVER):
        w.make_child(by=w.coord)
    db.session.execute(update(Child).values(created_at=utcnow() - timedelta(days=40)))  # silent for 40 days
    db.session.commit()
    contact.alert()
    return [Expect(w.coord, "nocontact-digest:", "/visits/no-contact", w.child.name)]


def notify_coordinators(w):
    from volunteer.matching import offers

    made = offers.offer_help(w.vols[0], w.need.id)
    w.run_worker()
    return [Expect(w.coord, f"offer:{made.id}", f"/offers#offer-{made.id}", f'id="offer-{made.id}"')]


def notify_volunteer(w):
    from volunteer.matching import offers

    made = offers.offer_help(w.vols[0], w.need.id)
    offers.decide(w.coord, made.id, True)
    w.run_worker()
    return [Expect(w.vols[0], f"offer:{made.id}:accepted", f"/offers#offer-{made.id}", f'id="offer-{made.id}"')]


def _tell_released(w):
    from volunteer.wishes import claims

    _, row = w.claim()
    claims.release_expired(utcnow() + timedelta(days=30))
    return [Expect(w.donor, f"wish-release:{row.id}", f"/my/wishes#claim-{row.id}", f'id="claim-{row.id}"')]


def tell_taken_back(w):
    from volunteer.needs.wishes import move_wish

    wish, row = w.claim()
    move_wish(w.coord, wish.ref, "published")
    return [Expect(w.donor, f"wish-taken-back:{row.id}", f"/my/wishes#claim-{row.id}", f'id="claim-{row.id}"')]


def _tell(w):
    from volunteer.wishes import fulfil

    wish, row = w.claim()
    fulfil.mark_bought(w.donor, row.id)
    row, code = fulfil.mark_delivered(w.donor, row.id, "hub")
    fulfil.confirm_receipt(w.coord, wish.ref, code)
    fulfil.send_thanks(w.coord, wish.ref, "谢谢叔叔阿姨的台灯！")
    page = (f"/my/wishes#claim-{row.id}", f'id="claim-{row.id}"')
    return [Expect(w.donor, f"wish-received:{row.id}", *page), Expect(w.donor, f"wish-thanks:{row.id}", *page)]


def invitation(w):
    from volunteer.orgs import invitations

    inv = invitations.invite(w.org_admin, w.org.id, w.vols[1].phone, "org_member")
    w.run_worker()
    return [Expect(w.vols[1], f"org-invite:{inv.id}:", f"/invitations#invitation-{inv.id}",
                   f'id="invitation-{inv.id}"')]


def signup_attempt(w):
    from volunteer.accounts import signup

    signup.start_signup(w.vols[1].phone, "冒名者", "Another-pass-2026")
    w.run_worker()
    return [Expect(w.vols[1], "signup-attempt:", "/account", 'id="change-password"')]


def welcome(w):
    from volunteer.accounts.services import register_volunteer

    from volunteer.privacy.services import current, record_consent

    user = register_volunteer("+8613912340000", "新志愿者", password="Huhang-2026")
    record_consent(user.id, current().id, "signup")  # as signing up does: no privacy question at login
    w.run_worker()
    return [Expect(user, f"welcome:{user.id}", "/me/profile", 'id="pin-map"')]


def _sms_code(phone):
    import re

    from volunteer.notifications import backends

    return re.search(r"\d{6}", [t for c, a, t, _ in backends.SENT if a == phone][-1]).group()


def password_reset(w):
    from volunteer.accounts import reset
    from volunteer.accounts.services import change_password

    user = w.vols[0]
    reset.start_reset(user.phone)
    w.run_worker()
    reset.finish_reset(user.phone, _sms_code(user.phone), "Qingdao-reset-88")
    change_password(user, "Huhang-2026")  # the reader logs in with the usual password below
    return [Expect(user, "password-reset:", "/account", 'id="change-password"')]


def phone_changed(w):
    from volunteer.accounts import phone

    user = w.vols[1]
    phone.start_phone_change(user, "+8613700000009")
    w.run_worker()
    phone.finish_phone_change(user, _sms_code("+8613700000009"), "Huhang-2026")
    return [Expect(user, "phone-changed:", "/account", 'id="change-password"')]


def activity(w):
    from datetime import timedelta as td

    from tests.activities.conftest import activity_data
    from volunteer.activities import reminders, services

    a = services.publish(w.coord, services.create(w.coord, activity_data(places=1)).id)
    for v in w.vols:
        services.sign_up(v, a.id)
    services.cancel_signup(w.vols[0], a.id)  # the waitlisted vols[1] is promoted
    services.cancel(w.coord, a.id)           # vols[1] (confirmed) is told
    soon = utcnow() + td(hours=1)
    b = services.publish(w.coord, services.create(w.coord, activity_data(
        starts_at=soon, ends_at=soon + td(hours=2), signup_deadline=soon - td(minutes=10))).id)
    reminders.remind(services.sign_up(w.vols[0], b.id).id, 2)
    page = 'id="activity-details"', 'id="organiser-actions"'
    return [Expect(w.vols[1], f"activity:{a.id}:promoted:{w.vols[1].id}", f"/activities/{a.id}", *page),
            Expect(w.vols[1], f"activity:{a.id}:cancelled:{w.vols[1].id}", f"/activities/{a.id}", *page),
            Expect(w.vols[0], f"activity:{b.id}:remind:2:{w.vols[0].id}:", f"/activities/{b.id}", *page)]


def safeguarding_expiry(w):
    from tests.safeguarding.conftest import expiring_in
    from volunteer.safeguarding import expiry

    row = expiring_in(w.vols[0], 20)
    expiry.remind_expiring()
    return [Expect(w.vols[0], f"safeguarding:{row.id}:expiring", "/my/checks", 'id="check-no_criminal_record"')]


SENDERS = {
    "volunteer.visits.notices:offer": offer,
    "volunteer.visits.notices:planned": planned,
    "volunteer.visits.notices:reminder": reminder,
    "volunteer.visits.notices:coordinators": coordinators,
    "volunteer.visits.notices:no_contact": no_contact,
    "volunteer.visits.notices:no_contact_digest": no_contact_digest,
    "jobs.offers:notify_coordinators": notify_coordinators,
    "jobs.offers:notify_volunteer": notify_volunteer,
    "volunteer.wishes.claims:_tell_released": _tell_released,
    "volunteer.wishes.claims:tell_taken_back": tell_taken_back,
    "volunteer.wishes.fulfil:_tell": _tell,
    "volunteer.orgs.invitations:notify": invitation,
    "volunteer.accounts.signup:send_signup_message": signup_attempt,
    "volunteer.notifications.services:send_welcome": welcome,
    "volunteer.accounts.reset:_tell": password_reset,
    "volunteer.accounts.phone:_tell": phone_changed,
    "volunteer.activities.notices:_send": activity,
    "volunteer.safeguarding.expiry:remind_expiring": safeguarding_expiry,
}


def test_every_function_that_sends_a_notification_is_listed_with_a_trigger():
    found = call_sites()
    assert len(found) >= 10, "the scan found too few senders: is it still reading the code?"
    assert found == set(SENDERS), (f"not listed in SENDERS: {sorted(found - set(SENDERS))}; "
                                   f"listed but sending nothing: {sorted(set(SENDERS) - found)}")


def test_the_scan_finds_a_sender_in_new_code():
    code = ("from ..notifications import channels\nfrom ..notifications.services import notify as tell\n"
            "def a():\n    tell(1, 'k', 'k', 't')\ndef b():\n    channels.send(1, 'k', 'k', 't')\n"
            "def c():\n    other.send(1)\n")
    assert _Scan("volunteer.things.news", ast.parse(code)).sites == {"volunteer.things.news:a",
                                                                     "volunteer.things.news:b"}


def _login(app, user):
    client = app.test_client()
    resp = client.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client


@pytest.mark.parametrize("sender", sorted(SENDERS))
def test_each_sender_stores_a_target_its_reader_opens_in_one_tap(app, make_user, make_child, make_org,
                                                                  run_worker, sender):
    w = World(make_user, make_child, make_org, run_worker)
    for exp in SENDERS[sender](w):
        n = db.session.scalar(select(Notification).where(Notification.user_id == exp.reader.id,
                                                         Notification.key.contains(exp.key)))
        assert n is not None, f"{sender} sent nothing with {exp.key!r} to its reader"
        assert n.target_kind in KINDS and n.read_at is None
        client = _login(app, exp.reader)
        resp = client.post(f"/inbox/{n.id}/open")
        assert resp.status_code == 303 and resp.headers["Location"] == exp.url
        page = client.get(exp.url)
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and exp.marker in body, exp.url
        assert not exp.absent or exp.absent not in body
        db.session.expire_all()
        assert db.session.get(Notification, n.id).read_at is not None
