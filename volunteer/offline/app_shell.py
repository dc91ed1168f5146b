"""The installable app: its web app manifest, its service worker (a template of static/js/offline-sw.js with the
files to precache) and the theme colour, read from the design tokens in static/css/app.css.

    manifest() -> dict
    worker_source() -> str     # what /sw.js serves; its bytes change with any precached file or the shell
"""
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for
from flask_babel import force_locale, gettext as _

ROOT = Path(__file__).resolve().parent.parent.parent
WORKER = "js/offline-sw.js"
STORE = "js/offline-store.js"
# The app shell: every page's styles and scripts, the icons; the heavy packages of a few pages (the API docs,
# the charts, the maps) and the tests' axe-core are cached when first used instead.
PRECACHE = re.compile(r"^(css/app\.css|css/offline\.css|js/(?!offline-sw\.js$)[\w-]+\.js|favicon\.svg|"
                      r"icons/[\w-]+\.png|vendor/(htmx|lucide)/[^/]+\.(js|svg))$")
FALLBACK_THEME = "#0f766e"
ICONS = ((192, "any"), (512, "any"), (192, "maskable"), (512, "maskable"))


@lru_cache(maxsize=4)
def _theme(css_path: str, mtime: float) -> str:
    found = re.search(r"--primary:\s*(#[0-9a-fA-F]{3,8})\s*;", Path(css_path).read_text(encoding="utf-8"))
    return found.group(1) if found else FALLBACK_THEME


def theme_colour() -> str:
    """The primary colour of the design tokens (--primary in static/css/app.css)."""
    css = Path(current_app.static_folder) / "css" / "app.css"
    try:
        return _theme(str(css), css.stat().st_mtime)
    except OSError:
        return FALLBACK_THEME


def _icon(size: int, purpose: str) -> dict:
    name = f"icons/{'maskable' if purpose == 'maskable' else 'icon'}-{size}.png"
    return {"src": url_for("static", filename=name), "sizes": f"{size}x{size}", "type": "image/png",
            "purpose": purpose}


def manifest() -> dict:
    """The web app manifest: Chinese names, the icons, standalone from the role's home page."""
    with force_locale("zh_Hans_CN"):
        name, description = _("Huhang"), _("Volunteers and coordinators serving children in hardship in Qingdao.")
    return {"id": "/", "name": name, "short_name": name, "description": description, "lang": "zh-CN",
            "dir": "ltr", "start_url": "/", "scope": "/", "display": "standalone", "orientation": "portrait",
            "theme_color": theme_colour(), "background_color": "#f5f7f8",
            "icons": [_icon(size, purpose) for size, purpose in ICONS]}


def precache() -> list[str]:
    """The fingerprinted URLs of the app shell's static files, and the offline page."""
    names = sorted(current_app.extensions["static_files"].manifest) or []
    urls = [url_for("static", filename=n) for n in names if PRECACHE.match(n)]
    return [*urls, url_for("offline.page")]


@lru_cache(maxsize=64)
def _file_digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _shell_version(config: dict) -> str:
    """A digest of what the worker caches: the file list, the offline page's templates and their words."""
    h = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    shell = [ROOT / "templates" / "base.html", *sorted((ROOT / "templates" / "offline").glob("*.html"))]
    for path in (*shell, ROOT / "volunteer" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.mo"):
        if path.is_file():
            h.update(_file_digest(str(path), path.stat().st_mtime_ns).encode())
    return h.hexdigest()[:16]


def worker_source() -> str:
    """The service worker: its settings (JSON) on the first line, then static/js/offline-sw.js."""
    source = (Path(current_app.static_folder) / WORKER).read_text(encoding="utf-8")
    config = {"precache": precache(), "offline": url_for("offline.page"),
              "store": url_for("static", filename=STORE)}
    config["version"] = _shell_version({**config, "source": hashlib.sha256(source.encode()).hexdigest()})
    return f"self.HUHANG_SW = {json.dumps(config)};\n{source}"
