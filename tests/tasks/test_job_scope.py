"""A job's page opens for its owner and for staff whose scope covers the job's subject, for no one else."""
from volunteer.extensions import db
from volunteer.logistics.models import Campaign
from volunteer.tasks import services as tasks


def _opens(client, login, user, rq_id) -> int:
    client.post("/logout")
    login(user)
    return client.get(f"/jobs/{rq_id}").status_code


def _job(subject="", owner=None):
    return tasks.enqueue("tests.tasks.sample_jobs.count_to", 1, kind="test", subject=subject,
                         owner_id=owner.id if owner else None)


def test_a_childs_job_opens_only_for_staff_whose_scope_covers_the_child(app, client, login, make_user, make_child):
    child = make_child()  # 沙子口街道, 崂山区
    rec = _job(f"child:{child.id}")
    laoshan = make_user(role="coordinator", scope_level="district", scope_code="370212")
    shinan = make_user(role="coordinator", scope_level="district", scope_code="370202")
    assert _opens(client, login, shinan, rec.rq_id) == 404
    assert _opens(client, login, laoshan, rec.rq_id) == 200


def test_a_campaigns_job_opens_for_its_owner_and_staff_of_its_scope_only(app, client, login, make_user):
    owner = make_user(role="coordinator", scope_level="district", scope_code="370212")
    campaign = Campaign(name="六一", scope_code="370212", created_by_id=owner.id)
    db.session.add(campaign)
    db.session.commit()
    rec = _job(f"campaign:{campaign.id}", owner)
    colleague = make_user(role="coordinator", scope_level="district", scope_code="370212")
    city = make_user(role="coordinator", scope_level="city")
    for user, status in ((make_user(role="coordinator", scope_level="district", scope_code="370202"), 404),
                         (make_user(role="coordinator", scope_level="town", scope_code="370212002"), 404),
                         (make_user(role="volunteer"), 404), (owner, 200), (colleague, 200), (city, 200)):
        assert _opens(client, login, user, rec.rq_id) == status, (user.role, user.scope_code)


def test_someone_elses_job_about_no_record_is_for_its_owner_and_city_wide_staff(app, client, login, make_user):
    owner = make_user(role="coordinator", scope_level="district", scope_code="370212")
    rec = _job("", owner)
    for user, status in ((make_user(role="coordinator", scope_level="district", scope_code="370202"), 404),
                         (owner, 200), (make_user(role="admin"), 200)):
        assert _opens(client, login, user, rec.rq_id) == status


def test_the_failed_jobs_list_holds_exactly_the_failed_jobs_whose_page_opens(app, make_user, make_child):
    from volunteer import access

    owner = make_user(role="coordinator", scope_level="district", scope_code="370212")
    unscoped = make_user(role="coordinator")  # staff without an area still see their own jobs
    laoshan, shinan = make_child(), make_child(district_code="370202", town_code="370202001", lat="36.0661",
                                               lon="120.3830")
    campaign = Campaign(name="六一", scope_code="370212", created_by_id=owner.id)
    db.session.add(campaign)
    db.session.commit()
    jobs = [_job(subject, who) for subject in ("", f"child:{laoshan.id}", f"child:{shinan.id}", "child:999999",
                                               f"campaign:{campaign.id}", "hub:3") for who in (None, owner, unscoped)]
    for rec in jobs:
        rec.status = "failed"
    db.session.commit()
    users = [owner, unscoped, make_user(role="coordinator", scope_level="district", scope_code="370202"),
             make_user(role="coordinator", scope_level="town", scope_code="370212002"),
             make_user(role="coordinator", scope_level="city"), make_user(role="admin"), make_user(role="volunteer")]
    for user in users:
        opens = {r.rq_id for r in jobs if access.may_see_job(user, r)}
        assert {r.rq_id for r in tasks.failed_for(user)} == opens and tasks.failed_count(user) == len(opens), \
            (user.role, user.scope_code)
