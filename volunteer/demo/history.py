"""The demo's service history, 1 January 2017 to 24 November 2019 (synthetic): done visits to demo children
by demo volunteers, with the needs they served, helpers checked in and out and reviewed reports, adding up
to what Qingdao reported for those years: by form 1,850 home-visit surveys, 8,100 case services, 2,150 group
services and 2,870 community activities; by content 810 physical rehabilitation, 540 tutoring, 650
counselling, 2,160 quality improvement and 8,960 camps and other services (a survey has no content).

    add_history(rng, staff_ids, skip_user_ids, plan=SEED, share=COHORT_SHARE) -> counts

The history sits on a cohort (`share` of each district's children born in time): each need goes to a child
old enough for its service type on its first visit (children.AGE_FIT), its helpers have its skill (verified
for a credential skill) and live in the child's district when enough do. The cohort's registration and
consent move back before their first need, the helpers' and reviewers' accounts before their first
service; so those children's last contact is in 2019 and the no-contact list shows them.
"""
from bisect import bisect_right
from calendar import monthrange
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple

from sqlalchemy import bindparam, func, insert, select, update

from ..accounts.models import User
from ..children.models import Child, Consent
from ..extensions import db
from ..needs.models import Need, NeedSkill
from ..visits.models import Visit, VisitAssignee, VisitReport
from ..visits.present import LOCAL
from ..volunteers.models import VolunteerProfile, VolunteerSkill
from ..volunteers.skills import CREDENTIAL_SKILLS
from .children import AGE_FIT, NEED_KINDS
from .places import LAOSHAN, SHAZIKOU
from .visits import OBSERVATIONS

START, END = date(2017, 1, 1), date(2019, 11, 24)
COHORT_SHARE = 0.2
MIN_PER_DISTRICT = 3
CHUNK = 5000
STEP_DAYS = {"weekly": 7, "monthly": 30, "quarterly": 91}
HOLIDAYS = ((date(2000, 1, 15), date(2000, 2, 20)), (date(2000, 7, 10), date(2000, 8, 25)))  # camps
_KINDS = {kind: (dimension, skills[0]) for kind, dimension, skills, _rhythm in NEED_KINDS}
DIMENSION_SKILL = {**_KINDS, "group_service": ("social", "event_help"), "camp": ("social", "event_help")}


class Kind(NamedTuple):
    """Services of one type in the history, how its needs run and how each is counted."""

    service_type: str
    services: int
    rhythm: str                # weekly, monthly, quarterly; "once" is one visit, a camp in the holidays
    per_need: tuple            # visits per need (fewest, most)
    helpers: int
    children: tuple = (1, 1)   # children served per visit (person-times)
    minutes: tuple = (45, 110)
    form: str | None = None    # Visit.service_form / service_content overrides (None: the type's default)
    content: str | None = None


SEED = (
    Kind("home_visit_survey", 1850, "quarterly", (1, 3), 2, minutes=(40, 90)),
    Kind("case_service", 3600, "monthly", (3, 12), 2, minutes=(60, 120)),
    Kind("companionship", 2500, "weekly", (4, 12), 2, minutes=(60, 120)),
    Kind("rehabilitation", 810, "weekly", (4, 12), 1, minutes=(45, 90)),
    Kind("tutoring", 540, "weekly", (4, 12), 1, minutes=(60, 120)),
    Kind("counselling", 650, "monthly", (3, 8), 1, minutes=(50, 60)),
    Kind("group_service", 900, "weekly", (4, 8), 2, (6, 15), (90, 120)),
    Kind("safety_education", 550, "quarterly", (1, 4), 2, (6, 15), (60, 90)),
    Kind("camp", 700, "once", (1, 1), 2, (6, 15), (180, 420), form="group_service"),
    Kind("community_activity", 710, "quarterly", (1, 4), 3, (15, 40), (120, 180)),
    Kind("community_activity", 1300, "quarterly", (1, 4), 3, (15, 40), (120, 180), content="camp_other"),
    Kind("camp", 860, "once", (1, 1), 3, (15, 40), (180, 420), form="community_activity"),
)


def _insert(model, rows: list[dict], returning: bool = False) -> list[int]:
    """Bulk insert (executemany); with returning, the new ids in the order of rows, read back afterwards
    (an INSERT ... RETURNING in the order of the rows goes row by row on SQLite: ten times slower)."""
    table = model.__table__
    before = (db.session.scalar(select(func.max(table.c.id))) or 0) if returning else 0
    for i in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[i:i + CHUNK])
    if not returning:
        return []
    ids = list(db.session.scalars(select(table.c.id).where(table.c.id > before).order_by(table.c.id)))
    if len(ids) != len(rows):
        raise RuntimeError(f"{table.name}: rows written by someone else during the demo build")
    return ids


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL).astimezone(timezone.utc)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class _Calendar:
    """Days to start a series on: months weighted to grow over the years, camps in the holidays."""

    def __init__(self):
        self.months, self.weights, y, m = [], [], START.year, START.month
        while (y, m) <= (END.year, END.month):
            days = END.day if (y, m) == (END.year, END.month) else monthrange(y, m)[1]
            self.months.append((date(y, m, 1), days))
            self.weights.append((2 + len(self.months) / 12) * days)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        self.holidays = [(s.replace(year=y), e.replace(year=y)) for y in range(START.year, END.year + 1)
                         for s, e in HOLIDAYS if e.replace(year=y) <= END]

    def series(self, rng, kind: Kind, n: int) -> list[date]:
        if kind.rhythm == "once":
            first, last = rng.choice(self.holidays)
            return [first + timedelta(days=rng.randint(0, (last - first).days))]
        month, days = rng.choices(self.months, self.weights)[0]
        step = STEP_DAYS[kind.rhythm]
        first = min(month + timedelta(days=rng.randint(0, days - 1)), END - timedelta(days=step * (n - 1) + 3))
        jitter = 0 if step == 7 else 3
        return [first + timedelta(days=step * i + rng.randint(0, jitter)) for i in range(n)]


