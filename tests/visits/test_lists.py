"""Visit lists: a coordinator's scope is a condition of the query, helpers see their own visits."""
from datetime import timedelta

from volunteer.extensions import db
from volunteer.needs.models import Need
from volunteer.needs.services import create_need
from volunteer.visits import answers, lists, services
from volunteer.visits.models import Visit, VisitAssignee, VisitReport

from .conftest import window


def _bulk_visits(need, count, start):
    """count live visits of the need's child (rows only: a list's test needs many, not the planning rules),
    each for a need of its own like need (a need has at most one live visit)."""
    needs = [need] + [Need(child_id=need.child_id, dimension=need.dimension, service_type=need.service_type,
                           status="assigned") for _ in range(count - 1)]
    db.session.add_all(needs[1:])
    db.session.flush()
    rows = [Visit(need_id=n.id, child_id=need.child_id, status="offered", starts_at=start + timedelta(minutes=i),
                  ends_at=start + timedelta(minutes=i + 30)) for i, n in enumerate(needs)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_staff_list_is_not_cut_short_by_newer_visits_outside_the_scope(team, make_child, make_user):
    admin = make_user(role="admin")
    elsewhere = make_child(by=admin, district_code="370202", town_code="370202001", lat="36.0661", lon="120.3830")
    other_need = create_need(admin, elsewhere.ref, {"dimension": "social", "service_type": "companionship"})
    ours = _bulk_visits(team["tutoring"], 3, window(24)[0])
    _bulk_visits(other_need, 600, window(48)[0])  # all later than ours: the newest 600 are out of scope

    rows, total = lists.staff_visits(team["coord"], "open")
    assert total == 3 and sorted(v.id for v in rows) == sorted(v.id for v in ours)
    city = make_user(role="coordinator", scope_level="city")
    assert lists.staff_visits(city, "open", limit=10)[1] == 603
    assert lists.staff_visits(team["vols"][0], "open") == ([], 0)  # a volunteer has no staff list
    assert lists.staff_visits(team["coord"], "done") == ([], 0)


def test_to_review_lists_only_unreviewed_reports_in_scope(team, make_user):
    done = _bulk_visits(team["tutoring"], 2, window(-30)[0])
    for v in done:
        v.status = "done"
        db.session.add(VisitReport(visit_id=v.id, author_id=team["vols"][0].id, body="ok"))
    db.session.commit()
    done[1].report.reviewed_at = done[1].starts_at
    db.session.commit()
    assert [v.id for v in lists.to_review(team["coord"])] == [done[0].id]
    outsider = make_user(role="coordinator", scope_level="district", scope_code="370203")
    assert lists.to_review(outsider) == []


def test_helper_list_has_own_visits_and_not_withdrawn_ones(team):
    v0, v1, _ = team["vols"]
    first = services.assign_visit(team["coord"], team["tutoring"].id, *window(24), [v0.id])
    services.assign_visit(team["coord"], team["home"].id, *window(48), [v0.id, v1.id])
    assert [v.status for v in lists.helper_visits(v0)] == ["offered", "offered"]
    assert [v.need_id for v in lists.helper_visits(v1)] == [team["home"].id]
    answers.respond(v0, first.id, False)
    assert [v.id for v in lists.helper_visits(v0)][0] == first.id  # a declined visit stays in the history


def test_a_visit_the_helper_accepted_is_ahead_while_the_other_helper_has_not_answered(team):
    v0, v1, _ = team["vols"]
    visit = services.assign_visit(team["coord"], team["home"].id, *window(48), [v0.id, v1.id])
    answers.respond(v0, visit.id, True)
    mine, theirs = lists.helper_sections(v0), lists.helper_sections(v1)
    assert ([v.id for v in mine.ahead], mine.to_answer, mine.earlier) == ([visit.id], [], [])
    assert [v.id for v in theirs.to_answer] == [visit.id] and theirs.ahead == []


def test_helper_sections_put_offers_first_then_visits_ahead_then_history_latest_first(team, app):
    v0, v1, _ = team["vols"]
    past = _bulk_visits(team["tutoring"], 2, window(-72)[0])  # rows only: two old visits of v0
    for i, v in enumerate(past):
        v.status = "done"
        db.session.add(VisitAssignee(visit_id=v.id, user_id=v0.id, status="accepted"))
    db.session.commit()
    accepted = services.assign_visit(team["coord"], team["home"].id, *window(48), [v0.id, v1.id])
    answers.respond(v0, accepted.id, True)
    answers.respond(v1, accepted.id, True)
    team["tutoring"].status = "open"
    db.session.commit()
    offered = services.assign_visit(team["coord"], team["tutoring"].id, *window(24), [v0.id])
    parts = lists.helper_sections(v0)
    assert [v.id for v in parts.to_answer] == [offered.id]
    assert [v.id for v in parts.ahead] == [accepted.id]
    assert [v.id for v in parts.earlier] == [past[1].id, past[0].id]  # latest first

    from volunteer.validation import display_phone

    client = app.test_client()
    client.post("/login", data={"phone": display_phone(v0.phone), "password": "Huhang-2026"})
    html = client.get("/my/visits", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html.index('id="visits-to_answer"') < html.index('id="visits-ahead"') < html.index('id="visits-earlier"')
    assert html.index(f'id="visit-{offered.id}"') < html.index(f'id="visit-{past[1].id}"')
