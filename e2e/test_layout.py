"""Every page each role can reach fits a phone (issue 15): at 360x740 and 390x844 the document never scrolls
sideways, every visible control lies inside the viewport, and axe-core finds no critical or serious violation.

One data set for the module (the small demo plus a routed campaign, an auto-assign proposal, notifications...,
see layout_data.py), one browser context per role and width, one login per role. The pages are found by
crawling from the role's home page and the records it may open (links two steps deep, one page per URL
pattern). Each failure lists page, width and problem; test-results/layout/<role>-<width>.json has them all.
With HUHANG_GALLERY=<dir> (make screenshots) the 360 px run also saves a phone and a desktop screenshot of
every page there."""
import json
import os
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from e2e.conftest import RESULTS
from e2e.layout_audit import AXE, AXE_RUN, MEASURE, followable, pattern, problems, slug
from e2e.layout_data import ROLES, build_world
from volunteer.validation import display_phone

WIDTHS = {360: 740, 390: 844}
DESKTOP = {"width": 1280, "height": 800}
MAX_DEPTH = 2  # home (0) -> its links, the navigation (1) -> their links (2)
MAX_PAGES = 80  # per role: a bound on the crawl, far above what any role reaches today
GALLERY = os.environ.get("HUHANG_GALLERY")
BUSY = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
CASES = [pytest.param(role, width, id=f"{role}-{width}") for width in WIDTHS for role in ROLES]


@pytest.fixture(scope="module")
def site(module_app, module_live_server, browser, playwright):
    """The base URL, the data set, each role's login (storage state, made once) and the pages found per role."""
    world = build_world()
    ua = playwright.devices["Pixel 7"]["user_agent"]
    return {"base": module_live_server, "world": world, "states": {}, "pages": {}, "ua": ua, "browser": browser}


def _context(site, role, viewport, mobile=True):
    """A browser context logged in as role (through the login form the first time, then its stored state)."""
    options = {"viewport": viewport, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
    if mobile:
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True, user_agent=site["ua"])
    if role in site["states"]:
        options["storage_state"] = site["states"][role]
    ctx = site["browser"].new_context(**options)
    if mobile:
        ctx.add_init_script(path=str(AXE))  # axe-core in every page, before its own scripts; CSP does not apply
    ctx.route("https://*.tile.openstreetmap.org/**", lambda route: route.fulfill(status=204))
    if role not in site["states"]:
        page = ctx.new_page()
        phone, password = site["world"]["logins"][role]
        page.goto(site["base"] + "/login")
        page.fill("#phone", display_phone(phone))
        page.fill("#password", password)
        page.locator("form.card button[type=submit]").click()
        page.wait_for_url(site["base"] + "/", wait_until="domcontentloaded")
        site["states"][role] = ctx.storage_state()
        page.close()
    return ctx


def _open(page, base, url):
    """Go to url and wait for its htmx fragments; the response, or None when it is not an HTML page."""
    resp = page.goto(base + url, wait_until="load")
    if resp is None or not resp.headers.get("content-type", "").startswith("text/html"):
        return None
    if not resp.text().lstrip()[:15].lower().startswith("<!doctype"):
        return None  # an htmx fragment
    page.wait_for_function(BUSY, timeout=10_000)
    if urlsplit(page.url).path == "/api/docs":
        page.wait_for_selector(".swagger-ui .info", timeout=15_000)
    return resp


def _check(page, base, url, width):
    """The page's problems and links, or None when url is no HTML page."""
    try:
        resp = _open(page, base, url)
    except PlaywrightError as exc:  # a page that never settles is a problem of that page, not the end of the run
        first = exc.message.splitlines()[0]
        return {"url": url, "shown": url, "pattern": pattern(url), "problems": [f"did not load: {first}"], "links": []}
    if resp is None:
        return None
    found = problems(page.evaluate(MEASURE, width), page.evaluate(AXE_RUN), width)
    final = urlsplit(page.url)
    shown = final.path + (f"?{final.query}" if final.query else "")
    if resp.status >= 400:
        found.insert(0, f"HTTP {resp.status}")
    if shown != url and pattern(shown) != pattern(url):
        found.insert(0, f"redirected to {shown}")
    links = page.eval_on_selector_all("a[href]:not([download])", "els => els.map((a) => a.href)")
    return {"url": url, "shown": shown, "pattern": pattern(shown), "problems": found, "links": links}


