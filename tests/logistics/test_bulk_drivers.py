"""Runs grouped by hub with their counts, and one driver given to many runs at once (all or nothing)."""
import pytest
from sqlalchemy import select

from volunteer.extensions import db
from volunteer.logistics import allocation, run_groups, runs
from volunteer.logistics.campaigns import CampaignNotFound
from volunteer.logistics.models import DeliveryRun
from volunteer.logistics.stock import LogisticsError
from volunteer.validation import display_phone

from .test_allocation import _campaign

VILLAGES = ("东村", "西村", "南村", "北村")


@pytest.fixture
def planned(logi, make_child, make_user):
    """Eight children in four villages of 沙子口 and two in 北宅, confirmed; runs of at most 2 packs."""
    sha, bei = logi["hubs"][0], logi["hubs"][1]
    logi["stock"](sha, logi["bag"], 20)
    logi["stock"](bei, logi["bag"], 20)
    for i in range(8):
        make_child(name=f"王小{i}", village=VILLAGES[i % 4], lat=f"{36.105 + (i % 4) * 0.01:.4f}",
                   lon=f"{120.50 + (i % 4) * 0.01:.4f}")
    for i in range(2):
        make_child(name=f"赵小{i}", town_code="370212004", village="北宅村", lat="36.2500", lon="120.5500")
    c = _campaign(logi, logi["bag"])
    allocation.allocate(c.id)
    allocation.confirm(logi["coordinator"], c.id)
    runs.plan(c.id, 2)
    of = {h.id: [r for r in runs.runs_of(c.id) if r.hub_id == h.id] for h in (sha, bei)}
    return {**logi, "campaign": c, "sha": sha, "bei": bei, "runs": of, "driver": make_user(role="volunteer")}


def _drivers(run_list):
    db.session.expire_all()
    return [db.session.get(DeliveryRun, r.id).driver_id for r in run_list]


def test_groups_count_runs_stops_packs_and_drivers_per_hub(planned):
    sha_runs = planned["runs"][planned["sha"].id]
    runs.assign_driver(planned["coordinator"], sha_runs[0].id, planned["driver"].phone)
    groups = run_groups.hub_groups(planned["campaign"].id)
    by_hub = {g.hub.id: g for g in groups}
    sha = by_hub[planned["sha"].id]
    assert (sha.total, sha.packs, sha.assigned, sha.unassigned) == (len(sha_runs), 8, 1, len(sha_runs) - 1)
    assert sha.stops == sum(len(r.stops) for r in sha_runs)
    assert by_hub[planned["bei"].id].packs == 2 and by_hub[planned["bei"].id].assigned == 0


def test_a_long_group_is_paged(planned, monkeypatch):
    monkeypatch.setattr(run_groups, "PER_PAGE", 3)
    sha_id = planned["sha"].id
    total = len(planned["runs"][sha_id])
    first = {g.hub.id: g for g in run_groups.hub_groups(planned["campaign"].id)}[sha_id]
    second = {g.hub.id: g for g in run_groups.hub_groups(planned["campaign"].id, {sha_id: 2})}[sha_id]
    assert len(first.runs) == 3 and first.pages == (total + 2) // 3 and first.page == 1
    assert second.page == 2 and not {r.id for r in first.runs} & {r.id for r in second.runs}
    beyond = {g.hub.id: g for g in run_groups.hub_groups(planned["campaign"].id, {sha_id: 99})}[sha_id]
    assert beyond.page == first.pages  # a page past the end shows the last one


def test_the_ticked_runs_get_the_driver_in_one_go(planned):
    ticked = planned["runs"][planned["sha"].id][:3]
    done = run_groups.assign_drivers(planned["coordinator"], planned["campaign"].id,
                                     display_phone(planned["driver"].phone), run_ids=[str(r.id) for r in ticked])
    assert done.count == 3 and done.replaced == 0 and done.driver.id == planned["driver"].id
    assert _drivers(ticked) == [planned["driver"].id] * 3
    assert _drivers(planned["runs"][planned["sha"].id][3:]) == [None] * (len(planned["runs"][planned["sha"].id]) - 3)


