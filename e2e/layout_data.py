"""The data set of the layout check: the small demo (200 children, visits, a wish event, hubs) plus what the demo
leaves out: a 崂山 campaign allocated and routed with a driver, an auto-assign proposal, a failed job,
notifications and an organisation invitation. Returns the logins per role and the record pages each may open."""
from sqlalchemy import select

from volunteer.accounts.models import User
from volunteer.demo.services import DEMO_PASSWORD, build
from volunteer.extensions import db

# The roles checked, in the order the tests run; "driver" is a volunteer who drives a delivery run.
ROLES = ("volunteer", "driver", "coordinator", "admin", "org_admin", "org_member", "donor")
_DEMO_KEYS = {"coordinator": "coordinator_district"}


def _run_jobs(queues=None) -> None:
    from volunteer.tasks.cli import make_worker

    make_worker(queues, simple=True).work(burst=True)


def _campaign_with_a_run(coordinator, driver) -> tuple[int, list[int], int]:
    """A 崂山 campaign, allocated, confirmed and routed; the first run goes to driver. (campaign, hubs, run)."""
    from volunteer.logistics import allocation, campaigns, runs, services
    from volunteer.logistics.models import PackKind

    kinds = [str(k) for k in db.session.scalars(select(PackKind.id))]
    campaign = campaigns.open_campaign(coordinator, {"name": "2027年崂山新学年礼包", "kind_ids": kinds})
    services.start_allocation(coordinator, campaign.id)
    _run_jobs(["logistics"])
    allocation.confirm(coordinator, campaign.id)
    services.start_planning(coordinator, campaign.id, "12")
    _run_jobs(["logistics"])
    planned = runs.runs_of(campaign.id)
    runs.assign_driver(coordinator, planned[0].id, driver.phone)
    hubs = [h.id for h in services.visible_hubs(coordinator)]
    return campaign.id, hubs, planned[0].id


def _proposal(staff) -> str:
    """An auto-assign proposal (only its owner opens it) for up to 30 open needs in staff's scope: its rq id."""
    from volunteer.visits import autoassign

    needs = autoassign.needs_for(staff)[:30]
    rec = autoassign.start(staff, [n.id for n in needs], max_km=20)
    _run_jobs()
    return rec.rq_id


def _failed_job(owner) -> str:
    from volunteer.tasks.services import enqueue

    rec = enqueue("tests.tasks.sample_jobs.explode", 1, kind="notify", owner_id=owner.id, retry=None)
    _run_jobs()
    return rec.rq_id


def _ids(model, column, *where, limit=1):
    return list(db.session.scalars(select(column).where(*where).order_by(column).limit(limit)))


def build_world() -> dict:
    """Build the data set (inside an app context); {"logins": {role: (phone, password)}, "seeds": {role: [url]}}."""
    from volunteer.accounts.deletion import SELF_SERVICE_ROLES as SELF_SERVICE
    from volunteer.activities.models import Activity
    from volunteer.children.models import Child
    from volunteer.needs.models import Need
    from volunteer.notifications.services import notify
    from volunteer.notifications.targets import Target
    from volunteer.orgs.invitations import invite
    from volunteer.visits.models import Visit, VisitAssignee
    from volunteer.wishes.models import WishEvent

    result = build(small=True, seed=2019)
    phones = {login["key"]: login["e164"] for login in result["logins"]}
    users = {role: db.session.scalar(select(User).where(User.phone == phones[_DEMO_KEYS.get(role, role)]))
             for role in ROLES if role != "driver"}
    users["driver"] = db.session.scalar(select(User).where(
        User.role == "volunteer", User.id != users["volunteer"].id).order_by(User.id))
    coordinator, admin = users["coordinator"], users["admin"]

    campaign, hubs, run = _campaign_with_a_run(coordinator, users["driver"])
    proposals = {"coordinator": _proposal(coordinator), "admin": _proposal(admin)}
    failed = _failed_job(coordinator)
    invite(users["org_admin"], users["org_admin"].organisation_id, users["volunteer"].phone, "org_member")
    for role, user in users.items():
        for i in range(3):
            notify(user.id, "layout", f"layout:{user.id}:{i}", f"您有一条新的提醒（{i + 1}）",
                   "志愿者于伟峰已接受沙子口街道南窑社区的探访邀请，请在探访前一天确认时间。", target=Target("account"))

    child_in_laoshan = _ids(Child, Child.ref, Child.district_code == "370212")[0]
    need = _ids(Need, Need.id, Need.status == "open", Need.child_id.in_(
        select(Child.id).where(Child.district_code == "370212")))[0]
    visits = _ids(Visit, Visit.id)
    mine = _ids(VisitAssignee, VisitAssignee.visit_id, VisitAssignee.user_id == users["volunteer"].id, limit=5)
    event = _ids(WishEvent, WishEvent.id)[0]
    staff = [f"/children/{child_in_laoshan}", f"/children/{child_in_laoshan}/viewers",
             f"/children/{child_in_laoshan}/helpers", f"/children/{child_in_laoshan}/edit",
             f"/needs/{need}/helpers", f"/needs/{need}/edit", f"/visits/{visits[0]}",
             f"/wish-events/{event}", f"/wish-events/{event}/board", f"/logistics/campaigns/{campaign}",
             f"/logistics/hubs/{hubs[0]}", f"/deliveries/{run}", f"/jobs/{failed}", "/jobs/failed", "/api/docs"]
    seeds = {role: ["/", "/api/docs", f"/wish-events/{event}", f"/wish-events/{event}/board"] for role in ROLES}
    for role in ("coordinator", "admin"):
        seeds[role] = ["/"] + staff + [f"/visits/auto/{proposals[role]}"]
    seeds["volunteer"] += [f"/visits/{v}" for v in mine] + ["/invitations", "/offers"]
    seeds["driver"] += ["/deliveries", f"/deliveries/{run}"]
    for role in ("org_admin", "org_member", "donor"):
        seeds[role] += [f"/orgs/{users[role].organisation_id}", "/my/wishes"]
    for role in ("volunteer", "driver", "org_admin", "org_member"):  # service certificates (issue 18)
        seeds[role] += ["/my/certificates"]
    for role in ("coordinator", "admin", "org_admin"):  # the national system's export (issue 18)
        seeds[role] += ["/activities/export"]
    for role in ("volunteer", "driver", "org_admin", "org_member"):  # service hours; a volunteer's scan page
        seeds[role] += ["/my/hours"] + (["/activities/scan"] if users[role].role == "volunteer" else [])
    done = _ids(Activity, Activity.id, Activity.status == "done")[0]
    ahead = _ids(Activity, Activity.id, Activity.status == "published")[0]
    for role in ("coordinator", "admin"):  # an activity's QR code and its attendance and hours
        seeds[role] += [f"/activities/{ahead}/qr", f"/activities/{done}/hours"]
        seeds[role] += [f"/activities/{ahead}/edit", f"/activities/{ahead}/children"]  # three steps from home
    for role in ROLES:  # the account's own pages; deleting is for self-service roles (staff are sent back)
        seeds[role] += ["/account", "/account/data"] + (["/account/delete"] if users[role].role in SELF_SERVICE else [])
        seeds[role] += ["/account/phone", "/privacy"]  # the phone change's first step; the privacy notice
    logins = {role: (users[role].phone, DEMO_PASSWORD) for role in ROLES}
    return {"logins": logins, "seeds": seeds}
