"""What the layout check measures on one page (overflow, controls off-screen, axe-core) and how it finds pages."""
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_IMPACTS = ("critical", "serious")
SHOWN = 8  # elements listed per problem; the rest are counted

# Links not followed: logging out, files (CSV, spreadsheets, PDFs, photos), JSON and static assets.
SKIP_PATH = re.compile(r"^/(logout|static/|api/v1/|healthz)|/photo$|/photos/|\.(csv|xlsx|pdf|png|jpe?g|json|txt)$")
ID_SEGMENT = re.compile(r"^(\d+|(?=[0-9a-f]*\d)[0-9a-f]{8,})$")
PAGING = {"page", "per_page", "next", "lang"}

# Runs in the page: the document's width, and every visible control that lies (partly) outside the viewport.
# An element clipped away by an ancestor that hides its overflow (a map, a closed panel) is not visible; one
# that only a sideways-scrolling box shows is reported as such (its box is named), never ignored.
MEASURE = r"""
(width) => {
  const CONTROLS = 'a[href], button, select, input:not([type=hidden]), textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])';
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 6; e = e.parentElement) {
      if (e.id) { parts.unshift('#' + CSS.escape(e.id)); break; }
      let part = e.localName;
      const cls = [...e.classList].filter((c) => !c.startsWith('htmx-')).slice(0, 2);
      if (cls.length) part += '.' + cls.map((c) => CSS.escape(c)).join('.');
      const same = e.parentElement ? [...e.parentElement.children].filter((s) => s.localName === e.localName) : [];
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(e) + 1})`;
      parts.unshift(part);
      if (e.localName === 'main' || e.localName === 'body') break;
    }
    return parts.join(' > ');
  };
  const label = (el) => {
    const t = (el.getAttribute('aria-label') || el.innerText || el.value || el.placeholder || el.name || el.title || '')
      .replace(/\s+/g, ' ').trim();
    return t.length > 40 ? t.slice(0, 39) + '…' : t;
  };
  const clipped = (el) => {
    // The part of el's box left after every ancestor (below body) that clips or scrolls its overflow.
    let r = el.getBoundingClientRect();
    let box = {left: r.left, right: r.right, top: r.top, bottom: r.bottom}, scroller = null;
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.position === 'fixed') break;
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const ar = a.getBoundingClientRect();
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && a.scrollWidth > a.clientWidth + 1) {
        if (box.right > ar.right + 1 || box.left < ar.left - 1) scroller = scroller || a;
        continue;
      }
      if (s.overflowX !== 'visible') box = {...box, left: Math.max(box.left, ar.left), right: Math.min(box.right, ar.right)};
      if (s.overflowY !== 'visible') box = {...box, top: Math.max(box.top, ar.top), bottom: Math.min(box.bottom, ar.bottom)};
      if (box.right - box.left < 1 || box.bottom - box.top < 1) return null;
    }
    return {box, scroller};
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.opacity !== '0' && !el.closest('[hidden], [aria-hidden="true"], .sr-only');
  };
  const doc = document.documentElement;
  const out = {innerWidth: window.innerWidth, scrollWidth: Math.max(doc.scrollWidth, document.body.scrollWidth),
               offscreen: [], scrolled: [], wide: []};
  for (const el of document.querySelectorAll(CONTROLS)) {
    if (!visible(el)) continue;
    const c = clipped(el);
    if (!c) continue;
    if (c.box.left >= -0.5 && c.box.right <= width + 1) continue;
    const item = {selector: path(el), text: label(el), tag: el.localName,
                  left: Math.round(c.box.left), right: Math.round(c.box.right)};
    if (c.scroller && c.scroller.getBoundingClientRect().right <= width + 1) {
      (item.box = path(c.scroller), out.scrolled.push(item));
    } else out.offscreen.push(item);
  }
  if (out.scrollWidth > width) {
    // What sticks out: elements wider than the viewport whose parent is not (the outermost culprits).
    const sticks = (el) => {
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.right <= width + 1) return false;
      const c = clipped(el);
      return c && !c.scroller && c.box.right > width + 1;
    };
    for (const el of document.body.querySelectorAll('*')) {
      if (!sticks(el) || (el.parentElement !== document.body && sticks(el.parentElement))) continue;
      const r = el.getBoundingClientRect();
      out.wide.push({selector: path(el), right: Math.round(r.right), width: Math.round(r.width)});
      if (out.wide.length >= SHOWN) break;
    }
  }
  return out;
}
""".replace("SHOWN", str(SHOWN))

AXE_RUN = """
async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter((v) => ['critical', 'serious'].includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.map((t) => Array.isArray(t) ? t.join(' ') : t).join(' >> '))}));
}
"""


def pattern(url: str) -> str:
    """The page a URL shows, ids collapsed: /children/1d1aeac1df?tab=visits -> /children/{id}?tab."""
    parts = urlsplit(url)
    path = "/".join("{id}" if ID_SEGMENT.match(s) else s for s in parts.path.split("/"))
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)} - PAGING)
    return path + ("?" + "&".join(keys) if keys else "")


def followable(base: str, url: str) -> bool:
    """A same-origin GET page worth checking (not a file, JSON, logout or an anchor on the same page)."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base or SKIP_PATH.search(parts.path):
        return False
    keys = {k for k, _ in parse_qsl(parts.query)}
    return not ({"format", "download", "export"} & keys)


def slug(text: str) -> str:
    """A file-name-safe form of a page pattern: /children/{id}/edit -> children-id-edit."""
    return re.sub(r"[^\w]+", "-", text.replace("{id}", "id")).strip("-") or "home"


def problems(measured: dict, violations: list, width: int) -> list[str]:
    """The page's problems in words, each naming the elements or axe rule and nodes to fix."""
    out = []
    if measured["innerWidth"] != width and measured["scrollWidth"] <= width:
        out.append(f"the layout viewport is {measured['innerWidth']} px wide, not {width} px (content forced a zoom-out)")
    if measured["scrollWidth"] > width:
        culprits = "; ".join(f"{w['selector']} (right edge {w['right']} px)" for w in measured["wide"]) or "?"
        out.append(f"horizontal overflow: the document is {measured['scrollWidth']} px wide; sticking out: {culprits}")
    for key, what in (("offscreen", "outside the viewport"), ("scrolled", "reachable only by scrolling a box sideways")):
        items = measured[key]
        for item in items[:SHOWN]:
            where = f" in {item['box']}" if item.get("box") else ""
            out.append(f"{item['tag']} \"{item['text']}\" {what}{where} (left {item['left']}, right {item['right']}): "
                       f"{item['selector']}")
        if len(items) > SHOWN:
            out.append(f"... and {len(items) - SHOWN} more controls {what}")
    for v in violations:
        nodes = "; ".join(v["nodes"][:SHOWN]) + (f"; +{len(v['nodes']) - SHOWN} more" if len(v["nodes"]) > SHOWN else "")
        out.append(f"axe {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} nodes: {nodes})")
    return out
