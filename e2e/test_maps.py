"""Every Leaflet map speaks the page's language and carries only the tile provider's attribution."""
import pytest
from playwright.sync_api import expect

from .helpers import log_in


@pytest.mark.parametrize("locale,zoom_in,zoom_out", [("zh-CN", "放大", "缩小"), ("en", "Zoom in", "Zoom out")])
def test_map_zoom_buttons_speak_the_page_language_and_attribution_has_no_leaflet_prefix(
        live_server, phone, make_user, locale, zoom_in, zoom_out):
    page = phone(locale=locale)
    log_in(page, live_server, make_user(role="volunteer"))
    page.goto(live_server + "/me/profile")

    zoom = page.locator("#pin-map .leaflet-control-zoom")
    expect(zoom.locator(".leaflet-control-zoom-in")).to_have_attribute("title", zoom_in)
    expect(zoom.locator(".leaflet-control-zoom-in")).to_have_attribute("aria-label", zoom_in)
    expect(zoom.locator(".leaflet-control-zoom-out")).to_have_attribute("title", zoom_out)
    expect(page.locator("#pin-map .leaflet-control-zoom")).to_have_count(1)

    attribution = page.locator("#pin-map .leaflet-control-attribution")
    expect(attribution).to_have_text("© OpenStreetMap contributors")  # the tiles' own attribution stays
    expect(attribution.locator("a[href*='leafletjs.com']")).to_have_count(0)
    expect(attribution.locator("svg")).to_have_count(0)


def test_the_profile_map_pin_is_named_in_the_page_language(live_server, phone, make_user):
    page = phone(locale="zh-CN")
    log_in(page, live_server, make_user(role="volunteer"))
    page.goto(live_server + "/me/profile")
    page.locator("#pin-map").click(position={"x": 120, "y": 80})
    expect(page.locator("#pin-map .leaflet-marker-icon")).to_have_attribute("alt", "住址位置：拖动可移动")
