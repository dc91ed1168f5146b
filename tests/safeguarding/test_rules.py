"""The rule: a verified check counts from verification until the day before it expires, per purpose."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from volunteer.audit.models import AuditEntry
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.safeguarding import proofs, services
from volunteer.safeguarding.services import SafeguardingMissing, add_months, today

from .conftest import expiring_in, jpeg, verified, volunteer_here


def test_a_volunteer_lacks_the_check_until_a_coordinator_verifies_it(rule, private_instance, make_user, coord):
    v = volunteer_here(make_user)
    assert services.missing(v.id, "visit") == ["no_criminal_record"]
    row = proofs.upload(v, "no_criminal_record", "a.jpg", jpeg())
    assert row.status == "pending" and services.missing(v.id, "visit") == ["no_criminal_record"]
    done = proofs.verify(coord, row.id, today() - timedelta(days=10))
    assert done.status == "verified" and done.verified_by_id == coord.id
    assert done.expires_on == add_months(today() - timedelta(days=10), 12)
    assert services.missing(v.id, "visit") == []
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.collection == "safeguarding_check", AuditEntry.object_id == row.id)) == 2  # upload, verify


def test_a_check_counts_until_the_day_before_it_expires(rule, make_user):
    v = make_user(role="volunteer")
    row = expiring_in(v, 20)
    assert services.missing(v.id, "visit", on=row.expires_on - timedelta(days=1)) == []
    assert services.missing(v.id, "visit", on=row.expires_on) == ["no_criminal_record"]
    assert services.missing(v.id, "camp", on=row.expires_on + timedelta(days=30)) == ["no_criminal_record"]


def test_only_the_purposes_in_the_setting_need_a_check(app, rule, make_user):
    v = make_user(role="volunteer")
    assert services.missing(v.id, "tutoring") == [] and services.missing(v.id, "camp") == ["no_criminal_record"]
    app.config["SAFEGUARDING_REQUIRED_FOR"] = ""
    assert services.missing(v.id, "visit") == [] and services.missing(v.id, "camp") == []


def test_require_names_what_is_missing(rule, make_user):
    v = make_user(role="volunteer")
    with pytest.raises(SafeguardingMissing) as exc:
        services.require(v.id, "visit")
    assert "No-criminal-record certificate" in str(exc.value.message) and exc.value.kinds == ["no_criminal_record"]
    with pytest.raises(InvalidInput):
        services.require(v.id, "visit", error=lambda m: InvalidInput({"x": m}))


def test_the_kinds_and_their_validity_come_from_the_settings(app, rule, make_user, coord, private_instance):
    app.config["SAFEGUARDING_KINDS"] = "no_criminal_record:6 child_protection:24"
    v = volunteer_here(make_user)
    assert services.missing(v.id, "visit") == ["no_criminal_record", "child_protection"]
    row = verified(v, coord, issued_days_ago=0)
    assert row.expires_on == add_months(today(), 6)
    assert services.missing(v.id, "visit") == ["child_protection"]


def test_a_certificate_date_in_the_future_or_too_old_is_refused(rule, private_instance, make_user, coord):
    v = volunteer_here(make_user)
    row = proofs.upload(v, "no_criminal_record", "a.jpg", jpeg())
    with pytest.raises(InvalidInput) as exc:
        proofs.verify(coord, row.id, today() + timedelta(days=1))
    assert "future" in str(exc.value.errors["issued_on"])
    with pytest.raises(InvalidInput) as exc:
        proofs.verify(coord, row.id, add_months(today(), -12))
    assert "expired on" in str(exc.value.errors["issued_on"])
    assert db.session.get(type(row), row.id).status == "pending"


def test_a_check_is_decided_once(rule, private_instance, make_user, coord):
    v = volunteer_here(make_user)
    row = proofs.upload(v, "no_criminal_record", "a.jpg", jpeg())
    proofs.reject(coord, row.id, "照片模糊，看不清印章")
    with pytest.raises(InvalidInput) as exc:
        proofs.verify(coord, row.id, today())
    assert "already been decided" in str(exc.value.errors["status"])
    assert services.missing(v.id, "visit") == ["no_criminal_record"]


def test_months_are_added_as_calendar_months():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 10), -12) == date(2024, 3, 10)


def test_states_say_the_worst_of_the_kinds_for_a_badge(app, rule, make_user, private_instance, coord):
    a, b, c, d = (volunteer_here(make_user) for _ in range(4))
    expiring_in(a, 200)
    expiring_in(b, 10)
    proofs.upload(c, "no_criminal_record", "a.jpg", jpeg())
    expiring_in(d, -1)
    got = services.states([a.id, b.id, c.id, d.id, coord.id])
    assert [got[u.id].status for u in (a, b, c, d, coord)] == ["verified", "expiring", "pending", "expired", "missing"]
    assert got[a.id].until == today() + timedelta(days=200)
