"""Fixtures for the children pages: a 崂山区 coordinator logged in, a 市北区 one, helpers."""
import pytest

from tests.conftest import CHILD


@pytest.fixture
def coordinator(make_user):
    return make_user(role="coordinator", scope_level="district", scope_code="370212", name="崂山协调员")


@pytest.fixture
def outsider(make_user):
    return make_user(role="coordinator", scope_level="district", scope_code="370203", name="市北协调员")


@pytest.fixture
def coord_client(client, login, coordinator):
    login(coordinator)
    return client


def form_data(**changes) -> dict:
    """The child form as a browser posts it (district/town selects, consent checkbox)."""
    data = {k: v for k, v in CHILD.items() if k not in ("district_code", "town_code")}
    data.update(district=CHILD["district_code"], town=CHILD["town_code"], consent_agreed="1")
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
