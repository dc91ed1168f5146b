"""Tests for the gazetteer geocoder and the BD-09 wrapper."""
import pytest
from geopy.geocoders import BaiduV3, Nominatim
from geopy.location import Location

from volunteer.geo import services
from volunteer.geo.coords import wgs84_to_bd09
from volunteer.geo.geocoder import Bd09ToWgs84, GazetteerGeocoder, get_geocoder


@pytest.fixture
def geocoder():
    return GazetteerGeocoder()


def test_town_full_name(geocoder):
    loc = geocoder.geocode("沙子口街道")
    assert loc.raw["code"] == "370212002"
    assert loc.raw["code"].startswith("370212") and len(loc.raw["code"]) == 9
    assert loc.raw["precision"] == "district"
    assert loc.raw["district_code"] == "370212"
    assert (loc.latitude, loc.longitude) == services.district_point("370212")
    assert loc.address == "青岛市崂山区沙子口街道"


def test_district_short_and_full_name(geocoder):
    assert geocoder.geocode("崂山").raw["code"] == "370212"
    assert geocoder.geocode("崂山区").raw["code"] == "370212"
    assert geocoder.geocode("莱西").raw["code"] == "370285"


def test_full_address_prefers_town(geocoder):
    loc = geocoder.geocode("青岛市平度市田庄镇")
    assert loc.raw["code"] == "370283113"
    assert loc.raw["level"] == "town"
    assert geocoder.geocode("山东省青岛市崂山区沙子口街道某某路1号").raw["code"] == "370212002"
    assert geocoder.geocode("崂山区沙子口").raw["code"] == "370212002"


def test_bare_name_shared_with_a_street_means_the_district(geocoder):
    assert geocoder.geocode("城阳").raw["code"] == "370214"
    assert geocoder.geocode("城阳街道").raw["level"] == "town"


def test_city_prefix_does_not_match_shinan_or_shibei(geocoder):
    assert geocoder.geocode("青岛市北京路") is None


def test_unknown_and_list_results(geocoder):
    assert geocoder.geocode("北京市朝阳区") is None
    assert geocoder.geocode("") is None
    assert geocoder.geocode("nowhere", exactly_one=False) == []
    results = geocoder.geocode("崂山区沙子口街道", exactly_one=False)
    assert [r.raw["code"] for r in results] == ["370212002", "370212"]


def test_reverse(geocoder):
    loc = geocoder.reverse((36.1025, 120.4678))
    assert loc.raw["code"] == "370212"
    assert loc.address == "青岛市崂山区"
    assert geocoder.reverse("36.066, 120.383").raw["code"] == "370202"
    assert geocoder.reverse((39.9042, 116.4074)) is None


class FakeBaidu:
    """Stands in for geopy's BaiduV3: answers in BD-09 and records what it was asked."""

    def __init__(self, point):
        self.point = point
        self.asked = None

    def geocode(self, query, exactly_one=True):
        loc = Location("崂山区政府", self.point, {"q": query})
        return loc if exactly_one else [loc]

    def reverse(self, query, exactly_one=True):
        self.asked = query
        return Location("青岛市崂山区".encode("utf-8"), self.point, {})


def test_bd09_wrapper_converts_both_ways():
    wgs = (36.1025, 120.4678)
    fake = FakeBaidu(wgs84_to_bd09(*wgs))
    wrapped = Bd09ToWgs84(fake)
    loc = wrapped.geocode("崂山区政府")
    assert (loc.latitude, loc.longitude) == pytest.approx(wgs, abs=1e-5)
    assert loc.raw == {"q": "崂山区政府"}
    [loc] = wrapped.geocode("崂山区政府", exactly_one=False)
    assert (loc.latitude, loc.longitude) == pytest.approx(wgs, abs=1e-5)
    back = wrapped.reverse(wgs)
    assert fake.asked == pytest.approx(wgs84_to_bd09(*wgs))
    assert back.address == "青岛市崂山区"
    assert (back.latitude, back.longitude) == pytest.approx(wgs, abs=1e-5)


def test_get_geocoder():
    assert isinstance(get_geocoder({}), GazetteerGeocoder)
    assert isinstance(get_geocoder({"GEOCODER": "gazetteer"}), GazetteerGeocoder)
    nominatim = get_geocoder({"GEOCODER": "nominatim", "GEOCODER_USER_AGENT": "huhang-test"})
    assert isinstance(nominatim, Nominatim)
    baidu = get_geocoder({"GEOCODER": "baidu", "GEOCODER_API_KEY": "k"})
    assert isinstance(baidu, Bd09ToWgs84) and isinstance(baidu.geocoder, BaiduV3)
    with pytest.raises(ValueError):
        get_geocoder({"GEOCODER": "google"})
