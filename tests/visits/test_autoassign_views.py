"""Auto-assign pages: choose a town's needs, start, see the proposal with reasons, confirm."""
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.visits.models import Visit

from .test_autoassign import town  # noqa: F401  (fixture)

SHAZIKOU = "370212002"
EN = {"Accept-Language": "en"}


def test_a_coordinator_runs_auto_assign_for_a_town_and_confirms(town, client, login, run_worker):  # noqa: F811
    login(town["coord"])
    page = client.get(f"/visits/auto?town={SHAZIKOU}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'value="{town["tutoring"].id}"' in html and f'value="{town["home"].id}"' in html
    resp = client.post("/visits/auto", data={"town": SHAZIKOU, "scope": "all", "max_km": "15"})
    assert resp.status_code == 302
    run_url = resp.headers["Location"]
    running = client.get(run_url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "job-status" in running and 'hx-trigger="autoassign-done from:body"' in running
    run_worker()
    html = client.get(run_url, headers=EN).get_data(as_text=True)
    assert "2 visits proposed, 0 left unassigned" in html
    assert "two adults, free at the same time" in html and "skills: Home visit" in html
    assert db.session.scalar(select(func.count(Visit.id))) == 0
    resp = client.post(run_url + "/confirm", data={"keep": [str(town["home"].id), str(town["tutoring"].id)]})
    assert resp.status_code == 302
    sending = client.get(run_url, headers={"HX-Request": "true", **EN}).get_data(as_text=True)
    assert "Sending the offers" in sending and 'hx-trigger="autoassign-done from:body"' in sending
    assert 'id="autoassign-send"' not in sending  # no second confirmation while this one runs
    assert db.session.scalar(select(func.count(Visit.id))) == 0  # the job sends them
    run_worker()
    assert db.session.scalar(select(func.count(Visit.id))) == 2
    html = client.get(run_url, headers=EN).get_data(as_text=True)
    assert html.count("Offer sent") == 2 and "autoassign-send" not in html and "2 offers sent." in html


def test_an_empty_filter_lists_every_open_need_of_the_area(town, client, login):  # noqa: F811
    login(town["coord"])
    assert "autoassign-form" not in client.get("/visits/auto").get_data(as_text=True)
    html = client.get("/visits/auto?town=&service=&rhythm=").get_data(as_text=True)
    assert f'value="{town["tutoring"].id}"' in html and f'value="{town["home"].id}"' in html


def test_bad_input_gets_the_form_again_with_a_message(town, client, login):  # noqa: F811
    login(town["coord"])
    resp = client.post("/visits/auto", data={"town": SHAZIKOU, "scope": "all", "max_km": "500"}, headers=EN)
    assert resp.status_code == 422
    assert "Enter a distance from 1 to 50 km." in resp.get_data(as_text=True)
    resp = client.post("/visits/auto", data={"town": SHAZIKOU, "scope": "chosen", "max_km": "15"}, headers=EN)
    assert resp.status_code == 422
    assert "Choose at least one open need without a planned visit." in resp.get_data(as_text=True)


def test_another_coordinators_run_is_not_found(town, client, login, make_user, run_worker):  # noqa: F811
    from volunteer.visits import autoassign

    rec = autoassign.start(town["coord"], [town["tutoring"].id])
    run_worker()
    other = make_user(role="coordinator", scope_level="city")
    login(other)
    assert client.get(f"/visits/auto/{rec.rq_id}").status_code == 404
    assert client.post(f"/visits/auto/{rec.rq_id}/confirm", data={"keep": [str(town["tutoring"].id)]}).status_code == 404
    assert db.session.scalar(select(func.count(Visit.id))) == 0


def test_the_proposal_says_why_a_need_was_left_unassigned(town, client, login, run_worker):  # noqa: F811
    from volunteer.needs.services import create_need
    from volunteer.visits import autoassign

    need = create_need(town["coord"], town["child"].ref, {"dimension": "body", "service_type": "rehabilitation",
                                                          "skills": ["rehabilitation"]})
    rec = autoassign.start(town["coord"], [need.id], max_km=12)
    run_worker()
    login(town["coord"])
    html = client.get(f"/visits/auto/{rec.rq_id}", headers=EN).get_data(as_text=True)
    assert "0 visits proposed, 1 left unassigned, within 12 km." in html
    assert "No one with the required skills (credentials verified) within 12 km." in html
    zh = client.get(f"/visits/auto/{rec.rq_id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "12 公里内没有具备所需技能（资质已核实）的人。" in zh
