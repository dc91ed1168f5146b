from functools import partial

import pytest
from flask_babel import force_locale

from volunteer.extensions import db
from volunteer.needs.models import Wish
from volunteer.needs.wishes import create_wish


@pytest.fixture(autouse=True)
def english(app):
    """Service messages are lazy strings: read them in English (the default locale is Chinese)."""
    with force_locale("en"):
        yield


@pytest.fixture
def people(make_user, make_org):
    """One account per part; they read the site in English (so tests can match the messages)."""
    unit = make_org(name="爱心单位乙", kind="caring_unit")
    make_user = partial(make_user, locale="en")
    return {
        "coordinator": make_user(role="coordinator", scope_level="district", scope_code="370212"),
        "outsider": make_user(role="coordinator", scope_level="district", scope_code="370203"),
        "donor": make_user(role="volunteer", name="李爱心"),
        "other": make_user(role="volunteer", name="王善心"),
        "unit": make_user(role="org_member", organisation_id=unit.id),
        "unit_admin": make_user(role="org_admin", organisation_id=unit.id),
    }


@pytest.fixture
def child(make_child, people):
    return make_child(by=people["coordinator"])


@pytest.fixture
def publish_wish(people, child):
    """publish_wish(item="书包", event=None): a published wish of the child (on the event's list if given)."""
    def make(item="书包", event=None, status="published"):
        wish = create_wish(people["coordinator"], child.ref, {"item": item, "category": "study", "price_yuan": "80"})
        wish.status = status
        wish.event_id = event.id if event is not None else None
        db.session.commit()
        return wish

    return make


def reload(wish) -> Wish:
    db.session.expire_all()
    return db.session.get(Wish, wish.id)


def insert_published_wishes(staff, child, count) -> list[tuple[int, str]]:
    """(id, ref) of `count` published wishes of child, inserted in one statement (race tests need many)."""
    from sqlalchemy import insert, select

    from volunteer.children.models import new_ref
    from volunteer.types import utcnow

    now = utcnow()
    db.session.execute(insert(Wish), [
        {"ref": new_ref(), "child_id": child.id, "item": f"心愿{i}", "category": "study", "price_yuan": 50,
         "status": "published", "created_by_id": staff.id, "created_at": now, "updated_at": now}
        for i in range(count)])
    db.session.commit()
    return db.session.execute(select(Wish.id, Wish.ref).where(Wish.child_id == child.id).order_by(Wish.id)).all()
