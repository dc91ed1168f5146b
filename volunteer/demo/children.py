"""Demo children with guardians, consent records, open needs and micro-wishes (all synthetic)."""
from datetime import date, timedelta

from sqlalchemy import insert, update

from ..children.cards import age_on
from ..children.models import CONSENT_TEXT_VERSION, Child, Consent, new_ref
from ..extensions import db
from ..needs.models import Need, NeedSkill, Wish
from . import names

GUARDIANS = {
    "orphan": ("祖母", "祖父", "外祖母", "叔叔", "姑姑", "儿童福利机构"),
    "difficult": ("母亲", "父亲", "母亲", "祖母", "外祖母"),
    "left_behind": ("祖母", "祖父", "外祖母", "外祖父"),
}
# (service type, dimension, skills, rhythm): the services Qingdao reports most.
NEED_KINDS = (
    ("home_visit_survey", "social", ["home_visit"], "monthly"),
    ("companionship", "mind", ["companionship"], "weekly"),
    ("tutoring", "intellect", ["tutoring"], "weekly"),
    ("counselling", "mind", ["counselling"], "monthly"),
    ("rehabilitation", "body", ["rehabilitation"], "weekly"),
    ("safety_education", "intellect", ["safety_education"], "quarterly"),
    ("community_activity", "social", ["event_help"], "quarterly"),
    ("case_service", "social", ["home_visit"], "monthly"),
)
NEED_WEIGHTS = (30, 20, 18, 10, 5, 6, 6, 5)
# The ages (whole years, youngest and oldest) a service type suits: tutoring, counselling, group work and
# camps are for school age; safety education and activities from 3; home visits, care and rehabilitation
# for every child.
AGE_FIT = {
    "home_visit_survey": (0, 17), "case_service": (0, 17), "companionship": (0, 17), "rehabilitation": (0, 17),
    "safety_education": (3, 17), "community_activity": (3, 17),
    "tutoring": (6, 17), "counselling": (6, 17), "group_service": (6, 17), "camp": (6, 17),
}
WISHES = (("书包", "study", 80), ("文具套装", "study", 40), ("课外读物", "books", 60), ("羽绒服", "clothing", 200),
          ("运动鞋", "sports", 150), ("篮球", "sports", 90), ("台灯", "daily", 70), ("字典", "books", 45))
# Guardians' numbers come from the 171 virtual-operator block, apart from the accounts' 170 block.
GUARDIAN_PREFIX = "+86171"
CHUNK = 5000


def _insert(model, rows, returning=False):
    ids = []
    for i in range(0, len(rows), CHUNK):
        stmt = insert(model)
        if returning:
            ids += db.session.execute(stmt.returning(model.id, sort_by_parameter_order=True),
                                      rows[i:i + CHUNK]).scalars().all()
        else:
            db.session.execute(stmt, rows[i:i + CHUNK])
    return ids


def fitting_kinds(age: int) -> tuple[list, list]:
    """The NEED_KINDS that suit a child of this age, and their weights."""
    pairs = [(k, w) for k, w in zip(NEED_KINDS, NEED_WEIGHTS) if AGE_FIT[k[0]][0] <= age <= AGE_FIT[k[0]][1]]
    return [k for k, _ in pairs], [w for _, w in pairs]


def add_children(rows: list[dict], rng, admin_id: int, now, today: date) -> dict:
    """Insert children (rows from the caller), each with guardian and consent; add needs and wishes."""
    numbers = iter(rng.sample(range(0, 100_000_000), len(rows)))
    for row in rows:
        relation = rng.choice(GUARDIANS.get(row["category"], GUARDIANS["difficult"]))
        row.update(ref=new_ref(), guardian_relation=relation, created_by_id=admin_id, updated_at=now,
                   guardian_name=("青岛市儿童福利院" if relation == "儿童福利机构"
                                  else names.person_name(rng, rng.choice("fm"))),
                   guardian_phone=f"{GUARDIAN_PREFIX}{next(numbers):08d}",
                   disabled=rng.random() < 0.06, village=f"{rng.choice(names.VILLAGE_WORDS)}社区")
    ids = _insert(Child, rows, returning=True)
    consents = [{"child_id": cid, "given_by": r["guardian_name"], "relation": r["guardian_relation"],
                 "given_on": today - timedelta(days=rng.randint(1, 400)), "purpose": "care_and_wishes",
                 "text_version": CONSENT_TEXT_VERSION, "recorded_by_id": admin_id, "created_at": now}
                for cid, r in zip(ids, rows)]
    consent_ids = _insert(Consent, consents, returning=True)
    db.session.execute(update(Child), [{"id": c, "consent_id": k} for c, k in zip(ids, consent_ids)])

    needs, need_skills, wishes = [], [], []
    for cid, r in zip(ids, rows):
        kinds, weights = fitting_kinds(age_on(r["birth_date"], today))
        for _ in range(rng.choices((0, 1, 2), (30, 50, 20))[0]):
            kind, dim, skills, rhythm = rng.choices(kinds, weights)[0]
            start = today + timedelta(days=rng.randint(-30, 30))
            needs.append({"child_id": cid, "dimension": dim, "service_type": kind, "rhythm": rhythm,
                          "urgency": rng.choices(("low", "normal", "high", "urgent"), (2, 6, 2, 1))[0],
                          "window_start": start, "window_end": start + timedelta(days=rng.choice((30, 90, 180))),
                          "status": "open", "created_by_id": admin_id, "created_at": now, "updated_at": now})
            need_skills.append(skills)
        if rng.random() < 0.05:
            item, category, price = rng.choice(WISHES)
            wishes.append({"ref": new_ref(), "child_id": cid, "item": item, "category": category,
                           "price_yuan": price, "status": "published", "created_by_id": admin_id,
                           "created_at": now, "updated_at": now})
    need_ids = _insert(Need, needs, returning=True)
    _insert(NeedSkill, [{"need_id": n, "skill": s} for n, skills in zip(need_ids, need_skills) for s in skills])
    _insert(Wish, wishes)
    return {"needs": len(needs), "wishes": len(wishes)}

