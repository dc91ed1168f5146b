"""The privacy card's pieces."""
import pytest
from flask_babel import force_locale

from volunteer.children.cards import pseudonym, pseudonym_template


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_pseudonym_from_a_template_matches_the_pseudonym_translated_each_time(app, locale):
    with app.test_request_context(), force_locale(locale):
        template = pseudonym_template()
        for ref in ("a1b2c3d4", "ffee0011", "0000zzzz"):
            assert pseudonym(ref, template) == pseudonym(ref)
        assert pseudonym("a1b2c3d4", template).endswith("A1B2")
