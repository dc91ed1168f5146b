"""Tests for WGS-84 / GCJ-02 / BD-09 conversions."""
import pytest
from geopy.distance import geodesic

from volunteer.geo.coords import bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02

LAOSHAN = (36.1025, 120.4678)
POINTS = [LAOSHAN, (36.066, 120.383), (36.85, 120.52), (35.87, 119.98)]


@pytest.mark.parametrize("point", POINTS)
def test_gcj02_round_trip(point):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(*point))
    assert back == pytest.approx(point, abs=1e-5)


@pytest.mark.parametrize("point", POINTS)
def test_bd09_round_trip(point):
    back = bd09_to_wgs84(*wgs84_to_bd09(*point))
    assert back == pytest.approx(point, abs=1e-5)


def test_gcj02_offset_in_qingdao_is_a_few_hundred_metres_north_east():
    gcj = wgs84_to_gcj02(*LAOSHAN)
    assert 300 < geodesic(LAOSHAN, gcj).m < 600
    assert gcj[0] > LAOSHAN[0] and gcj[1] > LAOSHAN[1]


def test_bd09_is_further_off_than_gcj02():
    bd = wgs84_to_bd09(*LAOSHAN)
    assert 900 < geodesic(LAOSHAN, bd).m < 1500


def test_argument_order_is_lat_lon():
    lat, lon = wgs84_to_gcj02(*LAOSHAN)
    assert 35 < lat < 38 and 119 < lon < 122


def test_outside_china_is_unchanged():
    paris = (48.8566, 2.3522)
    assert wgs84_to_gcj02(*paris) == paris
    assert gcj02_to_wgs84(*paris) == pytest.approx(paris, abs=1e-6)
