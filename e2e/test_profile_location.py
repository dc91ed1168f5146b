"""The home location on the volunteer profile: towns by district, one source of the home point at a time."""
import pytest
from playwright.sync_api import expect

from volunteer.extensions import db
from volunteer.geo import services as geo
from volunteer.volunteers.models import VolunteerProfile

from .helpers import log_in

LAOSHAN, SHAZIKOU = "370212", "370212002"
GPS = (36.1025, 120.4678)  # in 崂山区, 5.8 km from the district's centre


@pytest.fixture
def page(live_server, phone, make_user):
    user = make_user(role="volunteer")
    page = phone(geolocation=GPS)
    log_in(page, live_server, user)
    page.goto(live_server + "/me/profile")
    page.user = user
    return page


def saved(page):
    page.locator("label.chip:has(input[value=companionship])").tap()
    page.locator("#save-profile").tap()
    page.wait_for_url("**/")
    profile = db.session.get(VolunteerProfile, page.user.id)
    db.session.refresh(profile)
    return profile


def test_choosing_a_district_fills_the_town_select(page):
    expect(page.locator("#town option")).to_have_count(1)
    page.select_option("#district", LAOSHAN)
    expect(page.locator("#town")).to_contain_text("沙子口街道")
    page.select_option("#town", SHAZIKOU)
    expect(page.locator("#town")).to_have_value(SHAZIKOU)


def test_gps_then_district_clears_the_gps_fix_visibly_and_saves_the_district(page):
    page.locator("#geolocate").tap()
    expect(page.locator("#lat")).to_have_value("36.102500")
    expect(page.locator("#home-in-use")).to_contain_text("手机定位")

    page.select_option("#district", LAOSHAN)
    expect(page.locator("#lat")).to_have_value("")
    expect(page.locator("#lon")).to_have_value("")
    expect(page.locator("#pin-map .leaflet-marker-icon")).to_have_count(0)
    expect(page.locator("#division-note")).to_contain_text("已清除手机定位")
    expect(page.locator("#home-in-use")).to_contain_text("崂山区的中心")
    page.select_option("#town", SHAZIKOU)

    profile = saved(page)
    point = geo.point_for(LAOSHAN)
    assert (profile.location_source, profile.lat, profile.lon) == ("division", point[0], point[1])
    assert (profile.district_code, profile.town_code) == (LAOSHAN, SHAZIKOU)


def test_district_then_gps_clears_the_district_visibly_and_saves_the_gps_fix(page):
    page.select_option("#district", LAOSHAN)
    expect(page.locator("#town")).to_contain_text("沙子口街道")
    page.select_option("#town", SHAZIKOU)
    expect(page.locator("#home-in-use")).to_contain_text("崂山区的中心")

    page.locator("#geolocate").tap()
    expect(page.locator("#lat")).to_have_value("36.102500")
    expect(page.locator("#district")).to_have_value("")
    expect(page.locator("#town")).to_have_value("")
    expect(page.locator("#point-note")).to_contain_text("已清除所选的区和街道")
    expect(page.locator("#home-in-use")).to_contain_text("手机定位")

    profile = saved(page)
    assert (profile.location_source, profile.lat, profile.lon) == ("gps", *GPS)
    assert (profile.district_code, profile.town_code) == (LAOSHAN, None)


def test_the_saved_home_source_is_shown_when_the_page_opens_again(page, live_server):
    page.locator("#geolocate").tap()
    expect(page.locator("#lat")).to_have_value("36.102500")
    saved(page)
    page.goto(live_server + "/me/profile")
    expect(page.locator("#home-in-use")).to_contain_text("手机定位")
    expect(page.locator("#district")).to_have_value("")
    expect(page.locator("#pin-map .leaflet-marker-icon")).to_have_count(1)
