"""Rules of needs and micro-wishes: scope, flows, validation, taking a need for a team, privacy cards."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from volunteer.children.services import ChildNotFound
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs import services
from volunteer.needs.models import Need, Wish

NEED = {"dimension": "mind", "service_type": "counselling", "urgency": "high", "rhythm": "monthly",
        "skills": ["counselling", "companionship"], "window_start": "2026-12-01", "window_end": "2027-01-31"}


@pytest.fixture
def staff(make_user):
    return {"coordinator": make_user(role="coordinator", scope_level="district", scope_code="370212"),
            "outsider": make_user(role="coordinator", scope_level="district", scope_code="370203"),
            "admin": make_user(role="admin")}


@pytest.fixture
def child(make_child):
    return make_child()


def _count(model):
    return db.session.scalar(select(func.count(model.id)))


def _events(topic):
    from volunteer.events.models import OutboxEvent

    return db.session.scalars(select(OutboxEvent).where(OutboxEvent.topic == topic)).all()


# --- needs ------------------------------------------------------------------------------------------

def test_a_coordinator_adds_a_need_with_skills_and_window_and_an_event_is_emitted(staff, child):
    need = services.create_need(staff["coordinator"], child.ref, {**NEED, "details": "第一行\n第二行"})
    assert need.status == "open" and need.child_id == child.id and need.created_by_id == staff["coordinator"].id
    assert need.skill_codes == ["companionship", "counselling"]
    assert need.window_start == date(2026, 12, 1) and need.window_end == date(2027, 1, 31)
    assert need.details == "第一行\n第二行"
    events = _events("need.created")
    assert len(events) == 1 and events[0].subject == f"child:{child.id}" and str(need.id) in events[0].payload


def test_urgency_and_rhythm_have_defaults_and_the_window_is_optional(staff, child):
    need = services.create_need(staff["admin"], child.ref, {"dimension": "body", "service_type": "rehabilitation"})
    assert (need.urgency, need.rhythm, need.window_start, need.skill_codes) == ("normal", "once", None, [])


def test_a_coordinator_outside_the_childs_area_gets_the_same_answer_as_for_a_missing_child(staff, child):
    with pytest.raises(ChildNotFound):
        services.create_need(staff["outsider"], child.ref, NEED)
    with pytest.raises(ChildNotFound):
        services.create_need(staff["coordinator"], "nosuchchild", NEED)
    with pytest.raises(ChildNotFound):
        services.create_wish(staff["outsider"], child.ref, {"item": "书包", "category": "study", "price_yuan": 80})
    assert _count(Need) == 0 and _count(Wish) == 0


def test_a_volunteer_cannot_add_a_need(make_user, child):
    with pytest.raises(ChildNotFound):
        services.create_need(make_user(role="volunteer"), child.ref, NEED)


@pytest.mark.parametrize("change, field, message", [
    ({"service_type": "magic"}, "service_type", "Choose from the list."),
    ({"dimension": ""}, "dimension", "Choose from the list."),
    ({"urgency": "tomorrow"}, "urgency", "Choose from the list."),
    ({"skills": ["tutoring", "flying"]}, "skills", "Choose skills from the list."),
    ({"window_start": "2026-13-45"}, "window_start", "Enter a date like"),
    ({"window_end": "2026-11-30"}, "window_end", "cannot end before it starts"),
    ({"details": "x" * 2001}, "details", "at most 2000 characters"),
    ({"details": "想要 😀"}, "details", "no emoji"),
])
def test_bad_need_input_is_refused_per_field_and_nothing_is_saved(staff, child, change, field, message):
    with pytest.raises(InvalidInput) as exc:
        services.create_need(staff["coordinator"], child.ref, {**NEED, **change})
    assert message in str(exc.value.errors[field])
    assert _count(Need) == 0 and _events("need.created") == []


def test_update_need_changes_fields_and_checks_the_window_against_the_stored_start(staff, child):
    need = services.create_need(staff["coordinator"], child.ref, NEED)
    services.update_need(staff["coordinator"], need.id, {"urgency": "urgent", "skills": ["tutoring"]})
    db.session.refresh(need)
    assert need.urgency == "urgent" and need.skill_codes == ["tutoring"] and need.service_type == "counselling"
    assert len(_events("need.updated")) == 1
    with pytest.raises(InvalidInput) as exc:
        services.update_need(staff["coordinator"], need.id, {"window_end": "2026-11-01"})
    assert "window_end" in exc.value.errors
    with pytest.raises(ChildNotFound):
        services.update_need(staff["outsider"], need.id, {"urgency": "low"})
    db.session.refresh(need)
    assert need.window_end == date(2027, 1, 31) and need.urgency == "urgent"


def test_need_status_follows_the_flow_and_a_refused_move_says_what_is_possible(staff, child):
    need = services.create_need(staff["coordinator"], child.ref, NEED)
    for status in ("assigned", "in_progress", "done"):
        services.move_need(staff["coordinator"], need.id, status)
    with pytest.raises(InvalidInput) as exc:
        services.move_need(staff["coordinator"], need.id, "assigned")
    message = str(exc.value.errors["status"])
    assert "Done" in message and "Assigned" in message and "Open" in message
    db.session.refresh(need)
    assert need.status == "done"
    with pytest.raises(InvalidInput):
        services.move_need(staff["coordinator"], need.id, "nonsense")
    with pytest.raises(ChildNotFound):
        services.move_need(staff["outsider"], need.id, "open")
    services.move_need(staff["admin"], need.id, "open")
    db.session.refresh(need)
    assert need.status == "open"


def test_an_org_admin_takes_an_open_need_for_their_organisation(staff, child, make_org, make_user):
    org, other = make_org(), make_org()
    admin = make_user(role="org_admin", organisation_id=org.id)
    rival = make_user(role="org_admin", organisation_id=other.id)
    need = services.create_need(staff["coordinator"], child.ref, NEED)
    taken = services.take_as_team(admin, need.id)
    assert taken.status == "assigned" and taken.team_org_id == org.id
    with pytest.raises(InvalidInput) as exc:
        services.take_as_team(rival, need.id)
    assert "no longer open" in str(exc.value.errors["status"])
    db.session.refresh(need)
    assert need.team_org_id == org.id
    # The team's card never carries the coordinators' details nor the child's name.
    card = services.team_card(need)
    assert "details" not in card["need"] and "name" not in card["child"] and card["child"]["pseudonym"]


@pytest.mark.parametrize("role", ["org_member", "volunteer", "coordinator", "admin"])
def test_only_an_org_admin_may_take_a_need(staff, child, make_org, make_user, role):
    org = make_org()
    user = make_user(role=role, organisation_id=org.id if role.startswith("org") else None)
    need = services.create_need(staff["coordinator"], child.ref, NEED)
    with pytest.raises(services.NotAllowed):
        services.take_as_team(user, need.id)
    db.session.refresh(need)
    assert need.status == "open" and need.team_org_id is None


def test_taking_a_need_that_is_not_open_or_missing_is_refused(staff, child, make_org, make_user):
    admin = make_user(role="org_admin", organisation_id=make_org().id)
    need = services.create_need(staff["coordinator"], child.ref, NEED)
    services.move_need(staff["coordinator"], need.id, "cancelled")
    with pytest.raises(InvalidInput):
        services.take_as_team(admin, need.id)
    with pytest.raises(ChildNotFound):
        services.take_as_team(admin, 999999)


def test_the_team_admin_starts_finishes_or_gives_back_a_need_but_cannot_cancel_it(staff, child, make_org, make_user):
    org, other = make_org(), make_org()
    admin = make_user(role="org_admin", organisation_id=org.id)
    need = services.create_need(staff["coordinator"], child.ref, NEED)
    services.take_as_team(admin, need.id)
    with pytest.raises(ChildNotFound):
        services.move_need(make_user(role="org_admin", organisation_id=other.id), need.id, "in_progress")
    with pytest.raises(InvalidInput) as exc:
        services.move_need(admin, need.id, "cancelled")
    assert "coordinator" in str(exc.value.errors["status"])
    services.move_need(admin, need.id, "in_progress")
    services.move_need(admin, need.id, "open")  # given back: another team may take it
    db.session.refresh(need)
    assert need.status == "open" and need.team_org_id is None
    with pytest.raises(ChildNotFound):  # no longer theirs
        services.move_need(admin, need.id, "assigned")


# --- wishes -----------------------------------------------------------------------------------------

def test_a_wish_gets_a_random_ref_starts_as_draft_and_emits_an_event(staff, child):
    wish = services.create_wish(staff["coordinator"], child.ref,
                                {"item": " 一套水彩笔 ", "category": "study", "price_yuan": "35"})
    assert re.fullmatch(r"[0-9a-f]{10}", wish.ref) and wish.ref != child.ref
    assert (wish.item, wish.category, wish.price_yuan, wish.status) == ("一套水彩笔", "study", 35, "draft")
    assert len(_events("wish.created")) == 1


@pytest.mark.parametrize("change, field, message", [
    ({"price_yuan": "0"}, "price_yuan", "between 1 and 5000"),
    ({"price_yuan": "999999"}, "price_yuan", "between 1 and 5000"),
    ({"price_yuan": "abc"}, "price_yuan", "whole number"),
    ({"price_yuan": "12.5"}, "price_yuan", "whole number"),
    ({"price_yuan": "-3"}, "price_yuan", "whole number"),
    ({"price_yuan": ""}, "price_yuan", "whole number"),
    ({"item": "书包🎒"}, "item", "no emoji"),
    ({"item": "<b>书包</b>"}, "item", "markup"),
    ({"item": "书" * 61}, "item", "at most 60"),
    ({"item": "  "}, "item", "wishes for"),
    ({"category": "cars"}, "category", "category"),
])
def test_bad_wish_input_is_refused_per_field_and_nothing_is_saved(staff, child, change, field, message):
    with pytest.raises(InvalidInput) as exc:
        services.create_wish(staff["coordinator"], child.ref, {"item": "书包", "category": "study",
                                                              "price_yuan": "80", **change})
    assert message in str(exc.value.errors[field])
    assert _count(Wish) == 0


def test_wish_status_follows_the_flow_and_only_staff_in_scope_move_it(staff, child, make_user):
    wish = services.create_wish(staff["coordinator"], child.ref, {"item": "书包", "category": "study",
                                                                 "price_yuan": 80})
    services.move_wish(staff["coordinator"], wish.ref, "published")
    with pytest.raises(InvalidInput) as exc:
        services.move_wish(staff["coordinator"], wish.ref, "received")
    assert "Published" in str(exc.value.errors["status"])
    with pytest.raises(ChildNotFound):
        services.move_wish(staff["outsider"], wish.ref, "claimed")
    with pytest.raises(ChildNotFound):
        services.move_wish(make_user(role="volunteer"), wish.ref, "claimed")
    db.session.refresh(wish)
    assert wish.status == "published" and len(_events("wish.updated")) == 1


def test_needs_of_and_wishes_of_list_a_childs_records(staff, child, make_child):
    other = make_child(name="李四")
    n1 = services.create_need(staff["admin"], child.ref, NEED)
    services.create_need(staff["admin"], other.ref, NEED)
    w1 = services.create_wish(staff["admin"], child.ref, {"item": "书", "category": "books", "price_yuan": 20})
    assert [n.id for n in services.needs_of(child)] == [n1.id]
    assert [w.ref for w in services.wishes_of(child)] == [w1.ref]


# --- privacy cards ----------------------------------------------------------------------------------

def test_open_need_cards_hold_only_the_privacy_card_and_open_needs(staff, child, make_user):
    open_need = services.create_need(staff["admin"], child.ref, NEED)
    closed = services.create_need(staff["admin"], child.ref, {**NEED, "details": "住在奶奶家"})
    services.move_need(staff["admin"], closed.id, "cancelled")
    cards = services.open_need_cards(make_user(role="volunteer"), 1, 10, {})
    assert len(cards) == 1 and not cards.has_more
    card = cards[0]
    assert set(card) <= {"ref", "pseudonym", "age_band", "gender", "town_name", "approx_lat", "approx_lon", "needs"}
    assert [n["id"] for n in card["needs"]] == [open_need.id]
    assert "details" not in card["needs"][0]
    assert child.name not in str(card) and "住在奶奶家" not in str(card)


def test_open_need_cards_page_filter_and_put_urgent_needs_first(staff, make_child, make_user):
    volunteer = make_user(role="volunteer")
    kids = [make_child(name=f"孩子{i}") for i in range(5)]
    for i, kid in enumerate(kids):
        services.create_need(staff["admin"], kid.ref, {**NEED, "urgency": "urgent" if i == 3 else "low",
                                                       "service_type": "tutoring" if i % 2 else "camp"})
    first = services.open_need_cards(volunteer, 1, 2, {})
    assert len(first) == 2 and first.has_more and first[0]["ref"] == kids[3].ref
    rest = services.open_need_cards(volunteer, 2, 2, {}) + services.open_need_cards(volunteer, 3, 2, {})
    assert len({c["ref"] for c in list(first) + rest}) == 5
    tutoring = services.open_need_cards(volunteer, 1, 10, {"service_type": "tutoring", "district": "bogus"})
    assert {c["ref"] for c in tutoring} == {kids[1].ref, kids[3].ref}
    assert services.open_need_cards(volunteer, 1, 10, {"district": "370203"}) == []
    assert services.open_need_cards(volunteer, 1, 10, {"skill": "driving"}) == []