class _Cohort:
    """The children the history serves, by birth date, so a need finds one old enough quickly."""

    def __init__(self, rng, share: float):
        rows = db.session.execute(select(Child.id, Child.birth_date, Child.district_code, Child.town_code)
                                  .order_by(Child.id)).all()
        by_district = defaultdict(list)
        for r in rows:
            by_district[r.district_code].append(r)
        chosen = []
        for district in sorted(by_district):
            kids = by_district[district]
            born = [r for r in kids if r.birth_date <= END] or kids
            chosen += rng.sample(born, min(len(born), max(MIN_PER_DISTRICT, round(share * len(kids)))))
        self.rows = sorted(chosen, key=lambda r: (r.birth_date, r.id))
        self.births = [r.birth_date for r in self.rows]

    def pick(self, rng, service_type: str, day: date):
        """A child at least the type's youngest age on day (the oldest one when none is)."""
        n = bisect_right(self.births, _years_before(day, AGE_FIT.get(service_type, (0, 17))[0]))
        return self.rows[rng.randrange(n)] if n else self.rows[0]


class _Helpers:
    """Volunteers by skill and district (a credential skill only when verified), skipping some."""

    def __init__(self, skip: list[int]):
        rows = db.session.execute(
            select(VolunteerSkill.user_id, VolunteerSkill.skill, VolunteerSkill.credential_status,
                   VolunteerProfile.district_code)
            .join(VolunteerProfile, VolunteerProfile.user_id == VolunteerSkill.user_id)
            .join(User, User.id == VolunteerSkill.user_id)
            .where(User.role == "volunteer", User.active.is_(True), User.id.not_in(skip or [0]))
            .order_by(VolunteerSkill.user_id, VolunteerSkill.skill)).all()
        self.near, self.city, everyone = defaultdict(list), defaultdict(list), set()
        for user_id, skill, status, district in rows:
            everyone.add(user_id)
            if skill in CREDENTIAL_SKILLS and status != "verified":
                continue
            self.near[(skill, district)].append(user_id)
            self.city[skill].append(user_id)
        self.everyone = sorted(everyone)
        if not self.everyone:
            raise RuntimeError("the demo history needs volunteers")

    def team(self, rng, skill: str, district: str, n: int) -> list[int]:
        for pool in (self.near.get((skill, district), ()), self.city.get(skill, ()), self.everyone):
            if len(pool) >= n or pool is self.everyone:
                return rng.sample(pool, min(n, len(pool)))
        return []


def _reviewer(staff_ids: dict, child) -> int:
    if child.town_code == SHAZIKOU:
        return staff_ids["coordinator_town"]
    return staff_ids["coordinator_district" if child.district_code == LAOSHAN else "coordinator_city"]


def _plan(rng, plan, cohort: _Cohort, helpers: _Helpers) -> list[dict]:
    """The needs (with their visit days and team), kind by kind until each kind's services are made."""
    calendar, needs = _Calendar(), []
    for kind in plan:
        left = kind.services
        while left > 0:
            n = min(left, rng.randint(*kind.per_need))
            days = calendar.series(rng, kind, n)
            child = cohort.pick(rng, kind.service_type, days[0])
            dimension, skill = DIMENSION_SKILL[kind.service_type]
            needs.append({"kind": kind, "child": child, "days": days, "dimension": dimension, "skill": skill,
                          "team": helpers.team(rng, skill, child.district_code, kind.helpers)})
            left -= n
    return needs


