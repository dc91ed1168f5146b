"""Demo visits (synthetic): the demo volunteer's offer to answer, a visit ahead and one done with its
report waiting for review, plus visits done across 崂山区 in the last months for lists and timelines.

Rows are inserted directly, like the rest of the demo, in the states the services would leave them in
(the need's status, the helpers' access grant for an accepted visit, check-in and service minutes).
"""
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, insert, select

from ..accounts.models import User
from ..children.models import AccessGrant, Child
from ..extensions import db
from ..needs.models import Need, NeedSkill
from ..visits.models import HOME_SERVICE_TYPES, Visit, VisitAssignee, VisitReport
from ..visits.present import LOCAL
from ..visits.services import GRANT_AFTER, GRANT_BEFORE, GRANT_REASON
from ..volunteers.models import VolunteerProfile, VolunteerSkill
from .places import LAOSHAN

PAST_VISITS = 40
OBSERVATIONS = {
    "body": ("身体状况良好，按时吃饭。", "感冒已好，精神不错。", "视力下降，建议复查。"),
    "mind": ("情绪稳定，愿意交流。", "提到想念外出务工的父母。", "比上次开朗。"),
    "social": ("和同学相处融洽。", "周末很少出门，建议参加社区活动。", "与奶奶关系亲密。"),
    "intellect": ("数学作业完成较好。", "语文阅读需要辅导。", "对科学课很感兴趣。"),
}


def _at(day, hour: int, minute: int = 0) -> datetime:
    """A Qingdao wall-clock time on day, as aware UTC."""
    return datetime.combine(day, time(hour, minute), LOCAL).astimezone(timezone.utc)


def _lacks(user_id):
    """A condition true for needs requiring a skill user_id does not have."""
    have = select(VolunteerSkill.skill).where(VolunteerSkill.user_id == user_id)
    return select(NeedSkill.id).where(NeedSkill.need_id == Need.id, NeedSkill.skill.not_in(have)).exists()


def _fitting_needs(user_id: int, limit: int) -> list:
    """Open 崂山区 needs without a visit that require no skill user_id lacks, oldest first."""
    return db.session.execute(
        select(Need.id, Need.child_id, Need.rhythm, Need.service_type).join(Child, Child.id == Need.child_id)
        .where(Need.status == "open", Child.district_code == LAOSHAN, ~_lacks(user_id))
        .order_by(Need.id).limit(limit)).all()


def _team(need, lead: int, pool: list[int]) -> list[int] | None:
    """Who goes: the lead alone, or for a home service the lead and the first of pool who has the need's
    skills (two adults); None if nobody fits."""
    if need.service_type not in HOME_SERVICE_TYPES:
        return [lead]
    for other in pool:
        if other != lead and not db.session.scalar(select(_lacks(other)).where(Need.id == need.id)):
            return [lead, other]
    return None


def _visit(need, helpers, creator, starts_at, status, now, minutes=None, **extra) -> int:
    ends_at = starts_at + timedelta(minutes=90)
    visit_id = db.session.execute(insert(Visit).returning(Visit.id), [{
        "need_id": need.id, "child_id": need.child_id, "starts_at": starts_at, "ends_at": ends_at,
        "status": status, "source": "manual", "created_by_id": creator, "created_at": min(now, starts_at),
        "updated_at": now, **extra}]).scalar()
    for user_id in helpers:
        row = {"visit_id": visit_id, "user_id": user_id, "status": "offered" if status == "offered" else "accepted",
               "offered_at": min(now, starts_at) - timedelta(days=2), "expires_at": extra.get("offer_expires_at"),
               "responded_at": None if status == "offered" else min(now, starts_at) - timedelta(days=1)}
        if minutes is not None:
            row.update(checked_in_at=starts_at, checked_out_at=starts_at + timedelta(minutes=minutes),
                       service_minutes=minutes)
        db.session.execute(insert(VisitAssignee), [row])
        if status == "accepted":
            db.session.execute(insert(AccessGrant), [{
                "user_id": user_id, "child_id": need.child_id, "starts_at": starts_at - GRANT_BEFORE,
                "ends_at": ends_at + GRANT_AFTER, "reason": f"{GRANT_REASON}{visit_id}"}])
    after = "assigned" if status in ("offered", "accepted") else ("done" if need.rhythm == "once" else "open")
    db.session.execute(Need.__table__.update().where(Need.id == need.id).values(status=after))
    return visit_id


def _done(rng, need, helpers, creator, starts_at, now, reviewed: bool) -> int:
    minutes = rng.randint(45, 110)
    visit_id = _visit(need, helpers, creator, starts_at, "done", now, minutes=minutes, checked_in_at=starts_at,
                      checked_in_by_id=helpers[0], check_in_method="gps", check_in_distance_m=rng.randint(15, 250),
                      checked_out_at=starts_at + timedelta(minutes=minutes), service_minutes=minutes)
    report = {k: rng.choice(v) for k, v in OBSERVATIONS.items()}
    db.session.execute(insert(VisitReport), [{
        "visit_id": visit_id, "author_id": helpers[0], "created_at": starts_at + timedelta(hours=2),
        "follow_up_on": (starts_at + timedelta(days=30)).date(),
        "reviewed_at": starts_at + timedelta(days=1) if reviewed else None, **report}])
    return visit_id


def add_visits(rng, staff_ids: dict, volunteer_id: int, now) -> dict:
    """Insert the demo visits; returns {"visits": how many, "needs_taken": open needs they took or closed}."""
    creator = staff_ids["coordinator_district"]
    today = now.astimezone(LOCAL).date()
    # Laoshan's volunteers first (partners for home visits), then everyone else.
    pool = list(db.session.scalars(select(User.id).join(VolunteerProfile, VolunteerProfile.user_id == User.id)
                                   .where(User.role == "volunteer", User.active.is_(True))
                                   .order_by((VolunteerProfile.district_code != LAOSHAN), User.id).limit(300)))
    mine = []
    for need in _fitting_needs(volunteer_id, 50):
        team = _team(need, volunteer_id, pool)
        if team:
            mine.append((need, team))
        if len(mine) == 3:
            break
    count = 0
    if len(mine) == 3:
        (n0, t0), (n1, t1), (n2, t2) = mine
        offered_at = _at(today + timedelta(days=2), 15)
        _visit(n0, t0, creator, offered_at, "offered", now, offer_expires_at=min(now + timedelta(hours=48), offered_at))
        _visit(n1, t1, creator, _at(today + timedelta(days=4), 9, 30), "accepted", now)
        _done(rng, n2, t2, creator, _at(today - timedelta(days=8), 14), now, reviewed=False)
        count = 3
    helpers = [u for u in pool[:200] if u != volunteer_id]
    for _ in range(PAST_VISITS if helpers else 0):
        lead = rng.choice(helpers)
        needs = _fitting_needs(lead, 30)
        need = rng.choice(needs) if needs else None
        team = _team(need, lead, helpers) if need else None
        if not team:
            continue
        day = today - timedelta(days=rng.randint(3, 90))
        _done(rng, need, team, creator, _at(day, rng.choice((9, 10, 14, 15))), now, reviewed=True)
        count += 1
    taken = db.session.scalar(select(func.count(func.distinct(Visit.need_id))).join(Need, Need.id == Visit.need_id)
                              .where(Need.status != "open"))
    return {"visits": count, "needs_taken": taken}
