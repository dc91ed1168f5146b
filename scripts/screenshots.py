"""`make screenshots`: a phone (360x740) and a desktop (1280x800) full-page screenshot of every page each role
reaches (the pages e2e/test_layout.py checks, on its data set), as test-results/gallery/<role>-<page>-<width>.png,
with an index.html listing them beside the layout problems found on each page."""
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "test-results"
OUT = RESULTS / "gallery"
sys.path.insert(0, str(ROOT))

from e2e.layout_data import ROLES  # noqa: E402

STYLE = """body{font:14px/1.4 sans-serif;margin:1rem}h2{margin-top:2rem}table{border-collapse:collapse}
td{border-top:1px solid #ccc;padding:.5rem;vertical-align:top}img{border:1px solid #999}
.phone img{width:180px;max-height:640px;object-fit:cover;object-position:top}
.desktop img{width:400px;max-height:480px;object-fit:cover;object-position:top}.ok{color:#276b2e}.bad{color:#a11;max-width:30rem}"""


def _row(role: str, page: dict) -> str:
    name = page["name"]
    cells = []
    for width, cls in (("360", "phone"), ("1280", "desktop")):
        file = f"{role}-{name}-{width}.png"
        img = f'<a href="{file}"><img src="{file}" alt="{html.escape(page["pattern"])} {width} px" loading="lazy"></a>'
        cells.append(f'<td class="{cls}">{img if (OUT / file).exists() else "(none)"}</td>')
    problems = "".join(f"<li>{html.escape(p)}</li>" for p in page["problems"])
    verdict = f'<ul class="bad">{problems}</ul>' if problems else '<p class="ok">no problem at 360 px</p>'
    link = html.escape(page["url"])
    return f'<tr><td><code>{html.escape(page["pattern"])}</code><br><small>{link}</small>{verdict}</td>{"".join(cells)}</tr>'


def write_index() -> int:
    """index.html from the layout reports of the 360 px run; returns the number of pages listed."""
    parts, count = [], 0
    for role in ROLES:
        report = RESULTS / "layout" / f"{role}-360.json"
        if not report.exists():
            continue
        pages = json.loads(report.read_text(encoding="utf-8"))["pages"]
        count += len(pages)
        parts.append(f"<h2>{role} ({len(pages)} pages)</h2><table>{''.join(_row(role, p) for p in pages)}</table>")
    (OUT / "index.html").write_text(
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>Huhang pages by role</title>'
        f"<style>{STYLE}</style><h1>Huhang pages by role: phone 360 px, desktop 1280 px</h1>{''.join(parts)}",
        encoding="utf-8")
    return count


def main() -> int:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    env = {**os.environ, "HUHANG_GALLERY": str(OUT)}
    code = subprocess.call([sys.executable, "-m", "pytest", "e2e/test_layout.py", "-q", "-k", "360",
                            "-p", "no:logging", "--tb=line"], cwd=ROOT, env=env)
    pages = write_index()
    shots = len(list(OUT.glob("*.png")))
    print(f"{shots} screenshots of {pages} pages: {OUT / 'index.html'}")
    if code:
        print("(the layout check found problems on some pages: they are listed in the index)")
    return 0 if shots else (code or 1)


if __name__ == "__main__":
    sys.exit(main())