def test_all_unassigned_runs_of_a_hub_leaves_the_assigned_ones_and_other_hubs_alone(planned, make_user):
    sha_runs = planned["runs"][planned["sha"].id]
    other = make_user(role="volunteer")
    runs.assign_driver(planned["coordinator"], sha_runs[0].id, other.phone)
    done = run_groups.assign_drivers(planned["coordinator"], planned["campaign"].id, planned["driver"].phone,
                                     hub_id=planned["sha"].id)
    assert done.count == len(sha_runs) - 1
    assert _drivers(sha_runs) == [other.id] + [planned["driver"].id] * (len(sha_runs) - 1)
    assert _drivers(planned["runs"][planned["bei"].id]) == [None]
    with pytest.raises(LogisticsError, match="already has a driver|已有司机"):
        run_groups.assign_drivers(planned["coordinator"], planned["campaign"].id, planned["driver"].phone,
                                  hub_id=planned["sha"].id)


def test_replacing_a_driver_of_a_ticked_run_is_counted(planned, make_user):
    sha_runs = planned["runs"][planned["sha"].id]
    other = make_user(role="volunteer")
    runs.assign_driver(planned["coordinator"], sha_runs[0].id, other.phone)
    done = run_groups.assign_drivers(planned["coordinator"], planned["campaign"].id, planned["driver"].phone,
                                     run_ids=[sha_runs[0].id, sha_runs[1].id])
    assert done.count == 2 and done.replaced == 1


@pytest.mark.parametrize("phone", ["", "123", "13800138000", "abc"])
def test_a_bad_or_unknown_phone_is_refused_and_changes_nothing(planned, phone):
    sha_runs = planned["runs"][planned["sha"].id]
    with pytest.raises(LogisticsError) as exc:
        run_groups.assign_drivers(planned["coordinator"], planned["campaign"].id, phone,
                                  run_ids=[r.id for r in sha_runs])
    assert exc.value.message and exc.value.field == "phone"
    assert _drivers(sha_runs) == [None] * len(sha_runs)


def test_an_inactive_account_cannot_drive(planned):
    planned["driver"].active = False
    db.session.commit()
    with pytest.raises(LogisticsError):
        run_groups.assign_drivers(planned["coordinator"], planned["campaign"].id, planned["driver"].phone,
                                  hub_id=planned["sha"].id)


def test_a_finished_or_under_way_run_among_the_ticked_ones_refuses_all_of_them(planned, make_user):
    sha_runs = planned["runs"][planned["sha"].id]
    first_driver = make_user(role="volunteer")
    runs.assign_driver(planned["coordinator"], sha_runs[0].id, first_driver.phone)
    runs.assign_driver(planned["coordinator"], sha_runs[1].id, first_driver.phone)
    runs.finish(first_driver, sha_runs[0].id)
    stop = sha_runs[1].stops[0]
    runs.confirm_drop(first_driver, stop.id, stop.receipt_code)
    for chosen in ([sha_runs[0], sha_runs[2]], [sha_runs[1], sha_runs[2]]):
        with pytest.raises(LogisticsError) as exc:
            run_groups.assign_drivers(planned["coordinator"], planned["campaign"].id, planned["driver"].phone,
                                      run_ids=[r.id for r in chosen])
        assert f"{planned['sha'].name}" in exc.value.message
        assert _drivers(chosen) == [first_driver.id, None]


def test_single_assignment_keeps_a_finished_runs_driver_but_hands_over_a_run_under_way(planned, make_user):
    sha_runs = planned["runs"][planned["sha"].id]
    first_driver = make_user(role="volunteer")
    for r in sha_runs[:2]:
        runs.assign_driver(planned["coordinator"], r.id, first_driver.phone)
    runs.finish(first_driver, sha_runs[0].id)
    stop = sha_runs[1].stops[0]
    runs.confirm_drop(first_driver, stop.id, stop.receipt_code)
    with pytest.raises(LogisticsError):
        runs.assign_driver(planned["coordinator"], sha_runs[0].id, planned["driver"].phone)
    runs.assign_driver(planned["coordinator"], sha_runs[1].id, planned["driver"].phone)
    assert _drivers(sha_runs[:2]) == [first_driver.id, planned["driver"].id]


def test_nothing_ticked_is_a_clear_message(planned):
    with pytest.raises(LogisticsError) as exc:
        run_groups.assign_drivers(planned["coordinator"], planned["campaign"].id, planned["driver"].phone,
                                  run_ids=["", "x"])
    assert exc.value.field == "run_ids"


def test_runs_of_another_campaign_or_scope_are_not_found(planned, make_user):
    sha_runs = planned["runs"][planned["sha"].id]
    town = make_user(role="coordinator", scope_level="town", scope_code="370212004")  # 北宅 only
    with pytest.raises(CampaignNotFound):
        run_groups.assign_drivers(town, planned["campaign"].id, planned["driver"].phone, run_ids=[sha_runs[0].id])
    other = _campaign(planned, planned["bag"])
    with pytest.raises(runs.RunNotFound):
        run_groups.assign_drivers(planned["coordinator"], other.id, planned["driver"].phone, run_ids=[sha_runs[0].id])
    volunteer = make_user(role="volunteer")
    with pytest.raises(CampaignNotFound):
        run_groups.assign_drivers(volunteer, planned["campaign"].id, planned["driver"].phone, run_ids=[sha_runs[0].id])
    assert _drivers(sha_runs[:1]) == [None]


