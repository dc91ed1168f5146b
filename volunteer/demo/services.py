"""Build a deterministic, Qingdao-scale synthetic data set for demos, load tests and UI work.

Everything here is synthetic: names come from ``names.py``, phone numbers from one 170
virtual-operator block, and homes are random points in the district polygons. The child counts
follow the figures Qingdao reported: 814 orphans, 9,391 children in difficult circumstances and
463 rural left-behind children (10,668 in all).
"""
import random
from datetime import date, timedelta

from sqlalchemy import delete, exists, or_, select, update

from ..accounts.models import User
from ..accounts.services import hash_password
from ..children.models import Child
from ..extensions import db
from ..geo import services as geo
from ..notifications.models import Notification
from ..orgs.models import Organisation
from ..types import utcnow
from ..wishes.models import WishEvent
from ..volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill
from . import names
from .activities import add_activities
from .children import add_children
from .history import add_history
from .wishes import add_wish_event
from .people import DEMO_PHONE_PREFIX, add_people
from .visits import add_visits
from .places import Places, random_stream

# Every demo account shares this password; it is hashed once per build.
DEMO_PASSWORD = "huhang-demo-2019"

CHILDREN_FULL = {"orphan": 814, "difficult": 9391, "left_behind": 463}
CHILDREN_SMALL_TOTAL = 200
VOLUNTEERS = {False: 3000, True: 60}
ORGANISATIONS = {False: 20, True: 3}


class DemoDataPresent(RuntimeError):
    """The database already holds demo data (or children) and --reset was not given."""

    def __init__(self):
        super().__init__("demo data already present; use --reset")


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
    from ..logistics.demo import delete_all as delete_logistics
    from .activities import delete_all as delete_activities

    delete_logistics()  # allocations point at children: gift-pack data goes with them
    delete_activities()  # like the children: every activity, with its sign-ups
    _clear_other_references(Child, select(Child.id))
    s.execute(delete(Child))
    s.execute(delete(Notification).where(Notification.user_id.in_(demo_users)))
    s.execute(update(VolunteerSkill).where(VolunteerSkill.verified_by_id.in_(demo_users))
              .values(verified_by_id=None))
    s.execute(delete(VolunteerSkill).where(VolunteerSkill.user_id.in_(demo_users)))
    s.execute(delete(AvailabilitySlot).where(AvailabilitySlot.user_id.in_(demo_users)))
    _clear_other_references(VolunteerProfile, demo_users)
    s.execute(delete(VolunteerProfile).where(VolunteerProfile.user_id.in_(demo_users)))
    s.execute(delete(WishEvent).where(WishEvent.created_by_id.in_(demo_users)))
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


def _demo_donors(logins) -> list[tuple[int, int | None]]:
    """(user id, organisation id) of the demo donor (a caring unit's admin) and the demo volunteer."""
    phones = [login["e164"] for login in logins if login["key"] in ("donor", "volunteer")]
    rows = db.session.execute(select(User.id, User.organisation_id, User.role).where(User.phone.in_(phones))).all()
    return [(r.id, r.organisation_id if r.role != "volunteer" else None) for r in sorted(rows, key=lambda r: r.role)]


def _demo_volunteer_id(logins) -> int:
    phone = next(login["e164"] for login in logins if login["key"] == "volunteer")
    return db.session.scalar(select(User.id).where(User.phone == phone))


def _birth_date(rng: random.Random, today: date) -> date:
    """A birth date giving an age of 0-17 today."""
    try:
        eighteen = today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        eighteen = today.replace(year=today.year - 18, day=28)
    return today - timedelta(days=rng.randint(0, (today - eighteen).days - 1))


def build(small: bool = False, seed: int = 2019, reset: bool = False) -> dict:
    """Create the demo data set (deterministic for a seed) and return counts and demo logins.

    Raises DemoDataPresent if demo data or children exist and reset is False.
    """
    geo.load_divisions()
    if is_present():
        if not reset:
            raise DemoDataPresent()
        delete_demo_data()
    places = Places()
    now = utcnow()
    today = date.today()
    people = add_people(seed, VOLUNTEERS[small], ORGANISATIONS[small], places, now, hash_password(DEMO_PASSWORD))

    # Children.
    counts = child_counts(small)
    child_rng = random_stream(seed, "children")
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
    extra = add_children(children, child_rng, people["staff_ids"]["admin"], now, today)
    demo_volunteer = _demo_volunteer_id(people["logins"])
    visits = add_visits(random_stream(seed, "visits"), people["staff_ids"], demo_volunteer, now)
    from .safeguarding import add_checks; add_checks(random_stream(seed, "checks"), people["staff_ids"], demo_volunteer, now)  # noqa: E702,E501
    activities = add_activities(random_stream(seed, "activities"), people["staff_ids"], demo_volunteer, now)
    # The full data set also holds the 2017-2019 service history (the seed's figures); --small leaves it out.
    history = (add_history(random_stream(seed, "history"), people["staff_ids"], [demo_volunteer]) if not small
               else {"services": 0, "needs": 0, "children": 0, "volunteers": 0})
    from ..matching.points import rebuild_all

    rebuild_all(commit=False)  # bulk inserts bypass the events that keep need_point in step
    event_wishes = add_wish_event(random_stream(seed, "wishes"), people["staff_ids"]["admin"],
                                  _demo_donors(people["logins"]), now, today)
    from ..logistics.demo import add_demo as add_logistics

    logistics = add_logistics(random_stream(seed, "logistics"), people["staff_ids"], now)
    db.session.commit()
    from ..privacy.services import consent_everyone; consent_everyone(_demo_user_ids())  # noqa: E702 (as at sign-up)

    return {
        "children": counts,
        "children_total": sum(counts.values()),
        "needs": extra["needs"] - visits["needs_taken"],
        "wishes": extra["wishes"],
        "event_wishes": event_wishes,
        "volunteers": people["volunteers"],
        "organisations": people["organisations"],
        "organisation_accounts": people["organisation_accounts"],
        "staff": len(people["staff_ids"]),
        "hubs": logistics["hubs"],
        "visits": visits["visits"],
        "activities": activities["activities"],
        "activity_signups": activities["signups"],
        "history": history,
        "logins": people["logins"],
        "password": DEMO_PASSWORD,
        "seed": seed,
    }
