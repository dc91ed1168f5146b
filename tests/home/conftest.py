"""Waiting work in three areas for the staff homes' tests: a town of 崂山区 (沙子口街道), another town of the
district, and another district (市南区), each with one item of every kind a coordinator's home counts."""
import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from volunteer.extensions import db
from volunteer.matching.models import Offer
from volunteer.needs.models import Need
from volunteer.tasks.models import JobRecord
from volunteer.types import utcnow
from volunteer.visits.models import AutoassignProposal, Visit, VisitReport
from volunteer.volunteers.models import VolunteerProfile, VolunteerSkill

TOWN, OTHER_TOWN, OTHER_DISTRICT = "370212002", "370212003", "370202001"
PLACES = {TOWN: ("370212", "36.1102", "120.4622"), OTHER_TOWN: ("370212", "36.155815", "120.486679"),
          OTHER_DISTRICT: ("370202", "36.0661", "120.3830")}
CATEGORY = {TOWN: "orphan", OTHER_TOWN: "difficult", OTHER_DISTRICT: "de_facto_unsupported"}


def _need(child, status="assigned"):
    need = Need(child_id=child.id, dimension="social", service_type="companionship", status=status)
    db.session.add(need)
    db.session.flush()
    return need


def _visit(child, status, starts_at, **extra):
    visit = Visit(need_id=_need(child).id, child_id=child.id, status=status, starts_at=starts_at,
                  ends_at=starts_at + timedelta(hours=1), **extra)
    db.session.add(visit)
    db.session.flush()
    return visit


def add_work(child, volunteer, owner, now=None):
    """One of each waiting item about child (and a few that wait no longer); nobody visited child for 60
    days. volunteer: offers and a credential; owner: the coordinator whose proposals these are."""
    now = now or utcnow()
    long_ago = now - timedelta(days=60)
    _visit(child, "accepted", now - timedelta(hours=6))                                   # overdue
    _visit(child, "accepted", now - timedelta(minutes=90))                                # not yet overdue
    _visit(child, "flagged", long_ago, checked_in_at=long_ago)                            # flagged
    for reviewed in (None, long_ago):                                                     # one report to review
        done = _visit(child, "done", long_ago, checked_in_at=long_ago, service_minutes=60)
        db.session.add(VisitReport(visit_id=done.id, body="好", reviewed_at=reviewed))
    db.session.add(Offer(need_id=_need(child, "open").id, volunteer_id=volunteer.id, status="pending"))
    db.session.add(Offer(need_id=_need(child, "open").id, volunteer_id=volunteer.id, status="declined"))
    db.session.add(Offer(need_id=_need(child).id, volunteer_id=volunteer.id, status="accepted",  # to plan
                         decided_at=now))
    for status in ("failed", "finished"):
        db.session.add(JobRecord(rq_id=f"job-{child.id}-{status}", kind="notify", queue="notifications",
                                 func="jobs.offers.notify_volunteer", subject=f"child:{child.id}", status=status))
    for i, (confirm_job, expires) in enumerate(((None, now + timedelta(days=1)), ("sent", now + timedelta(days=1)),
                                                (None, now - timedelta(minutes=1)))):      # one ready
        db.session.add(AutoassignProposal(rq_id=f"aa-{child.id}-{i}", owner_id=owner.id,
                                          body=json.dumps({"items": [], "unassigned": []}), confirm_job=confirm_job,
                                          expires_at=expires))
    child.created_at = now - timedelta(days=100)
    db.session.commit()


@pytest.fixture
def city_work(app, make_user, make_child):
    """Coordinators of the town, the district, the city and another district, an admin, and the work."""
    users = {"town": make_user(role="coordinator", scope_level="town", scope_code=TOWN),
             "district": make_user(role="coordinator", scope_level="district", scope_code="370212"),
             "city": make_user(role="coordinator", scope_level="city"),
             "shinan": make_user(role="coordinator", scope_level="district", scope_code="370202"),
             "admin": make_user(role="admin")}
    for town, (district, lat, lon) in PLACES.items():
        child = make_child(district_code=district, town_code=town, lat=lat, lon=lon, category=CATEGORY[town])
        volunteer = make_user(role="volunteer")
        profile = db.session.get(VolunteerProfile, volunteer.id)
        profile.district_code, profile.town_code = district, town
        db.session.add(VolunteerSkill(user_id=volunteer.id, skill="counselling", credential="心理咨询师证",
                                      credential_status="pending"))
        owner = users["town"] if town == TOWN else users["district"] if district == "370212" else users["shinan"]
        add_work(child, volunteer, owner)
    make_child(district_code="370212", town_code=TOWN, category="orphan")  # registered today: no silence yet
    return users


def tiles(body: str) -> dict:
    """{tile key: (count, href)} of every count on a home page (tiles and the lists at zero)."""
    found = re.findall(r'<a class="tile[^"]*" (?:href="([^"]+)" id="home-count-([\w-]+)"|id="home-count-([\w-]+)" '
                       r'href="([^"]+)") data-count="(\d+)"', body)
    out = {}
    for href1, key1, key2, href2, count in found:
        out[key1 or key2] = (int(count), (href1 or href2).replace("&amp;", "&"))
    return out


class _Items(HTMLParser):
    """Counts the elements `tag` directly inside the element with id `container` (not class "empty"), and
    finds the pager's next link."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self, container: str, tag: str):
        super().__init__()
        self.container, self.tag, self.depth, self.count, self.next = container, tag, None, 0, None
        self.stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("rel") == "next":
            self.next = attrs.get("href")
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if attrs.get("id") == self.container and self.depth is None:
            self.depth = len(self.stack)
        elif self.depth is not None and len(self.stack) == self.depth + 1 and tag == self.tag \
                and "empty" not in (attrs.get("class") or "").split():
            self.count += 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            if self.depth is not None and len(self.stack) == self.depth:
                self.depth = -1  # the container closed: count nothing after it
            if self.stack.pop() == tag:
                break


# Where each list page lists its items: (the container's id, the item's tag).
LISTS = {"/visits": ("visit-list", "li"), "/visits#h-offers": ("offers-to-plan", "li"), "/offers": ("offer-list", "li"),
         "/visits/no-contact": ("no-contact", "li"), "/visits/auto#proposals-ready": ("ready-list", "li"),
         "/jobs/failed": ("failed-jobs", "li"), "/coordinate/credentials": ("credentials-list", "tr")}


def listed(client, href: str) -> int:
    """How many items the list at href shows, over all its pages (a page without the list shows none)."""
    parts = urlsplit(href)
    container, tag = LISTS.get(parts.path + (f"#{parts.fragment}" if parts.fragment else ""), LISTS.get(parts.path))
    total, url = 0, href
    while url:
        resp = client.get(url)
        assert resp.status_code == 200, url
        items = _Items(container, tag)
        items.feed(resp.get_data(as_text=True))
        total += items.count
        url = items.next.replace("&amp;", "&") if items.next else None
    return total
