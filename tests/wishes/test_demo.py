"""The demo data set holds a published care event with wishes, and a caring-unit donor who can log in."""
from sqlalchemy import func, select

from volunteer.accounts.models import User
from volunteer.demo.services import build
from volunteer.extensions import db
from volunteer.needs.models import Wish
from volunteer.wishes.models import WishClaim, WishEvent


def test_the_demo_has_a_published_event_a_donor_and_a_board_with_claims(app):
    result = build(small=True)
    event = db.session.scalar(select(WishEvent))
    assert event.status == "published" and result["event_wishes"] == 16
    statuses = dict(db.session.execute(select(Wish.status, func.count()).where(Wish.event_id == event.id)
                                       .group_by(Wish.status)).all())
    assert statuses == {"claimed": 3, "published": 13}
    donor_login = next(x for x in result["logins"] if x["key"] == "donor")
    donor = db.session.scalar(select(User).where(User.phone == donor_login["e164"]))
    assert donor.role == "org_admin" and donor.organisation.kind == "caring_unit"
    assert db.session.scalar(select(func.count(WishClaim.id)).where(WishClaim.org_id == donor.organisation_id)) >= 1
    client = app.test_client()
    assert client.post("/login", data={"phone": donor_login["e164"], "password": result["password"]}).status_code == 302
    page = client.get(f"/wish-events/{event.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Claimed: 3" in page and donor.organisation.name in page
    again = build(small=True, reset=True)
    assert db.session.scalar(select(func.count(WishEvent.id))) == 1 and again["event_wishes"] == 16
