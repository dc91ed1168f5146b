import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def english(app):
    """Service messages are lazy strings: read them in English (the default locale is Chinese)."""
    with force_locale("en"):
        yield
