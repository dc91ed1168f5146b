"""Tests for division loading, point validation and point-in-district look-ups."""
import math
import random

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.geo import services
from volunteer.geo.models import Division
from volunteer.geo.services import BadLocation, parse_point

LAOSHAN_GOV = (36.1025, 120.4678)
SHINAN = (36.066, 120.383)
BEIJING = (39.9042, 116.4074)
DISTRICT_CODES = ["370202", "370203", "370211", "370212", "370213",
                  "370214", "370215", "370281", "370283", "370285"]


def test_load_divisions_counts_and_is_idempotent(app):
    assert services.load_divisions() == 151
    assert db.session.scalar(select(func.count()).select_from(Division)) == 151
    before = {d.code: (d.name, d.level, d.parent_code, d.rural, d.lat, d.lon) for d in db.session.scalars(select(Division))}
    db.session.expire_all()
    assert services.load_divisions() == 151
    assert not db.session.dirty and not db.session.new
    after = {d.code: (d.name, d.level, d.parent_code, d.rural, d.lat, d.lon) for d in db.session.scalars(select(Division))}
    assert after == before
    assert db.session.scalar(select(func.count()).select_from(Division)) == 151


def test_districts_and_towns(loaded):
    districts = services.districts()
    assert [d.code for d in districts] == DISTRICT_CODES
    assert all(d.lat is not None and d.lon is not None and not d.rural for d in districts)
    towns = db.session.scalars(select(Division).where(Division.level == "town")).all()
    assert len(towns) == 141
    assert all(services.get(t.parent_code).level == "district" for t in towns)
    assert all(t.lat is None and t.lon is None for t in towns)
    laoshan = services.towns("370212")
    assert [t.code for t in laoshan] == sorted(t.code for t in laoshan)
    assert "沙子口街道" in [t.name for t in laoshan]
    assert sum(len(services.towns(c)) for c in DISTRICT_CODES) == 141


def test_rural_flag(loaded):
    yuanshang = db.session.scalar(select(Division).where(Division.name == "院上镇"))
    assert yuanshang.parent_code == "370285" and yuanshang.rural is True
    assert services.get("370202001").name == "香港中路街道"
    assert services.get("370202001").rural is False


def test_district_representative_points_lie_in_their_district(loaded):
    for d in services.districts():
        assert services.district_code_at(d.lat, d.lon) == d.code


def test_district_at(loaded):
    assert services.district_at(*LAOSHAN_GOV).code == "370212"
    assert services.district_at(*SHINAN).code == "370202"
    assert services.district_at(*BEIJING) is None
    assert services.district_code_at(36.80, 119.95) == "370283"  # Pingdu countryside


def test_in_qingdao(loaded):
    assert services.in_qingdao(*LAOSHAN_GOV)
    assert not services.in_qingdao(*BEIJING)
    assert not services.in_qingdao(36.07, 121.5)  # Yellow Sea, ~80 km offshore


def test_parse_point_accepts_strings_and_numbers(loaded):
    assert parse_point(" 36.1025", "120.4678 ") == LAOSHAN_GOV
    assert parse_point(36, 120.2) == (36.0, 120.2)  # Huangdao, given as numbers
    with pytest.raises(BadLocation):
        parse_point(36, 120.4)  # open sea south of Shinan


@pytest.mark.parametrize("lat, lon, reason, message", [
    ("abc", "120.4", "not_number", "Location must be numbers"),
    ("", "120.4", "not_number", "Location must be numbers"),
    (None, 120.4, "not_number", "Location must be numbers"),
    (float("nan"), 120.4, "not_number", "Location must be numbers"),
    ("36.1", "inf", "not_number", "Location must be numbers"),
    (True, 120.4, "not_number", "Location must be numbers"),
    (91, 120.4, "out_of_range", "between -90 and 90"),
    (36.1, -181, "out_of_range", "between -90 and 90"),
    (0, 0, "outside_china", "outside China"),
    (BEIJING[0], BEIJING[1], "outside_qingdao", "outside Qingdao"),
])
def test_parse_point_rejects(app, lat, lon, reason, message):
    with pytest.raises(BadLocation) as info:
        parse_point(lat, lon)
    assert info.value.reason == reason
    with force_locale("en"):
        assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_point_for(loaded):
    laoshan = services.get("370212")
    assert services.point_for("370212") == (laoshan.lat, laoshan.lon, "district")
    assert services.point_for("370212002") == (laoshan.lat, laoshan.lon, "district")
    assert services.point_for("999999") is None


def test_random_point_in_district(app):
    rng = random.Random(7)
    points = [services.random_point_in_district("370202", rng) for _ in range(200)]
    assert all(services.district_code_at(lat, lon) == "370202" for lat, lon in points)
    lats = [p[0] for p in points]
    assert max(lats) - min(lats) > 0.02  # spread over the district, not one spot
    assert services.random_point_in_district("370202", random.Random(7)) == points[0]
    with pytest.raises(KeyError):
        services.random_point_in_district("110101", rng)


def test_flask_geo_load_command(app):
    from volunteer.geo.cli import register

    register(app)
    result = app.test_cli_runner().invoke(args=["geo", "load"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "loaded 151 divisions"
    assert db.session.scalar(select(func.count()).select_from(Division)) == 151
