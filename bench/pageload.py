"""What the volunteer's main pages cost a phone on a slow network (issue 15): `python bench/pageload.py`.

Builds the Qingdao demo data in a fresh temp instance (SQLite file + embedded Redis, as
bench/nearme_load.py does), serves it with gunicorn as in production (one sync worker per CPU, no map tiles),
logs the demo volunteer in through the browser, and reads the bottom navigation's links from the rendered
home page: the first five a phone shows are "the volunteer's five main pages" (or --paths). After a few
unthrottled visits (every gunicorn worker warmed up), each page is loaded in Debian's chromium (Playwright)
as an emulated phone (Galaxy S8, 360x740) with CDP throttling: 150 ms latency,
1.6 Mbit/s down, 750 kbit/s up, CPU 4x slower. First cold (a new browser context: empty cache), then
warm: another of the pages (the first, or for the first the second), then the page again by a new navigation
(not a reload), as a volunteer coming back to it.

Prints key=value lines (progress on stderr):
  cold_kb_mean        bytes over the network per cold page (every request: HTML, CSS, JS, images; headers
                      included), KB, mean of the five pages
  cold_requests_mean  network requests per cold page
  warm_requests_mean  network requests per warm visit (a 304 revalidation counts; the browser cache does not)
  warm_load_ms_mean   the warm visit's load event (ms from the navigation's start), mean of the five pages
  lcp_ms_max          the largest largest-contentful-paint (PerformanceObserver) of any page, cold or warm
  and per page: page<i>_path, page<i>_cold_kb, page<i>_cold_requests, page<i>_warm_requests,
  page<i>_warm_load_ms, page<i>_lcp_ms.
Each figure is the median of --runs (default 3) runs per page. Targets: cold_kb_mean <= 45,
warm_requests_mean 1, warm_load_ms_mean <= 300, lcp_ms_max <= 1000. The bench reports; it fails only when
set-up fails. Options: --runs, --small (the small demo data set), --pages N (default 5), --paths /a /b ...,
--cpu (the slowdown; 1 shows how much of the time is the browser's CPU), --keep.
"""
import argparse
import contextlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.nearme_load import (  # noqa: E402  (the same temp instance and gunicorn)
    BenchError, DEMO_PASSWORD, DEMO_PHONE, HOST, build_instance, free_port, note, out, start_gunicorn,
    stop_gunicorn, wait_until_up)

CHROMIUM = "/usr/bin/chromium"
DEVICE = "Galaxy S8"
LATENCY_MS = 150
DOWN_BPS = 1_600_000 / 8  # bytes per second
UP_BPS = 750_000 / 8
CPU_SLOWDOWN = 4
TARGETS = {"cold_kb_mean": 45, "warm_requests_mean": 1, "warm_load_ms_mean": 300, "lcp_ms_max": 1000}

LCP_SCRIPT = """
window.__lcp = 0;
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__lcp = Math.max(window.__lcp, e.startTime); });
  }).observe({type: 'largest-contentful-paint', buffered: true});
} catch (e) {}
"""


class Meter:
    """Counts a page's network requests and their bytes from the DevTools protocol's Network events."""

    def __init__(self, cdp):
        self.reset()
        cdp.on("Network.requestWillBeSent", lambda e: self.sent.add(e["requestId"]))
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", lambda e: self.bytes.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.on("Network.loadingFailed", lambda e: self.failed.add(e["requestId"]))

    def reset(self):
        self.sent, self.cached, self.failed, self.urls, self.bytes = set(), set(), set(), {}, {}

    def _response(self, e):
        r = e["response"]
        if r.get("fromDiskCache") or r.get("fromPrefetchCache") or r.get("fromServiceWorker"):
            self.cached.add(e["requestId"])
        self.urls[e["requestId"]] = (r["url"], r["status"])

    def network(self):
        """Request ids that went over the network (not data: URLs, not the browser cache)."""
        return [r for r in self.sent if r not in self.cached and self.bytes.get(r, 0) > 0
                and not self.urls.get(r, ("",))[0].startswith("data:")]


def throttled_page(ctx):
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": LATENCY_MS, "downloadThroughput": DOWN_BPS, "uploadThroughput": UP_BPS})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return page, Meter(cdp)


def visit(page, meter, url):
    """Navigate to url; the network requests, their bytes, the load event and the LCP of that visit."""
    meter.reset()
    resp = page.goto(url, wait_until="load", timeout=60_000)
    if resp is None or resp.status != 200 or "/login" in page.url:
        raise BenchError(f"{url} answered {resp and resp.status} at {page.url}")
    page.wait_for_load_state("networkidle", timeout=30_000)
    page.wait_for_timeout(300)
    timing = page.evaluate("""() => {
      const n = performance.getEntriesByType('navigation')[0];
      const at = k => Math.round(n[k] - n.startTime);
      return {load: n.loadEventEnd - n.startTime, lcp: window.__lcp || 0,
              steps: `request ${at('requestStart')} first byte ${at('responseStart')} last byte ${at('responseEnd')} ` +
                     `interactive ${at('domInteractive')} DOMContentLoaded ${at('domContentLoadedEventEnd')} ` +
                     `load ${at('loadEventEnd')} LCP ${Math.round(window.__lcp || 0)}`};
    }""")
    ids = meter.network()
    detail = sorted(f"{meter.urls.get(r, ('?', 0))[1]} {meter.urls.get(r, ('?',))[0]} {meter.bytes[r]}" for r in ids)
    return {"requests": len(ids), "kb": sum(meter.bytes[r] for r in ids) / 1024,
            "load_ms": timing["load"], "lcp_ms": timing["lcp"], "detail": [timing["steps"], *detail]}


