"""Geo fixtures: the project app, whose session fixture has already loaded the divisions."""
import pytest

from volunteer.geo.services import load_divisions


@pytest.fixture
def loaded(app):
    load_divisions()
    return app