# --- over HTTP ---------------------------------------------------------------------------------------

def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"}).status_code == 302
    return client


def test_the_campaign_page_groups_runs_by_hub_and_pages_a_group_for_htmx(app, planned, monkeypatch):
    monkeypatch.setattr(run_groups, "PER_PAGE", 2)
    client = _client(app, planned["coordinator"])
    cid, sha = planned["campaign"].id, planned["sha"]
    page = client.get(f"/logistics/campaigns/{cid}").get_data(as_text=True)
    assert page.count('class="sheet hub-runs"') == 2 and f'id="hub-{sha.id}"' in page
    assert page.count('name="run_ids"') == 3  # two of 沙子口's runs on its first page, 北宅's one
    frag = client.get(f"/logistics/campaigns/{cid}?hub={sha.id}&page=2", headers={"HX-Request": "true"})
    text = frag.get_data(as_text=True)
    assert text.lstrip().startswith(f'<details class="sheet hub-runs" id="hub-{sha.id}"') and " open>" in text
    second = planned["runs"][sha.id][2:4]
    assert all(f'id="run-{r.id}"' in text for r in second) and "<html" not in text


def test_polling_asks_for_a_reload_once_planning_made_runs(app, planned):
    client = _client(app, planned["coordinator"])
    cid = planned["campaign"].id
    total = sum(len(v) for v in planned["runs"].values())
    same = client.get(f"/logistics/campaigns/{cid}?seen={total}", headers={"HX-Request": "true"})
    assert "HX-Refresh" not in same.headers and 'id="campaign-state"' in same.get_data(as_text=True)
    changed = client.get(f"/logistics/campaigns/{cid}?seen=0", headers={"HX-Request": "true"})
    assert changed.headers.get("HX-Refresh") == "true"


def test_a_bad_phone_in_the_bulk_form_keeps_the_form_and_changes_nothing(app, planned):
    client = _client(app, planned["coordinator"])
    cid, sha = planned["campaign"].id, planned["sha"]
    ticked = [str(r.id) for r in planned["runs"][sha.id][:2]]
    resp = client.post(f"/logistics/campaigns/{cid}/drivers",
                       data={"hub_id": sha.id, "scope": "ticked", "phone": "123", "run_ids": ticked})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and f'id="assign-{sha.id}-error"' in text and 'value="123"' in text
    assert text.count(" checked>") >= 2 and 'aria-invalid="true"' in text
    assert _drivers(planned["runs"][sha.id]) == [None] * len(planned["runs"][sha.id])


def test_the_bulk_form_gives_all_unassigned_runs_of_a_hub_to_one_driver(app, planned):
    client = _client(app, planned["coordinator"])
    cid, sha = planned["campaign"].id, planned["sha"]
    resp = client.post(f"/logistics/campaigns/{cid}/drivers",
                       data={"hub_id": sha.id, "scope": "unassigned", "phone": display_phone(planned["driver"].phone)})
    assert resp.status_code == 302 and f"hub={sha.id}" in resp.headers["Location"] and resp.headers["Location"].endswith(f"#hub-{sha.id}")
    assert set(_drivers(planned["runs"][sha.id])) == {planned["driver"].id}
    assert _drivers(planned["runs"][planned["bei"].id]) == [None]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert planned["driver"].name in page
    assert client.post(f"/logistics/campaigns/{cid}/drivers", data={
        "hub_id": sha.id, "scope": "ticked", "phone": display_phone(planned["driver"].phone),
        "run_ids": ["999999"]}).status_code == 404


def test_the_run_page_hands_a_run_over_and_refuses_a_bad_number(app, planned):
    client = _client(app, planned["coordinator"])
    run = planned["runs"][planned["sha"].id][0]
    bad = client.post(f"/logistics/runs/{run.id}/driver", data={"phone": "123"})
    assert bad.status_code == 422 and 'id="driver-error"' in bad.get_data(as_text=True)
    ok = client.post(f"/logistics/runs/{run.id}/driver", data={"phone": display_phone(planned["driver"].phone)})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/deliveries/{run.id}")
    assert _drivers([run]) == [planned["driver"].id]
