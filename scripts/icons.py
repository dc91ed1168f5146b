"""Render the app's icons (static/icons/*.png, named in the web app manifest) from static/icons/icon.svg.

    .venv/bin/python scripts/icons.py      # needs Playwright and Debian's chromium (as the browser tests do)

"any" icons are the SVG as drawn (transparent corners); "maskable" ones put it at MASKABLE_SCALE on a full
square of the theme colour, so a launcher's circle or squircle mask never cuts the shield (the safe zone is
the centre circle of 80 %). Commit the PNGs.
"""
import base64
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "static" / "icons"
CHROMIUM = "/usr/bin/chromium"
SIZES = (192, 512)
MASKABLE_SCALE = 0.76


def _theme() -> str:
    css = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    return re.search(r"--primary:\s*(#[0-9a-fA-F]{3,8})\s*;", css).group(1)


def _html(svg: bytes, size: int, maskable: bool) -> str:
    src = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    inner = round(size * (MASKABLE_SCALE if maskable else 1))
    background = _theme() if maskable else "transparent"
    return (f"<html><body style='margin:0;width:{size}px;height:{size}px;display:grid;place-items:center;"
            f"background:{background}'><img src='{src}' width='{inner}' height='{inner}'></body></html>")


def main() -> None:
    svg = (ICONS / "icon.svg").read_bytes()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        for size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            for maskable in (False, True):
                page.set_content(_html(svg, size, maskable))
                page.wait_for_function("document.images[0].complete")
                out = ICONS / f"{'maskable' if maskable else 'icon'}-{size}.png"
                page.screenshot(path=str(out), omit_background=not maskable)
                print(out.relative_to(ROOT))
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
