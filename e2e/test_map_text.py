"""Names from the server reach the maps as text: a hub named like markup shows literally in the route map's
tooltip (and a village so named in its popup), and no element of the name's markup is ever made."""
from playwright.sync_api import expect

from e2e.helpers import log_in
from volunteer.extensions import db
from volunteer.logistics import services
from volunteer.logistics.models import Campaign, DeliveryRun, Stop

HUB = "<img src=x onerror=alert(1)>"
VILLAGE = "<b id=injected>东村</b>"


def test_a_hub_named_like_markup_shows_literally_on_the_drivers_route_map(live_server, phone, make_user):
    coordinator = make_user(role="coordinator", scope_level="district", scope_code="370212")
    driver = make_user(role="volunteer", name="送货志愿者")
    hub = services.create_hub(HUB, "town", "370212002", 36.1050, 120.5200)
    campaign = Campaign(name="<i>六一</i>", scope_code="370212", created_by_id=coordinator.id, status="confirmed")
    db.session.add(campaign)
    db.session.flush()
    run = DeliveryRun(campaign_id=campaign.id, hub_id=hub.id, number=1, capacity=10, driver_id=driver.id)
    db.session.add(run)
    db.session.flush()
    db.session.add(Stop(run_id=run.id, seq=1, town_code="370212002", village=VILLAGE, lat=36.11, lon=120.50,
                        packs=2, receipt_code="123456"))
    db.session.commit()

    page = phone()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, live_server, driver)
    page.goto(f"{live_server}/deliveries/{run.id}")
    hub_marker = page.locator("#route-map path.leaflet-interactive[stroke='#333']")
    expect(hub_marker).to_have_count(1)
    hub_marker.click(force=True)  # a tap opens the tooltip on a phone
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_have_text(HUB)
    stop_marker = page.locator("#route-map path.leaflet-interactive[stroke='#1565c0']")
    stop_marker.click(force=True)
    expect(page.locator(".leaflet-popup-content")).to_contain_text(VILLAGE)
    assert page.locator("#route-map img[src='x']").count() == 0
    assert page.locator("#route-map #injected").count() == 0
    assert page.locator(".leaflet-tooltip img, .leaflet-tooltip *:not(span)").count() == 0
    assert dialogs == []
