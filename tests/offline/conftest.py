"""Offline fixtures: the visit fixtures (a coordinator, volunteers, a child at HOME, needs), in English."""
from tests.visits.conftest import english, team  # noqa: F401 (fixtures)
