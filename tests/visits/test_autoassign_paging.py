"""A large auto-assign proposal is read per helper, filtered and paged (20 visits a page), and confirming
sends exactly the visits the coordinator chose, whichever page or filter the choice was made on."""
from datetime import timedelta

from sqlalchemy import select

from volunteer.extensions import db
from volunteer.needs.services import create_need
from volunteer.tasks.models import JobRecord
from volunteer.types import utcnow
from volunteer.visits import proposals
from volunteer.visits.models import Visit, VisitAssignee
from volunteer.volunteers.models import VolunteerSkill

EN = {"Accept-Language": "en"}
RUN = "paged-run"
SHAZIKOU, WANGGEZHUANG = "370212002", "370212003"


def _proposal(make_user, make_child, n=25):
    """A finished run of a 崂山 coordinator proposing n visits: odd ones tutoring in 沙子口, even ones
    community_activity in 王哥庄; each with its own volunteer, the first two volunteers also as alternatives."""
    coord = make_user(role="coordinator", scope_level="district", scope_code="370212")
    start = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    items, vols, needs = [], [], []
    for i in range(n):
        town = SHAZIKOU if i % 2 else WANGGEZHUANG
        service = "tutoring" if i % 2 else "community_activity"
        child = make_child(by=coord, town_code=town)
        need = create_need(coord, child.ref, {"dimension": "intellect", "service_type": service,
                                              "skills": [] if service == "community_activity" else ["tutoring"]})
        vol = make_user(role="volunteer", name=f"志愿者{i:02d}")
        db.session.add(VolunteerSkill(user_id=vol.id, skill="tutoring", credential_status="verified"))
        vols.append(vol.id)
        needs.append(need.id)
        items.append({"need": need.id, "volunteers": [vol.id], "alternatives": [], "org": None, "km": [1.0],
                      "continuity": False, "starts_at": (start + timedelta(hours=i % 3)).isoformat(),
                      "ends_at": (start + timedelta(hours=i % 3, minutes=50)).isoformat()})
    db.session.add(JobRecord(rq_id=RUN, kind="autoassign", queue="default", func="jobs.autoassign.propose",
                             owner_id=coord.id, status="finished", progress=100))
    db.session.commit()
    proposals.save(RUN, coord.id, {"items": items, "unassigned": [], "max_km": 15})
    return coord, needs, vols


def _sent(run_worker) -> dict:
    run_worker()
    db.session.expire_all()
    return {v.need_id: sorted(a.user_id for a in db.session.scalars(
        select(VisitAssignee).where(VisitAssignee.visit_id == v.id))) for v in db.session.scalars(select(Visit))}


def test_the_proposal_shows_each_helper_filters_and_twenty_visits_a_page(app, client, login, make_user, make_child):
    coord, needs, _vols = _proposal(make_user, make_child)
    login(coord)
    html = client.get(f"/visits/auto/{RUN}", headers=EN).get_data(as_text=True)
    assert html.count('name="shown"') == 20 and "Page 1 of 2" in html
    assert 'id="autoassign-helpers"' in html and html.count("<tr data-helper=") == 25
    assert "25 visits are chosen, on every page and filter" in html and "Confirm and send 25 offers" in html
    second = client.get(f"/visits/auto/{RUN}?page=2", headers=EN).get_data(as_text=True)
    assert second.count('name="shown"') == 5
    town = client.get(f"/visits/auto/{RUN}?town={SHAZIKOU}", headers=EN).get_data(as_text=True)
    assert town.count('name="shown"') == 12 and "Visits 1–12 of 12 shown" in town
    service = client.get(f"/visits/auto/{RUN}?service=community_activity", headers=EN).get_data(as_text=True)
    assert service.count('name="shown"') == 13
    hx = client.get(f"/visits/auto/{RUN}?page=2", headers={**EN, "HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in hx and hx.count('name="shown"') == 5


def test_confirm_sends_exactly_the_chosen_visits_across_pages_and_filters(
        app, client, login, make_user, make_child, run_worker):
    coord, needs, vols = _proposal(make_user, make_child)
    login(coord)
    page1 = needs[:20]
    # Page 1: untick the first two; the third's pick of another volunteer is not one of its alternatives,
    # so it is ignored.
    r = client.post(f"/visits/auto/{RUN}/choices", data={"shown": page1, "keep": page1[2:],
                                                         f"v-{page1[2]}-0": str(vols[1])})
    assert r.status_code == 302
    # A filtered view (沙子口, the odd ones) shows the second unticked and unticks one more; the other
    # pages keep their choices.
    odd = [n for i, n in enumerate(needs) if i % 2]
    view = client.get(f"/visits/auto/{RUN}?town={SHAZIKOU}").get_data(as_text=True)
    assert f'id="keep-{needs[1]}">' in view and f'id="keep-{needs[3]}" checked>' in view
    r = client.post(f"/visits/auto/{RUN}/choices", data={"shown": odd, "keep": [n for n in odd if n not in (
        needs[1], needs[5])], "town": SHAZIKOU},
                    headers={**EN, "HX-Request": "true"})
    assert r.status_code == 200 and "Confirm and send 22 offers" in r.get_data(as_text=True)
    html = client.get(f"/visits/auto/{RUN}?page=2", headers=EN).get_data(as_text=True)
    assert "22 visits are chosen" in html and "Confirm and send 22 offers" in html
    # Confirm from page 2: its five stay ticked; nothing from page 1 or the filter is lost or added.
    r = client.post(f"/visits/auto/{RUN}/confirm", data={"shown": needs[20:], "keep": needs[20:], "page": 2})
    assert r.status_code == 302
    sent = _sent(run_worker)
    assert proposals.load(coord, RUN).errors == {}
    expected = set(needs) - {needs[0], needs[1], needs[5]}
    assert set(sent) == expected
    assert all(sent[n] == [vols[needs.index(n)]] for n in expected)
    assert db.session.scalar(select(Visit.id).where(Visit.need_id.in_([needs[0], needs[1], needs[5]]))) is None


def test_a_picked_alternative_replaces_the_proposed_volunteer_only_for_that_visit(
        app, client, login, make_user, make_child, run_worker):
    coord, needs, vols = _proposal(make_user, make_child, n=3)
    row = proposals._row(RUN)
    body = proposals.json.loads(row.body)
    body["items"][0]["alternatives"] = [vols[2]]
    row.body = proposals.json.dumps(body)
    db.session.commit()
    login(coord)
    html = client.get(f"/visits/auto/{RUN}", headers=EN).get_data(as_text=True)
    assert f'<option value="{vols[2]}">' in html
    r = client.post(f"/visits/auto/{RUN}/confirm", data={"shown": needs[:1], "keep": needs[:1],
                                                         f"v-{needs[0]}-0": str(vols[2])})
    assert r.status_code == 302
    sent = _sent(run_worker)
    assert sent == {needs[0]: [vols[2]], needs[1]: [vols[1]], needs[2]: [vols[2]]}
