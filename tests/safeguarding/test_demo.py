"""The demo: a mix of check states, the demo volunteer and every helper of a planned visit verified."""
from collections import Counter

from sqlalchemy import select

from volunteer.accounts.models import User
from volunteer.demo.people import DEMO_VOLUNTEER_NUMBER, demo_phone
from volunteer.demo.services import build
from volunteer.extensions import db
from volunteer.safeguarding import files, proofs, services
from volunteer.visits.models import ACTIVE_STATUSES, Visit, VisitAssignee


def test_the_demo_has_every_state_and_its_visits_keep_working(app, rule, private_instance):
    build(small=True)
    volunteers = list(db.session.scalars(select(User.id).where(User.role == "volunteer")))
    states = Counter(s.status for s in services.states(volunteers).values())
    assert states["verified"] > len(volunteers) * 0.6
    assert {"pending", "missing"} <= set(states) and len(states) >= 4, states

    demo_volunteer = db.session.scalar(select(User.id).where(User.phone == demo_phone(DEMO_VOLUNTEER_NUMBER)))
    going = set(db.session.scalars(select(VisitAssignee.user_id).join(Visit, Visit.id == VisitAssignee.visit_id)
                                   .where(Visit.status.in_(ACTIVE_STATUSES))))
    assert demo_volunteer in going and services.missing_for(going, "visit") == {}

    laoshan = db.session.scalar(select(User).where(User.phone == demo_phone(3)))
    rows, total = proofs.for_staff(laoshan)
    assert total >= 3 and all(r[0].status == "pending" for r in rows)
    assert files.stored(rows[0][0].file_name).is_file()
