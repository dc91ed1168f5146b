"""Helpers for the API tests: a token per user, and calls that carry it."""
import pytest

from volunteer.api.services import issue_token


@pytest.fixture
def bearer(app):
    """bearer(user) -> headers with a fresh token of user."""
    def make(user, name="tests", **headers):
        return {"Authorization": f"Bearer {issue_token(user, name)[1]}", **headers}
    return make


@pytest.fixture
def api(client, bearer):
    """api(user, method, path, json=None, **headers) -> response, called with user's token."""
    tokens = {}

    def call(user, method, path, json=None, headers=None):
        if user is None:
            h = {}
        else:
            if user.id not in tokens:
                tokens[user.id] = bearer(user)
            h = dict(tokens[user.id])
        h.update(headers or {})
        return client.open(path, method=method, json=json, headers=h)

    return call
