"""Build a deterministic, Qingdao-scale synthetic data set for demos, load tests and UI work.

Everything here is synthetic: names come from ``names.py``, phone numbers from one 170
virtual-operator block, and homes are random points in the district polygons. The child counts
follow the figures Qingdao reported: 814 orphans, 9,391 children in difficult circumstances and
463 rural left-behind children (10,668 in all).
"""
import random
from datetime import date, timedelta

from sqlalchemy import delete, exists, insert, or_, select, update

from ..accounts.models import User
from ..accounts.services import hash_password
from ..children.models import Child
from ..extensions import db
from ..geo import services as geo
from ..notifications.models import Notification
from ..orgs.models import Organisation
from ..types import utcnow
from ..validation import display_phone
from ..volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill
from ..volunteers.skills import CREDENTIAL_SKILLS, PERIODS, SKILLS
from . import names
from .children import add_children

# Every demo account shares this password; it is hashed once per build.
DEMO_PASSWORD = "huhang-demo-2019"
# Every demo account's number is +86 170 00xx xxxx (a virtual-operator block); this is how --reset
# finds demo users. Numbers 0-99 of the block are kept for the fixed staff logins below.
DEMO_PHONE_PREFIX = "+8617000"
_FIXED_PHONES = 100

CHILDREN_FULL = {"orphan": 814, "difficult": 9391, "left_behind": 463}
CHILDREN_SMALL_TOTAL = 200
VOLUNTEERS = {False: 3000, True: 60}
ORGANISATIONS = {False: 20, True: 3}

# Weights for where children and volunteers live: the 2020 census resident population of each
# district in units of 10,000, rounded (市南 61, 市北 110, 黄岛 190, 崂山 55, 李沧 72, 城阳 111,
# 即墨 135, 胶州 101, 平度 120, 莱西 73; Qingdao ~1,007). Population, not area, so the small but
# dense urban districts 市南/市北/李沧 get their due share and the large rural ones no more than theirs.
DISTRICT_WEIGHTS = {
    "370202": 61,   # 市南区
    "370203": 110,  # 市北区
    "370211": 190,  # 黄岛区
    "370212": 55,   # 崂山区
    "370213": 72,   # 李沧区
    "370214": 111,  # 城阳区
    "370215": 135,  # 即墨区
    "370281": 101,  # 胶州市
    "370283": 120,  # 平度市
    "370285": 73,   # 莱西市
}
# Rural left-behind children are counted only in the rural towns (镇) of these two county-level cities.
LEFT_BEHIND_DISTRICTS = ("370283", "370285")

LAOSHAN = "370212"
SHAZIKOU = "370212002"  # 沙子口街道, scope of the demo town coordinator and home of the demo volunteer

# (key, role, scope_level, scope_code, number within the demo block); see demo_logins().
STAFF = (
    ("admin", "admin", None, None, 1),
    ("coordinator_city", "coordinator", "city", None, 2),
    ("coordinator_district", "coordinator", "district", LAOSHAN, 3),
    ("coordinator_town", "coordinator", "town", SHAZIKOU, 4),
)
DEMO_VOLUNTEER_NUMBER = 5
DEMO_ORG_ADMIN_NUMBER, DEMO_ORG_MEMBER_NUMBER = 6, 7  # the first organisation's admin and first member
_ORG_KIND_CYCLE = ("agency", "club", "caring_unit", "agency", "government", "club", "caring_unit")
CREDENTIALS = {
    "counselling": ("心理咨询师（三级）证书", "社会工作者职业水平证书（心理方向）", "心理健康指导员培训结业证"),
    "rehabilitation": ("康复治疗师资格证", "儿童康复训练师培训证书", "护士执业证书（康复科）"),
}
CHUNK = 5000


class DemoDataPresent(RuntimeError):
    """The database already holds demo data (or children) and --reset was not given."""

    def __init__(self):
        super().__init__("demo data already present; use --reset")


def _rng(seed: int, stream: str) -> random.Random:
    """An independent, reproducible random stream per kind of row (str seeds hash stably)."""
    return random.Random(f"huhang-demo:{seed}:{stream}")


def demo_phone(number: int) -> str:
    """The E.164 number with this index in the demo block."""
    return f"{DEMO_PHONE_PREFIX}{number:06d}"


def _demo_user_ids():
    return select(User.id).where(User.phone.startswith(DEMO_PHONE_PREFIX, autoescape=True))


