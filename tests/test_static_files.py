"""Static files for slow phones: fingerprinted names cached for a year, compressed text, nothing stale."""
import gzip
import re
from pathlib import Path
from urllib.parse import urljoin

import brotli
import pytest


ROOT = Path(__file__).resolve().parent.parent
YEAR = "public, max-age=31536000, immutable"
FINGERPRINT = re.compile(r"\.[0-9a-f]{12}(?=[./])")
TEXT = (".css", ".js", ".svg")


def _static_urls(html):
    """The page's static URLs, without #fragments (an SVG sprite's icon), each once."""
    return list(dict.fromkeys(u.split("#")[0] for u in re.findall(r'(?:src|href)="(/static/[^"]+)"', html)))


def _source(url):
    """The file under static/ that a fingerprinted URL serves."""
    return ROOT / "static" / FINGERPRINT.sub("", url.removeprefix("/static/"), count=1)


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_a_pages_static_urls_are_fingerprinted_cached_for_a_year_and_compressed(client, encoding, decode):
    urls = _static_urls(client.get("/login").get_data(as_text=True))
    assert len(urls) >= 3, urls
    for url in urls:
        assert FINGERPRINT.search(url), url
        resp = client.get(url, headers={"Accept-Encoding": f"{encoding}, identity"})
        assert resp.status_code == 200, url
        assert resp.headers["Cache-Control"] == YEAR, url
        assert resp.headers["X-Content-Type-Options"] == "nosniff", url
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"], url
        body = resp.get_data()
        if url.endswith(TEXT):
            assert resp.headers["Content-Encoding"] == encoding, url
            assert "Accept-Encoding" in resp.headers["Vary"], url
            body = decode(body)
        assert body == _source(url).read_bytes(), url


def test_without_accept_encoding_a_fingerprinted_file_is_sent_as_it_is(client):
    url = next(u for u in _static_urls(client.get("/login").get_data(as_text=True)) if u.endswith(".css"))
    resp = client.get(url)
    assert "Content-Encoding" not in resp.headers
    assert resp.get_data() == _source(url).read_bytes()


def test_an_unhashed_name_is_never_cached_for_long(client):
    resp = client.get("/static/css/app.css", headers={"Accept-Encoding": "br"})
    assert resp.status_code == 200
    cache = resp.headers.get("Cache-Control", "")
    assert "immutable" not in cache and "max-age=31536000" not in cache
    assert "no-cache" in cache or "max-age=0" in cache, cache


def test_pages_are_compressed_and_still_not_stored(client):
    resp = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert resp.headers["Content-Encoding"] == "br"
    assert resp.headers["Cache-Control"] == "no-store"
    assert "<html" in brotli.decompress(resp.get_data()).decode()


def test_leaflet_finds_its_images_next_to_its_fingerprinted_stylesheet(app, client):
    with app.test_request_context():
        from flask import url_for

        css = url_for("static", filename="vendor/leaflet/leaflet.css")
    assert FINGERPRINT.search(css)
    text = client.get(css).get_data(as_text=True)
    refs = [r for r in re.findall(r"url\(([^)#]+)\)", text)]
    assert "images/marker-icon.png" in refs  # Leaflet reads its icon path from this rule
    for ref in refs:
        resp = client.get(urljoin(css, ref))
        assert resp.status_code == 200 and resp.headers["Cache-Control"] == YEAR, ref


def test_a_changed_file_gets_a_new_name_and_the_old_one_stays_servable(tmp_path):
    from volunteer import static_files

    src, out = tmp_path / "static", tmp_path / "built"
    (src / "css").mkdir(parents=True)
    (src / "vendor" / "lib" / "img").mkdir(parents=True)
    (src / "css" / "site.css").write_text("body { color: red }\n" * 50)
    (src / "vendor" / "lib" / "lib.css").write_text(".x { background: url(img/a.png) }\n")
    (src / "vendor" / "lib" / "img" / "a.png").write_bytes(b"\x89PNG old")
    first = static_files.build(src, out)
    (src / "css" / "site.css").write_text("body { color: blue }\n" * 50)
    (src / "vendor" / "lib" / "img" / "a.png").write_bytes(b"\x89PNG new")
    second = static_files.build(src, out)

    assert first["css/site.css"] != second["css/site.css"]
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", second["css/site.css"])
    # A vendor package is fingerprinted as a whole, so its files keep finding each other by relative URL.
    assert first["vendor/lib/lib.css"] != second["vendor/lib/lib.css"]
    assert second["vendor/lib/img/a.png"].rsplit("/", 2)[0] == second["vendor/lib/lib.css"].rsplit("/", 1)[0]
    for manifest in (first, second):
        assert all((out / hashed).is_file() for hashed in manifest.values())
    assert (out / first["css/site.css"]).read_text().startswith("body { color: red }")
    assert gzip.decompress((out / (second["css/site.css"] + ".gz")).read_bytes()).startswith(b"body { color: blue }")
    assert brotli.decompress((out / (second["css/site.css"] + ".br")).read_bytes()).startswith(b"body { color: blue }")
    assert not (out / (second["vendor/lib/img/a.png"] + ".br")).exists()  # images are not recompressed


def test_an_unwritable_build_directory_leaves_plain_urls_that_still_work(migrated, database_url, redis_url,
                                                                         instance_dir, tmp_path):
    from tests.conftest import make_test_app

    blocker = tmp_path / "file"
    blocker.write_text("")
    app = make_test_app(database_url, redis_url, instance_dir, STATIC_BUILD_DIR=str(blocker / "static"))
    client = app.test_client()
    urls = _static_urls(client.get("/login").get_data(as_text=True))
    assert "/static/css/app.css" in urls
    assert client.get("/static/css/app.css").status_code == 200


def test_with_static_refresh_an_edited_file_gets_its_new_name_at_the_next_page(migrated, database_url, redis_url,
                                                                              instance_dir, tmp_path):
    from flask import url_for

    from tests.conftest import make_test_app

    src = tmp_path / "static"
    (src / "css").mkdir(parents=True)
    (src / "css" / "x.css").write_text("a { color: red }\n")
    app = make_test_app(database_url, redis_url, instance_dir, STATIC_REFRESH=True,
                        STATIC_BUILD_DIR=str(tmp_path / "built"))
    static = app.extensions["static_files"]
    static.static_dir, static.checked = src, 0  # as if static/ were this folder
    client = app.test_client()

    def current_url():
        client.get("/login")
        static.checked = 0  # the next request checks again (normally at most once a second)
        with app.test_request_context():
            return url_for("static", filename="css/x.css")

    before = current_url()
    (src / "css" / "x.css").write_text("a { color: blue }\n")
    after = current_url()
    assert before != after and FINGERPRINT.search(after)
    assert client.get(after).get_data() == b"a { color: blue }\n"
    assert client.get(after).headers["Cache-Control"] == YEAR


def test_only_map_pages_load_leaflet_and_the_map_helpers(client, make_user):
    volunteer = make_user(role="volunteer")
    client.post("/login", data={"phone": volunteer.phone, "password": "Huhang-2026"})
    plain = _static_urls(client.get("/my/visits").get_data(as_text=True))
    assert plain and not [u for u in plain if re.search(r"leaflet|/js/maps\.|/js/coords\.", u)]
    with_map = "\n".join(_static_urls(client.get("/me/profile").get_data(as_text=True)))
    for name in ("/vendor/leaflet.", "/js/maps.", "/js/coords."):
        assert name in with_map, name
