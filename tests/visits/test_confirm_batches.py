"""Confirming a proposal tells its helpers in batches: one notification job per 50 visits, not one each."""
from datetime import timedelta

from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.notifications.models import Notification
from volunteer.tasks import services as tasks
from volunteer.tasks.models import JobRecord
from volunteer.types import utcnow
from volunteer.visits import proposals
from volunteer.visits.models import Visit
from volunteer.volunteers.models import VolunteerSkill


def _proposal(make_user, make_child, n):
    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    start = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    items, vols = [], []
    for _ in range(n):
        need = create_need(coord, make_child(by=coord).ref, {"dimension": "intellect", "service_type": "tutoring",
                                                            "skills": ["tutoring"]})
        vol = make_user(role="volunteer")
        db.session.add(VolunteerSkill(user_id=vol.id, skill="tutoring", credential_status="verified"))
        vols.append(vol.id)
        items.append({"need": need.id, "volunteers": [vol.id], "org": None, "starts_at": start.isoformat(),
                      "ends_at": (start + timedelta(hours=1)).isoformat()})
    db.session.commit()
    return coord, proposals.save("batch-run", coord.id, {"items": items, "unassigned": []}), vols


def _jobs(func_path):
    return db.session.scalar(select(func.count()).select_from(JobRecord).where(JobRecord.func == func_path))


def test_sixty_visits_are_offered_through_two_notification_jobs_and_everyone_hears_once(
        app, make_user, make_child, run_worker):
    coord, row, vols = _proposal(make_user, make_child, 60)
    tasks.enqueue("jobs.autoassign.confirm", row.id, kind="autoassign.confirm", owner_id=coord.id)
    run_worker()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 60
    assert _jobs("jobs.visits.notify_offers") == 2 and _jobs("jobs.visits.notify_offer") == 0
    run_worker()
    offers = db.session.execute(select(Notification.user_id, func.count()).where(Notification.user_id.in_(vols))
                                .group_by(Notification.user_id)).all()
    assert len(offers) == 60 and {n for _u, n in offers} == {1}

    # The rerun of the whole job (RQ retry) makes nothing again and tells nobody twice.
    tasks.enqueue("jobs.autoassign.confirm", row.id, kind="autoassign.confirm", owner_id=coord.id)
    run_worker()
    run_worker()
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 60
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id.in_(vols))) == 60


def test_the_migration_moves_a_proposals_confirmed_list_into_rows_and_cancels_duplicate_live_visits(
        app, make_user, make_child, run_worker):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    coord, row, _vols = _proposal(make_user, make_child, 2)
    tasks.enqueue("jobs.autoassign.confirm", row.id, kind="autoassign.confirm", owner_id=coord.id)
    run_worker()
    made = proposals.made(row.id)
    first = db.session.get(Visit, next(iter(made.values())))
    db.session.remove()
    try:
        downgrade(revision="ae13c0de0011")  # the JSON list is back, the index is gone
        kept = db.session.execute(text("SELECT confirmed FROM autoassign_proposal")).scalar()
        assert proposals.json.loads(kept) == made
        db.session.execute(text(  # a duplicate live visit, as two racing runs left them
            "INSERT INTO visit (need_id, child_id, starts_at, ends_at, status, source) "
            "SELECT need_id, child_id, starts_at, ends_at, 'offered', 'auto' FROM visit WHERE id = :id"),
            {"id": first.id})
        db.session.commit()
        db.session.remove()
    finally:
        upgrade()
    assert proposals.made(row.id) == made
    statuses = db.session.execute(select(Visit.id, Visit.status).where(Visit.need_id == first.need_id)).all()
    assert sorted(statuses) == [(first.id, "offered"), (max(i for i, _s in statuses), "cancelled")]
