"""Events: coordinators change the events made for their part of the city, and only those."""
import pytest

from tests.wishes.conftest import reload
from volunteer.children.validation import InvalidInput
from volunteer.wishes.events import EventNotFound, add_wishes, create_event, get_event, publish_event

EVENT = {"name": "六一关爱", "held_on": "2027/6/1", "place": "沙子口街道社工站"}


def test_a_town_coordinator_runs_an_event_for_the_town(make_user, people, publish_wish):
    town = make_user(role="coordinator", scope_level="town", scope_code="370212002", locale="en")
    wish = publish_wish(status="draft")
    event = create_event(town, EVENT)
    assert event.area_code == "370212002" and str(event.held_on) == "2027-06-01"
    assert add_wishes(town, event.id, [wish.ref]) == 1
    publish_event(town, event.id)
    assert reload(wish).status == "published" and reload(wish).event_id == event.id
    # The district's coordinator covers the town; another district's does not.
    assert get_event(people["coordinator"], event.id).id == event.id
    with pytest.raises(EventNotFound):
        add_wishes(people["outsider"], event.id, [wish.ref])


def test_bad_event_fields_are_refused_with_a_message_each(people):
    with pytest.raises(InvalidInput) as exc:
        create_event(people["coordinator"], {"name": "x" * 81, "held_on": "soon", "place": "<b>"})
    assert set(exc.value.errors) == {"name", "held_on", "place"}


def test_donors_see_published_events_only_and_cannot_make_them(people):
    event = create_event(people["coordinator"], EVENT)
    with pytest.raises(EventNotFound):
        get_event(people["donor"], event.id)
    with pytest.raises(EventNotFound):
        create_event(people["donor"], EVENT)


def test_wishes_out_of_scope_or_in_another_event_are_not_added(make_child, people, publish_wish):
    other_child = make_child(by=people["outsider"], district_code="370203", town_code="370203005", lat="36.0900", lon="120.3600")
    from volunteer.needs.wishes import create_wish

    far = create_wish(people["outsider"], other_child.ref, {"item": "球", "category": "sports", "price_yuan": 30})
    first = create_event(people["coordinator"], EVENT)
    second = create_event(people["coordinator"], EVENT)
    mine = publish_wish(status="draft")
    add_wishes(people["coordinator"], first.id, [mine.ref])
    with pytest.raises(InvalidInput):
        add_wishes(people["coordinator"], second.id, [mine.ref, far.ref])
    assert reload(mine).event_id == first.id and reload(far).event_id is None
