"""The API documentation (Swagger UI) on a 360 px phone: nothing sticks out sideways and axe-core finds no
critical or serious problem, also with an operation and its example opened."""
from e2e.layout_audit import AXE, AXE_RUN, MEASURE, problems


def test_the_api_docs_fit_a_small_phone_and_pass_axe(live_server, phone):
    page = phone()
    page.set_viewport_size({"width": 360, "height": 740})
    page.context.add_init_script(path=str(AXE))
    page.goto(live_server + "/api/docs", wait_until="load")
    page.wait_for_selector(".swagger-ui .info")
    assert problems(page.evaluate(MEASURE, 360), page.evaluate(AXE_RUN), 360) == []
    page.locator("#operations-children-get_api_v1_children .opblock-summary-control").click()
    page.wait_for_selector("#operations-children-get_api_v1_children .responses-table")
    assert problems(page.evaluate(MEASURE, 360), page.evaluate(AXE_RUN), 360) == []
