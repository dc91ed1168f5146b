"""Demo accounts: the fixed staff logins, organisations with their admins and members, and volunteers.

Every account's number is in one 170 virtual-operator block (see DEMO_PHONE_PREFIX).
"""
from datetime import timedelta

from sqlalchemy import insert

from ..accounts.models import User
from ..extensions import db
from ..geo import services as geo
from ..orgs.models import Organisation
from ..validation import display_phone
from ..volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill
from ..volunteers.skills import CREDENTIAL_SKILLS, PERIODS, SKILLS
from . import names
from .places import DISTRICT_WEIGHTS, LAOSHAN, SHAZIKOU, Places, random_stream

# Every demo account's number is +86 170 00xx xxxx (a virtual-operator block); this is how --reset
# finds demo users. Numbers 0-99 of the block are kept for the fixed staff logins below.
DEMO_PHONE_PREFIX = "+8617000"
_FIXED_PHONES = 100

# (key, role, scope_level, scope_code, number within the demo block); see demo_logins().
STAFF = (
    ("admin", "admin", None, None, 1),
    ("coordinator_city", "coordinator", "city", None, 2),
    ("coordinator_district", "coordinator", "district", LAOSHAN, 3),
    ("coordinator_town", "coordinator", "town", SHAZIKOU, 4),
)
DEMO_VOLUNTEER_NUMBER = 5
DEMO_ORG_ADMIN_NUMBER, DEMO_ORG_MEMBER_NUMBER = 6, 7  # the first organisation's admin and first member
DEMO_DONOR_NUMBER = 8  # the admin of the first caring unit: the demo donor of micro-wishes
_ORG_KIND_CYCLE = ("agency", "club", "caring_unit", "agency", "government", "club", "caring_unit")
CREDENTIALS = {
    "counselling": ("心理咨询师（三级）证书", "社会工作者职业水平证书（心理方向）", "心理健康指导员培训结业证"),
    "rehabilitation": ("康复治疗师资格证", "儿童康复训练师培训证书", "护士执业证书（康复科）"),
}
CHUNK = 5000


def demo_phone(number: int) -> str:
    """The E.164 number with this index in the demo block."""
    return f"{DEMO_PHONE_PREFIX}{number:06d}"


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


def _org_name(rng, kind: str, places: Places, district: str, used: set) -> str:
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


def add_people(seed: int, n_volunteers: int, n_orgs: int, places: Places, now, password_hash: str) -> dict:
    """Insert staff, organisations with their accounts, and volunteers; return their ids, counts and logins."""
    # Phones: fixed numbers for the logins, then distinct random ones from the rest of the block.
    org_rng = random_stream(seed, "organisations")
    org_sizes = [1 + org_rng.randint(2, 4) for _ in range(n_orgs)]  # 1 admin + 2-4 members
    phone_numbers = iter(random_stream(seed, "phones").sample(range(_FIXED_PHONES, 1_000_000),
                                                              sum(org_sizes) + n_volunteers))
    fixed_org_phones = {(0, 0): DEMO_ORG_ADMIN_NUMBER, (0, 1): DEMO_ORG_MEMBER_NUMBER}
    caring = [i for i in range(n_orgs) if _ORG_KIND_CYCLE[i % len(_ORG_KIND_CYCLE)] == "caring_unit"]
    if caring:
        fixed_org_phones[(caring[0], 0)] = DEMO_DONOR_NUMBER

    def user_row(rng, role, phone, **extra):
        gender = rng.choice("fm")
        created = now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1439))
        return {"phone": phone, "name": names.person_name(rng, gender), "password_hash": password_hash,
                "role": role, "active": True, "created_at": created, **extra}

    # Staff.
    staff_rng = random_stream(seed, "staff")
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
    if caring:
        first = sum(org_sizes[:caring[0]])
        logins.append(_login("donor", member_rows[first], org_rows[caring[0]]["name"]))

    # Volunteers: the known demo volunteer first, then the rest.
    vol_rng = random_stream(seed, "volunteers")
    vol_rows = [user_row(vol_rng, "volunteer", demo_phone(DEMO_VOLUNTEER_NUMBER))]
    vol_rows += [user_row(vol_rng, "volunteer", demo_phone(next(phone_numbers))) for _ in range(n_volunteers - 1)]
    vol_ids = _insert_returning_ids(User, vol_rows)
    logins.append(_login("volunteer", vol_rows[0]))
    _add_profiles(vol_rng, vol_ids, places, now, verifier=staff_ids["coordinator_city"])
    return {"staff_ids": staff_ids, "logins": logins, "volunteers": len(vol_ids), "organisations": len(org_ids),
            "organisation_accounts": len(member_rows)}


def _add_profiles(vol_rng, vol_ids: list[int], places: Places, now, verifier: int) -> None:
    """Each volunteer's profile (home, radius), skills (some with credentials) and weekly times."""
    profiles, skills, slots = [], [], []
    district_points = {code: geo.district_point(code) for code in DISTRICT_WEIGHTS}
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


def _login(key: str, row: dict, organisation: str | None = None) -> dict:
    scope = organisation or ""
    if row.get("scope_level") == "city":
        scope = "青岛市"
    elif row.get("scope_code"):
        division = geo.get(row["scope_code"])
        scope = division.name if division else row["scope_code"]
    return {"key": key, "role": row["role"], "name": row["name"], "phone": display_phone(row["phone"]),
            "e164": row["phone"], "scope": scope}