def measure(browser, device, state, base, path, other, runs):
    """Cold then warm visits of one page (another page between them), runs times; the median of each figure."""
    results = []
    for _ in range(runs):
        ctx = browser.new_context(**device, storage_state=state, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  service_workers="block")
        ctx.add_init_script(LCP_SCRIPT)
        try:
            page, meter = throttled_page(ctx)
            cold = visit(page, meter, base + path)
            page.goto(base + other, wait_until="load")  # elsewhere in the app, then back by a new navigation
            page.wait_for_load_state("networkidle")
            warm = visit(page, meter, base + path)
        finally:
            ctx.close()
        results.append((cold, warm))
    med = lambda xs: statistics.median(xs)  # noqa: E731
    fig = {
        "cold_kb": med([c["kb"] for c, _ in results]),
        "cold_requests": med([c["requests"] for c, _ in results]),
        "cold_load_ms": med([c["load_ms"] for c, _ in results]),
        "warm_requests": med([w["requests"] for _, w in results]),
        "warm_load_ms": med([w["load_ms"] for _, w in results]),
        "lcp_ms": med([max(c["lcp_ms"], w["lcp_ms"]) for c, w in results]),
    }
    note(f"{path}: " + ", ".join(f"{k} {v:.1f}" for k, v in fig.items()))
    note("  cold: " + "; ".join(results[-1][0]["detail"]))
    note("  warm: " + "; ".join(results[-1][1]["detail"]))
    return fig


def log_in(browser, device, base):
    """Log the demo volunteer in through the login form; return the storage state and the nav's links."""
    ctx = browser.new_context(**device, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = ctx.new_page()
        page.goto(base + "/login")
        page.fill("input[name=phone]", DEMO_PHONE)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form[action^='/login'] [type=submit]")
        page.wait_for_load_state("load")
        if "/login" in page.url:
            raise BenchError(f"login as {DEMO_PHONE} failed: still at {page.url}")
        page.goto(base + "/")
        links = page.eval_on_selector_all(  # the links a phone shows (wide screens show more)
            ".bottom-nav a[href]", "els => els.filter(a => a.getClientRects().length)"
                                   ".map(a => new URL(a.href).pathname + new URL(a.href).search)")
        return ctx.storage_state(), list(dict.fromkeys(links))
    finally:
        ctx.close()


def warm_up(browser, device, state, base, pages):
    """Each page a few times unthrottled first: every gunicorn worker has compiled its templates and filled
    its caches, as a server that has been up a while has (its first answers are not what a phone waits for)."""
    ctx = browser.new_context(**device, storage_state=state, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = ctx.new_page()
        for _ in range(3):
            for path in pages:
                page.goto(base + path, wait_until="load")
    finally:
        ctx.close()


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--pages", type=int, default=5, help="how many of the navigation's links (default 5)")
    p.add_argument("--paths", nargs="+", metavar="PATH", help="measure these pages instead of the navigation's")
    p.add_argument("--cpu", type=float, default=CPU_SLOWDOWN, help="CPU slowdown (default 4; 1 to see the CPU's share)")
    p.add_argument("--small", action="store_true", help="the small demo data set (quicker)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (processes are still stopped)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    global CPU_SLOWDOWN
    CPU_SLOWDOWN = args.cpu
    from playwright.sync_api import sync_playwright

    from volunteer import embedded_redis

    tmp = tempfile.mkdtemp(prefix="huhang-pageload-")
    proc = None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            app_env = build_instance(tmp, args.small)
        app_env["MAP_TILES"] = ""  # no requests off this machine; the maps work without tiles
        port = free_port()
        proc = start_gunicorn(tmp, app_env, port)
        wait_until_up(proc, port, tmp)
        base = f"http://{HOST}:{port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
                "--disable-background-networking", "--disable-component-update", "--no-first-run"])
            device = pw.devices[DEVICE]
            state, links = log_in(browser, device, base)
            pages = args.paths or links[:args.pages]
            note(f"bottom navigation: {links}; measuring {pages}")
            warm_up(browser, device, state, base, pages)
            figs = [measure(browser, device, state, base, path, pages[1] if path == pages[0] else pages[0],
                            max(1, args.runs)) for path in pages]
            browser.close()
        for i, (path, fig) in enumerate(zip(pages, figs), 1):
            out(f"page{i}_path", path)
            for key in ("cold_kb", "cold_requests", "warm_requests", "warm_load_ms", "lcp_ms"):
                out(f"page{i}_{key}", round(fig[key], 1))
        mean = lambda key: statistics.mean(f[key] for f in figs)  # noqa: E731
        summary = {"cold_kb_mean": round(mean("cold_kb"), 1), "cold_requests_mean": round(mean("cold_requests"), 2),
                   "warm_requests_mean": round(mean("warm_requests"), 2),
                   "warm_load_ms_mean": round(mean("warm_load_ms")),
                   "lcp_ms_max": round(max(f["lcp_ms"] for f in figs))}
        for key, value in summary.items():
            out(key, value)
        met = all(summary[k] <= v for k, v in TARGETS.items())
        out("targets_met", int(met))
        return 0
    except BenchError as exc:
        print(f"pageload_error={exc}", flush=True)
        return 1
    finally:
        stop_gunicorn(proc)
        embedded_redis.stop(tmp)
        if args.keep:
            note(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    t0 = time.perf_counter()
    code = main()
    note(f"done in {time.perf_counter() - t0:.0f} s")
    sys.exit(code)