def proportional(counts: dict[str, int], total: int) -> dict[str, int]:
    """Scale counts to sum to total by largest remainder, keeping every key at least 1."""
    whole = sum(counts.values())
    exact = {k: v * total / whole for k, v in counts.items()}
    out = {k: max(1, int(x)) for k, x in exact.items()}
    by_remainder = sorted(counts, key=lambda k: exact[k] - int(exact[k]), reverse=True)
    i = 0
    while sum(out.values()) < total:
        out[by_remainder[i % len(by_remainder)]] += 1
        i += 1
    return out


def child_counts(small: bool) -> dict[str, int]:
    """Children per category: Qingdao's figures, or the same proportions over 200 children."""
    return proportional(CHILDREN_FULL, CHILDREN_SMALL_TOTAL) if small else dict(CHILDREN_FULL)


def is_present() -> bool:
    """Whether demo users or any children are already in the database."""
    return bool(db.session.scalar(select(or_(exists(_demo_user_ids()), exists(select(Child.id))))))


def delete_demo_data() -> None:
    """Delete the demo rows in foreign-key order (dependents before what they point at); commits.

    The child table has no demo marker, so --reset deletes ALL children: use it on demo
    databases only. Users are demo users when their number is in the demo block.
    """
    demo_users = _demo_user_ids()
    org_ids = list(db.session.scalars(select(User.organisation_id).where(
        User.id.in_(demo_users), User.organisation_id.is_not(None)).distinct()))
    s = db.session
    _clear_other_references(Child, select(Child.id))
    s.execute(delete(Child))
    s.execute(delete(Notification).where(Notification.user_id.in_(demo_users)))
    s.execute(update(VolunteerSkill).where(VolunteerSkill.verified_by_id.in_(demo_users))
              .values(verified_by_id=None))
    s.execute(delete(VolunteerSkill).where(VolunteerSkill.user_id.in_(demo_users)))
    s.execute(delete(AvailabilitySlot).where(AvailabilitySlot.user_id.in_(demo_users)))
    _clear_other_references(VolunteerProfile, demo_users)
    s.execute(delete(VolunteerProfile).where(VolunteerProfile.user_id.in_(demo_users)))
    _clear_other_references(User, demo_users)
    s.execute(delete(User).where(User.id.in_(demo_users)))
    if org_ids:
        s.execute(update(User).where(User.organisation_id.in_(org_ids)).values(organisation_id=None))
        _clear_other_references(Organisation, org_ids)
        s.execute(delete(Organisation).where(Organisation.id.in_(org_ids)))
    s.commit()
    s.expire_all()


_HANDLED = {"notification", "volunteer_skill", "availability_slot", "volunteer_profile", "user", "child"}


def _clear_other_references(model, ids) -> None:
    """Null (or, when not nullable, delete) rows of other tables that point at the rows going away.

    Covers tables added later (e.g. the job table's owner) without listing them here.
    """
    target = model.__table__
    for table in db.metadata.sorted_tables:
        if table.name in _HANDLED:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is not target:
                continue
            col = fk.parent
            if col.nullable and not col.primary_key:
                db.session.execute(table.update().where(col.in_(ids)).values({col.name: None}))
            else:
                db.session.execute(table.delete().where(col.in_(ids)))