def add_history(rng, staff_ids: dict, skip_user_ids: list[int], plan=SEED, share: float = COHORT_SHARE) -> dict:
    """Insert the service history of plan (the seed's figures by default) on the demo's children and
    volunteers; returns {"services", "needs", "children", "volunteers"}."""
    cohort = _Cohort(rng, share)
    if not cohort.rows:
        return {"services": 0, "needs": 0, "children": 0, "volunteers": 0}
    needs = _plan(rng, plan, cohort, _Helpers(skip_user_ids))
    registered, first_service = {}, {}
    need_rows, visits = [], []
    for need in needs:
        kind, child, days = need["kind"], need["child"], need["days"]
        reviewer = _reviewer(staff_ids, child)
        opened = max(_at(days[0], 10) - timedelta(days=rng.randint(3, 9)), _at(child.birth_date, 0))
        need["opened"] = opened
        registered[child.id] = min(registered.get(child.id, opened), opened - timedelta(days=rng.randint(7, 50)))
        need_rows.append({"child_id": child.id, "dimension": need["dimension"], "service_type": kind.service_type,
                          "rhythm": kind.rhythm, "urgency": rng.choices(("low", "normal", "high"), (2, 6, 2))[0],
                          "window_start": days[0], "window_end": days[-1], "status": "done",
                          "created_by_id": reviewer, "created_at": opened,
                          "updated_at": _at(days[-1], 18)})
        group = kind.children[1] > 1
        for i, day in enumerate(days):
            starts = _at(day, rng.choice((9, 14) if group else (9, 10, 14, 15, 16)), rng.choice((0, 30)))
            visits.append((need, i, starts, rng.randint(*kind.minutes), rng.randint(*kind.children), reviewer))
            for user_id in need["team"]:
                first_service[user_id] = min(first_service.get(user_id, starts), starts)
        first_service[reviewer] = min(first_service.get(reviewer, opened), opened)
    need_ids = _insert(Need, need_rows, returning=True)
    _insert(NeedSkill, [{"need_id": i, "skill": n["skill"]} for i, n in zip(need_ids, needs)])
    for need, need_id in zip(needs, need_ids):
        need["id"] = need_id
    _add_visits(rng, visits)
    _move_back(rng, cohort, registered, first_service)
    return {"services": len(visits), "needs": len(needs), "children": len(registered),
            "volunteers": len({u for n in needs for u in n["team"]})}


def _add_visits(rng, visits: list[tuple]) -> None:
    """The done visits, each helper checked in and out, and the reports, reviewed."""
    rows = []
    for need, _i, starts, minutes, served, reviewer in visits:
        kind = need["kind"]
        booked = max(60, -(-minutes // 30) * 30)
        rows.append({
            "need_id": need["id"], "child_id": need["child"].id, "starts_at": starts,
            "ends_at": starts + timedelta(minutes=booked), "status": "done", "source": "manual",
            "created_by_id": reviewer, "created_at": max(need["opened"], starts - timedelta(days=rng.randint(2, 10))),
            "updated_at": starts + timedelta(days=2), "checked_in_at": starts,
            "checked_in_by_id": need["team"][0] if need["team"] else None, "check_in_method": "gps",
            "check_in_distance_m": rng.randint(15, 250), "checked_out_at": starts + timedelta(minutes=minutes),
            "service_minutes": minutes, "service_form": kind.form, "service_content": kind.content,
            "children_served": served})
    visit_ids = _insert(Visit, rows, returning=True)
    helpers, reports = [], []
    for visit_id, row, (need, i, starts, minutes, _served, reviewer) in zip(visit_ids, rows, visits):
        for user_id in need["team"]:
            helpers.append({"visit_id": visit_id, "user_id": user_id, "status": "accepted",
                            "offered_at": row["created_at"], "responded_at": row["created_at"] + timedelta(hours=5),
                            "checked_in_at": starts, "checked_out_at": row["checked_out_at"],
                            "service_minutes": minutes})
        filed = row["checked_out_at"] + timedelta(hours=rng.randint(1, 20))
        following = need["days"][i + 1] if i + 1 < len(need["days"]) else None
        reports.append({"visit_id": visit_id, "author_id": need["team"][0] if need["team"] else None,
                        "created_at": filed, "follow_up_on": following,
                        "reviewed_at": filed + timedelta(hours=rng.randint(2, 72)), "reviewed_by_id": reviewer,
                        **{k: rng.choice(v) for k, v in OBSERVATIONS.items()}})
    _insert(VisitAssignee, helpers)
    _insert(VisitReport, reports)


def _move_back(rng, cohort: _Cohort, registered: dict, first_service: dict) -> None:
    """Children registered (and consenting) before their first need, accounts made (and credentials
    verified) before their first service: the history must not come before the records it belongs to."""
    births = {r.id: r.birth_date for r in cohort.rows}
    days = {cid: max(at, _at(births[cid], 0)) for cid, at in registered.items()}
    db.session.execute(update(Child), [{"id": cid, "created_at": at} for cid, at in sorted(days.items())])
    consent = Consent.__table__
    db.session.execute(consent.update().where(consent.c.child_id == bindparam("cid"))
                       .values(given_on=bindparam("day"), created_at=bindparam("at")),
                       [{"cid": cid, "day": at.astimezone(LOCAL).date(), "at": at} for cid, at in sorted(days.items())])
    joined = {uid: at - timedelta(days=rng.randint(14, 120)) for uid, at in sorted(first_service.items())}
    db.session.execute(update(User), [{"id": uid, "created_at": at} for uid, at in joined.items()])
    skill = VolunteerSkill.__table__
    db.session.execute(skill.update().where(skill.c.user_id == bindparam("uid"), skill.c.verified_at.is_not(None))
                       .values(verified_at=bindparam("at")),
                       [{"uid": uid, "at": at + timedelta(days=7)} for uid, at in joined.items()])
