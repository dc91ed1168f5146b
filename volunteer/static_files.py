"""Static files for phones on slow networks: fingerprinted names cached for a year, brotli and gzip copies.

Every file under static/ gets a name with a hash of its content (css/app.css -> css/app.0123456789ab.css; a
vendor package, vendor/<name>/, as a whole -> vendor/<name>.0123456789ab/..., so its files still find each
other by relative URL, e.g. Leaflet's images and icon path). Copies under those names, with .br and .gz beside
the text ones, are written once into STATIC_BUILD_DIR (default <instance>/static; each process checks at
start, under a file lock, and writes only what is missing) and served by WhiteNoise in front of Flask with
Cache-Control: public, max-age=31536000, immutable. url_for('static', filename=...) gives the fingerprinted
URL. A plain name (/static/css/app.css) still answers, through Flask's static view, with no-cache: it is
never kept past a deploy. Pages and other dynamic text are compressed per response by Flask-Compress.
"""
import fcntl
import hashlib
import os
import posixpath
import shutil
import tempfile
import threading
import time
from pathlib import Path

import brotli
import click
from flask import current_app, request
from flask.cli import with_appcontext
from flask_compress import Compress
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

YEAR = "public, max-age=31536000, immutable"
PACKAGES = "vendor"  # vendor/<package>/ is fingerprinted as one directory
HASH_CHARS = 12
BIG = 512 * 1024  # above this, brotli quality 9 (the API docs' 1.7 MB bundle: 0.2 s instead of 4 s)
_compressor = Compressor(quiet=True)
_digests = {}  # (path, size, mtime) -> sha256: a file is read again only when it changes


def _digest(path):
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _digests:
        _digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _digests[key]


def fingerprint(static_dir):
    """{name under static/: its fingerprinted name} for every file (dot files left out)."""
    static_dir = Path(static_dir)
    files = {p.relative_to(static_dir).as_posix(): p for p in sorted(static_dir.rglob("*"))
             if p.is_file() and not any(part.startswith(".") for part in p.relative_to(static_dir).parts)}
    manifest, packages = {}, {}
    for name in files:
        parts = name.split("/")
        if parts[0] == PACKAGES and len(parts) > 2:
            packages.setdefault("/".join(parts[:2]), []).append(name)
    for package, names in packages.items():
        h = hashlib.sha256()
        for name in names:
            h.update(f"{name}\0{_digest(files[name])}\n".encode())
        for name in names:
            manifest[name] = f"{package}.{h.hexdigest()[:HASH_CHARS]}{name[len(package):]}"
    for name, path in files.items():
        if name not in manifest:
            root, ext = posixpath.splitext(name)
            manifest[name] = f"{root}.{_digest(path)[:HASH_CHARS]}{ext}"
    return manifest


def _write_atomically(target, data=None, source=None):
    """Write bytes (or copy source) to target through a temp file, so no reader sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            if source is not None:
                with open(source, "rb") as src:
                    shutil.copyfileobj(src, fh)
            else:
                fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _put(source, target):
    """Write target's compressed copies (text only, when smaller), then target itself: it exists once complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if _compressor.should_compress(target.name):
        data = source.read_bytes()
        quality = 11 if len(data) <= BIG else 9
        for suffix, packed in ((".br", lambda d: brotli.compress(d, quality=quality)),
                               (".gz", _compressor.compress_gzip)):
            out = packed(data)
            if data and len(out) <= 0.95 * len(data):
                _write_atomically(target.with_name(target.name + suffix), out)
    _write_atomically(target, source=source)


def build(static_dir, out_dir):
    """Fingerprint static_dir and write whatever out_dir lacks of it; return the manifest."""
    static_dir, out_dir = Path(static_dir), Path(out_dir)
    manifest = fingerprint(static_dir)
    missing = [name for name, hashed in manifest.items() if not (out_dir / hashed).is_file()]
    if missing:
        out_dir.mkdir(parents=True, exist_ok=True)
        with open(out_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be writing the same files: wait for it
            for name in missing:
                target = out_dir / manifest[name]
                if not target.is_file():
                    _put(static_dir / name, target)
    return manifest


def _csp():
    """The app's Content-Security-Policy as a header value (an SVG opened on its own runs under it too)."""
    from .security import CSP

    return "; ".join(f"{k} {' '.join(v) if isinstance(v, list) else v}" for k, v in CSP.items())


def _headers(headers, path, url):
    headers["Cache-Control"] = YEAR
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = _csp()


class StaticFiles:
    """The manifest of one app and the WhiteNoise that serves its fingerprinted files."""

    def __init__(self, app):
        self.static_dir = Path(app.static_folder)
        self.out_dir = Path(app.config.get("STATIC_BUILD_DIR") or os.environ.get("STATIC_BUILD_DIR")
                            or Path(app.instance_path) / "static")
        self.prefix = app.static_url_path.rstrip("/") + "/"
        self.logger = app.logger
        self.manifest = {}
        self.checked = 0.0
        self.lock = threading.Lock()
        self.whitenoise = WhiteNoise(app.wsgi_app, allow_all_origins=False, add_headers_function=_headers,
                                     immutable_file_test=lambda path, url: True)
        self.update()

    def update(self):
        """Build what is missing and serve the current fingerprinted names (none if the build fails)."""
        try:
            manifest = build(self.static_dir, self.out_dir)
        except OSError as exc:
            self.logger.warning("static files are served without fingerprints: %s cannot be written (%s)",
                                self.out_dir, exc)
            manifest = {}
        for hashed in set(manifest.values()) - set(self.manifest.values()):
            self.whitenoise.add_file_to_dictionary(self.prefix + hashed, str(self.out_dir / hashed))
        self.manifest = manifest
        self.checked = time.monotonic()

    def refresh(self):
        """While developing: pick up edited files (checked at most once a second)."""
        if time.monotonic() - self.checked > 1:
            with self.lock:
                if time.monotonic() - self.checked > 1:
                    self.update()

    def url_defaults(self, endpoint, values):
        if endpoint == "static" and values.get("filename") in self.manifest:
            values["filename"] = self.manifest[values["filename"]]


def init_app(app):
    """Serve fingerprinted, compressed static files and compress dynamic text answers."""
    static = StaticFiles(app)
    app.extensions["static_files"] = static
    app.wsgi_app = static.whitenoise
    app.url_defaults(static.url_defaults)
    refresh = app.config.get("STATIC_REFRESH", os.environ.get("STATIC_REFRESH") == "1" or app.debug)
    if refresh:
        app.before_request(lambda: None if request.endpoint == "static" else static.refresh())
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/plain", "text/csv",
                                                 "text/javascript", "application/javascript",
                                                 "application/json", "image/svg+xml"])
    app.extensions["compress"] = Compress(app)
    app.cli.add_command(static_command)


@click.group("static")
def static_command():
    """Fingerprinted static files."""


@static_command.command("build")
@with_appcontext
def build_command():
    """Write the fingerprinted and compressed copies now (each process also does it at start when needed)."""
    static = current_app.extensions["static_files"]
    static.update()
    if not static.manifest:
        raise click.ClickException(f"{static.out_dir} cannot be written")
    click.echo(f"{len(static.manifest)} static files in {static.out_dir}")