def _chunks(rows: list, size: int = CHUNK):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _bulk(model, rows: list[dict]) -> None:
    for chunk in _chunks(rows):
        db.session.execute(insert(model), chunk)


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Insert rows and return their new ids in the order of rows."""
    ids = []
    for chunk in _chunks(rows):
        result = db.session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), chunk)
        ids.extend(result.scalars().all())
    return ids


def _birth_date(rng: random.Random, today: date) -> date:
    """A birth date giving an age of 0-17 today."""
    try:
        eighteen = today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        eighteen = today.replace(year=today.year - 18, day=28)
    return today - timedelta(days=rng.randint(0, (today - eighteen).days - 1))


class _Places:
    """Districts, towns and the population weighting used to place people."""

    def __init__(self):
        self.towns = {d.code: [t.code for t in geo.towns(d.code)] for d in geo.districts()}
        missing = set(DISTRICT_WEIGHTS) - set(self.towns)
        if missing:
            raise RuntimeError(f"divisions missing: {sorted(missing)}")
        self.codes = list(DISTRICT_WEIGHTS)
        self.weights = [DISTRICT_WEIGHTS[c] for c in self.codes]
        self.rural = {c: [t.code for t in geo.towns(c) if t.rural] for c in LEFT_BEHIND_DISTRICTS}
        self.rural_weights = [DISTRICT_WEIGHTS[c] for c in LEFT_BEHIND_DISTRICTS]

    def district(self, rng) -> str:
        return rng.choices(self.codes, self.weights)[0]

    def place(self, rng, rural_only=False) -> tuple[str, str, float, float]:
        """(district, town, lat, lon): a population-weighted district, one of its towns and a point in it.

        There are no official town coordinates, so the point is uniform in the district polygon
        and not tied to the town; the town is drawn uniformly from the district's towns.
        """
        if rural_only:
            district = rng.choices(LEFT_BEHIND_DISTRICTS, self.rural_weights)[0]
            town = rng.choice(self.rural[district])
        else:
            district = self.district(rng)
            town = rng.choice(self.towns[district])
        lat, lon = geo.random_point_in_district(district, rng)
        return district, town, round(lat, 6), round(lon, 6)


def _org_name(rng, kind: str, places: _Places, district: str, used: set) -> str:
    for _ in range(1000):
        if kind == "agency":
            name = f"青岛{rng.choice(names.ORG_WORDS)}社会工作服务中心"
        elif kind == "club":
            name = f"{rng.choice(names.ORG_WORDS)}公益{rng.choice(('骑行', '户外', '读书', '志愿'))}俱乐部"
        elif kind == "caring_unit":
            name = f"{rng.choice(names.COMPANY_STEMS)}{rng.choice(names.ORG_WORDS)}爱心企业"
        else:
            town = geo.get(rng.choice(places.towns[district]))
            name = f"{town.name}未成年人保护工作站"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("ran out of organisation names")


def build(small: bool = False, seed: int = 2019, reset: bool = False) -> dict:
    """Create the demo data set (deterministic for a seed) and return counts and demo logins.

    Raises DemoDataPresent if demo data or children exist and reset is False.
    """
    geo.load_divisions()
    if is_present():
        if not reset:
            raise DemoDataPresent()
        delete_demo_data()
    places = _Places()
    now = utcnow()
    today = date.today()
    password_hash = hash_password(DEMO_PASSWORD)
    n_volunteers, n_orgs = VOLUNTEERS[small], ORGANISATIONS[small]

    # Phones: fixed numbers for the logins, then distinct random ones from the rest of the block.
    org_rng = _rng(seed, "organisations")
    org_sizes = [1 + org_rng.randint(2, 4) for _ in range(n_orgs)]  # 1 admin + 2-4 members
    phone_numbers = iter(_rng(seed, "phones").sample(range(_FIXED_PHONES, 1_000_000),
                                                     sum(org_sizes) + n_volunteers))
    fixed_org_phones = {(0, 0): DEMO_ORG_ADMIN_NUMBER, (0, 1): DEMO_ORG_MEMBER_NUMBER}

    def user_row(rng, role, phone, **extra):
        gender = rng.choice("fm")
        created = now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1439))
        return {"phone": phone, "name": names.person_name(rng, gender), "password_hash": password_hash,
                "role": role, "active": True, "created_at": created, **extra}

    # Staff.
    staff_rng = _rng(seed, "staff")
    staff_rows = [user_row(staff_rng, role, demo_phone(n), scope_level=level, scope_code=code)
                  for _key, role, level, code, n in STAFF]
    staff_ids = dict(zip([s[0] for s in STAFF], _insert_returning_ids(User, staff_rows)))
    logins = [_login(key, row) for key, row in zip([s[0] for s in STAFF], staff_rows)]

    # Organisations and their accounts.
    used, org_rows = set(), []
    for i in range(n_orgs):
        kind = _ORG_KIND_CYCLE[i % len(_ORG_KIND_CYCLE)]
        district = places.district(org_rng)
        org_rows.append({"name": _org_name(org_rng, kind, places, district, used), "kind": kind,
                         "district_code": district, "created_at": now - timedelta(days=org_rng.randint(200, 900))})
    org_ids = _insert_returning_ids(Organisation, org_rows)
    member_rows = []
    for i, (org_id, size) in enumerate(zip(org_ids, org_sizes)):
        for j in range(size):
            number = fixed_org_phones.get((i, j)) or next(phone_numbers)
            member_rows.append(user_row(org_rng, "org_admin" if j == 0 else "org_member",
                                        demo_phone(number), organisation_id=org_id))
    _bulk(User, member_rows)
    logins.append(_login("org_admin", member_rows[0], org_rows[0]["name"]))
    logins.append(_login("org_member", member_rows[1], org_rows[0]["name"]))

    # Volunteers: the known demo volunteer first, then the rest.
    vol_rng = _rng(seed, "volunteers")
    vol_rows = [user_row(vol_rng, "volunteer", demo_phone(DEMO_VOLUNTEER_NUMBER))]
    vol_rows += [user_row(vol_rng, "volunteer", demo_phone(next(phone_numbers))) for _ in range(n_volunteers - 1)]
    vol_ids = _insert_returning_ids(User, vol_rows)
    logins.append(_login("volunteer", vol_rows[0]))
    profiles, skills, slots = [], [], []
    district_points = {code: geo.district_point(code) for code in DISTRICT_WEIGHTS}
    verifier = staff_ids["coordinator_city"]
    for i, user_id in enumerate(vol_ids):
        if i == 0:  # the demo volunteer lives in 沙子口, where the town coordinator can see them
            lat, lon = geo.random_point_in_district(LAOSHAN, vol_rng)
            district, town, lat, lon, source = LAOSHAN, SHAZIKOU, round(lat, 6), round(lon, 6), "pin"
        else:
            district, town, lat, lon = places.place(vol_rng)
            source = "pin" if vol_rng.random() < 0.7 else "division"
            if source == "division":  # what the profile form stores for a chosen division
                lat, lon = district_points[district]
        profiles.append({
            "user_id": user_id, "lat": lat, "lon": lon, "location_source": source,
            "district_code": district, "town_code": town, "radius_km": vol_rng.randint(3, 15),
            "max_visits_per_month": vol_rng.randint(2, 8), "completed": True, "updated_at": now,
        })
        for skill in sorted(vol_rng.sample(list(SKILLS), vol_rng.randint(1, 3))):
            row = {"user_id": user_id, "skill": skill, "credential": None, "credential_status": "none",
                   "verified_by_id": None, "verified_at": None}
            if skill in CREDENTIAL_SKILLS:
                row["credential"] = f"{vol_rng.choice(CREDENTIALS[skill])} No. DEMO-{vol_rng.randint(10000, 99999)}"
                if vol_rng.random() < 0.6:
                    row.update(credential_status="verified", verified_by_id=verifier,
                               verified_at=now - timedelta(days=vol_rng.randint(1, 300)))
                else:
                    row["credential_status"] = "pending"
            skills.append(row)
        grid = [(d, p) for d in range(7) for p in PERIODS]
        for weekday, period in sorted(vol_rng.sample(grid, vol_rng.randint(2, 6))):
            slots.append({"user_id": user_id, "weekday": weekday, "period": period})
    _bulk(VolunteerProfile, profiles)
    _bulk(VolunteerSkill, skills)
    _bulk(AvailabilitySlot, slots)

    # Children.
    counts = child_counts(small)
    child_rng = _rng(seed, "children")
    children = []
    for category in ("orphan", "difficult", "left_behind"):
        for _ in range(counts[category]):
            gender = child_rng.choice("fm")
            district, town, lat, lon = places.place(child_rng, rural_only=category == "left_behind")
            children.append({"name": names.person_name(child_rng, gender), "gender": gender,
                             "birth_date": _birth_date(child_rng, today), "category": category,
                             "district_code": district, "town_code": town, "lat": lat, "lon": lon,
                             "created_at": now})
    child_rng.shuffle(children)  # so ids do not run category by category
    extra = add_children(children, child_rng, staff_ids["admin"], now, today)
    db.session.commit()

    return {
        "children": counts,
        "children_total": sum(counts.values()),
        "needs": extra["needs"],
        "wishes": extra["wishes"],
        "volunteers": len(vol_ids),
        "organisations": len(org_ids),
        "organisation_accounts": len(member_rows),
        "staff": len(staff_ids),
        "logins": logins,
        "password": DEMO_PASSWORD,
        "seed": seed,
    }


def _login(key: str, row: dict, organisation: str | None = None) -> dict:
    scope = organisation or ""
    if row.get("scope_level") == "city":
        scope = "青岛市"
    elif row.get("scope_code"):
        division = geo.get(row["scope_code"])
        scope = division.name if division else row["scope_code"]
    return {"key": key, "role": row["role"], "name": row["name"], "phone": display_phone(row["phone"]),
            "e164": row["phone"], "scope": scope}
