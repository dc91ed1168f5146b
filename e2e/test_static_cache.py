"""A phone coming back to a page asks the server for the page alone: every static file is in its cache."""
import threading

from werkzeug.serving import make_server

from e2e.helpers import log_in


class Counting:
    """WSGI middleware that notes every path the server is asked for."""

    def __init__(self, app):
        self.app, self.paths = app, []

    def __call__(self, environ, start_response):
        self.paths.append(environ.get("PATH_INFO", ""))
        return self.app(environ, start_response)


def test_a_second_visit_to_a_page_makes_exactly_one_request(app, browser, playwright, make_user):
    app.config["MAP_TILES"] = ""  # nothing off this machine
    volunteer = make_user(role="volunteer")
    counting = Counting(app)
    server = make_server("127.0.0.1", 0, counting, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    # No ctx.route() here: Playwright turns the HTTP cache off for a context that routes requests.
    ctx = browser.new_context(**playwright.devices["Galaxy S8"], locale="zh-CN")
    try:
        page = ctx.new_page()
        log_in(page, base, volunteer)
        page.goto(base + "/my/visits", wait_until="networkidle")  # first visit: the page and its files
        page.get_by_role("navigation").get_by_role("link").first.click()  # home, by the bottom navigation
        page.wait_for_load_state("networkidle")
        # The service worker installs once (precaching the app shell); a page asked for while it installs
        # sees its registration checked again. The second visit is of the app as it runs from then on.
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        counting.paths.clear()
        page.goto(base + "/my/visits", wait_until="networkidle")  # back again: a new navigation, no reload
        page.wait_for_timeout(300)
        # The browser may check the service worker's script for an update on a navigation (the spec has it
        # bypass the HTTP cache): that is the worker's request, not the page's.
        assert [p for p in counting.paths if p != "/sw.js"] == ["/my/visits"]
    finally:
        ctx.close()
        server.shutdown()