def _crawl(page, base, seeds, width, shots=None, follow=True):
    """Check every seed, then (if follow) the pages their links lead to (MAX_DEPTH steps from home), one per
    URL pattern; with shots (a file-name prefix), a full-page screenshot of each."""
    queue = deque((s, 0 if s == "/" else 1, True) for s in seeds)
    seen, results = set(), []
    while queue and len(results) < MAX_PAGES:
        url, depth, seed = queue.popleft()
        if url in seen or (not seed and pattern(url) in seen):
            continue
        seen |= {url, pattern(url)}
        result = _check(page, base, url, width)
        if result is None or (not seed and result["pattern"] in {r["pattern"] for r in results}):
            continue
        seen.add(result["pattern"])
        twins = sum(r["pattern"] == result["pattern"] for r in results)
        result["name"] = slug(result["pattern"]) + (f"-{twins + 1}" if twins else "")
        results.append(result)
        if shots:  # the page is still open: the gallery's phone screenshot
            page.screenshot(path=f"{shots}-{result['name']}-{width}.png", full_page=True)
        for link in result["links"] if follow and depth < MAX_DEPTH else ():
            parts = urlsplit(link)
            rel = parts.path + (f"?{parts.query}" if parts.query else "")
            if followable(base, link) and pattern(rel) not in seen:
                queue.append((rel, depth + 1, False))
    return results


def _desktop_shots(site, role, results):
    """The gallery's desktop screenshots of the pages found (the phone ones are taken while checking)."""
    ctx = _context(site, role, DESKTOP, mobile=False)
    desk = ctx.new_page()
    for r in results:
        if _open(desk, site["base"], r["url"]) is not None:
            desk.screenshot(path=str(Path(GALLERY) / f"{role}-{r['name']}-1280.png"), full_page=True)
    ctx.close()


def _report(role, width, results, seconds) -> str:
    bad = [r for r in results if r["problems"]]
    folder = RESULTS / "layout"
    folder.mkdir(parents=True, exist_ok=True)
    data = {"role": role, "width": width, "seconds": round(seconds, 1),
            "pages": [{k: r[k] for k in ("url", "pattern", "name", "problems")} for r in results]}
    (folder / f"{role}-{width}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [f"{role} at {width} px: {len(bad)} of {len(results)} pages have problems ({seconds:.0f} s)"]
    for r in bad:
        lines.append(f"\n{r['pattern']}  ({r['url']})")
        lines += [f"  - {p}" for p in r["problems"]]
    return "\n".join(lines)


@pytest.mark.parametrize(("role", "width"), CASES)
def test_every_page_a_role_reaches_fits_the_phone_and_passes_axe(site, role, width):
    started = time.perf_counter()
    ctx = _context(site, role, {"width": width, "height": WIDTHS[width]})
    page = ctx.new_page()
    base, shots = site["base"], None
    if GALLERY and width == 360:
        Path(GALLERY).mkdir(parents=True, exist_ok=True)
        shots = str(Path(GALLERY) / role)
    if role not in site["pages"]:
        results = _crawl(page, base, site["world"]["seeds"][role], width, shots)
        site["pages"][role] = [r["url"] for r in results]
    else:
        results = _crawl(page, base, site["pages"][role], width, shots, follow=False)
    ctx.close()
    if shots:
        _desktop_shots(site, role, results)
    report = _report(role, width, results, time.perf_counter() - started)
    print(report.splitlines()[0])
    assert len(results) >= 3, report
    assert not any(r["problems"] for r in results), report
