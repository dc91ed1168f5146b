"""Our JavaScript puts server text into the page as text, never as HTML (the maps get DOM nodes)."""
import re
from pathlib import Path

JS = sorted((Path(__file__).resolve().parent.parent / "static" / "js").glob("*.js"))
HTML_SINKS = re.compile(r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\.html\(|\$\(\s*['\"]<")
# Leaflet takes a string as HTML: tooltips and popups get an element (made with textContent) instead.
LEAFLET_CONTENT = re.compile(r"\.(bindTooltip|bindPopup|setContent|setTooltipContent|setPopupContent)\(\s*([^)]*)")
SAFE_ARGUMENT = re.compile(r"^(label|window\.HuhangMaps\.textNode\(.*)$")


def test_no_script_writes_html():
    assert JS
    found = [f"{p.name}:{n}" for p in JS for n, line in enumerate(p.read_text().splitlines(), 1)
             if HTML_SINKS.search(line)]
    assert found == []


def test_map_tooltips_and_popups_get_nodes_never_strings():
    calls = [(p.name, m.group(2).strip()) for p in JS for m in LEAFLET_CONTENT.finditer(p.read_text())]
    assert calls, "the maps bind tooltips and popups"
    assert [c for c in calls if not SAFE_ARGUMENT.match(c[1])] == []
