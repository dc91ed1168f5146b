"""The bureau's two counts: every service type has a form and a content (or none), and the SQL agrees with
the Python for defaults and overrides."""
import pytest
from sqlalchemy import literal, select

from volunteer.extensions import db
from volunteer.needs import catalogue
from volunteer.needs.models import SERVICE_TYPES


def test_every_service_type_has_a_known_default_form_and_content():
    assert set(catalogue.DEFAULTS) == set(SERVICE_TYPES)
    for form, content in catalogue.DEFAULTS.values():
        assert form in catalogue.FORMS and (content is None or content in catalogue.CONTENTS)
    assert catalogue.content_of("home_visit_survey") is None  # a home-visit survey has no content


@pytest.mark.parametrize("service_type", [*SERVICE_TYPES, "unknown"])
@pytest.mark.parametrize("form,content", [(None, None), ("group_service", "tutoring"), (None, "none")])
def test_the_sql_counts_a_service_where_the_python_does(app, service_type, form, content):
    row = db.session.execute(select(
        catalogue.form_sql(literal(service_type), literal(form)),
        catalogue.content_sql(literal(service_type), literal(content)))).one()
    assert tuple(row) == (catalogue.form_of(service_type, form), catalogue.content_of(service_type, content))
