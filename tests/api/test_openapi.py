"""The OpenAPI document covers every /api/v1 route; /api/docs renders it from vendored files only."""
import re
from pathlib import Path

import pytest
from flask import url_for

from volunteer.api import openapi

ROOT = Path(__file__).resolve().parents[2]


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_openapi_covers_every_api_route(app, client):
    resp = client.get("/api/v1/openapi.json")  # no token needed
    assert resp.status_code == 200
    doc = resp.json
    assert doc["openapi"].startswith("3.")
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]
    assert len(rules) >= 20
    for rule in rules:
        ops = doc["paths"][_openapi_path(rule.rule)]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            op = ops[method.lower()]
            assert op["summary"] and op["responses"], f"{method} {rule.rule}"
            if rule.endpoint != "api.openapi_json":
                assert op["security"] == [{"bearer": []}]
                assert op["responses"]["401"]["content"]["application/json"]["schema"] == \
                    {"$ref": "#/components/schemas/Error"}
    assert doc["components"]["securitySchemes"]["bearer"] == {
        **doc["components"]["securitySchemes"]["bearer"], "type": "http", "scheme": "bearer"}
    err = doc["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(err["properties"]) == {"code", "message", "fields"}
    assert doc["components"]["schemas"]["Page"]["properties"]["per_page"]["maximum"] == 100
    children = doc["paths"]["/api/v1/children"]["get"]
    assert {"page", "per_page", "q", "district"} <= {p["name"] for p in children["parameters"]}
    # Every $ref points at a schema that exists.
    text = resp.get_data(as_text=True)
    for name in set(re.findall(r'#/components/schemas/(\w+)', text)):
        assert name in doc["components"]["schemas"], name


def test_an_undocumented_route_breaks_the_document(app):
    from flask import Flask

    other = Flask("x")
    other.add_url_rule("/api/v1/secret", "secret", lambda: "")
    with pytest.raises(RuntimeError, match="undocumented"):
        openapi.build(other)


def test_docs_page_loads_only_vendored_assets_and_no_inline_script(app, client):
    resp = client.get("/api/docs")
    assert resp.status_code == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = resp.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert " style=" not in html
    srcs = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)  # what the page loads
    assert all(a.startswith("/") and not a.startswith("//") for a in re.findall(r'<a\b[^>]*href="([^"]+)"', html))
    with app.test_request_context():  # static URLs are fingerprinted (volunteer/static_files.py)
        bundle, css, docs = (url_for("static", filename=f) for f in (
            "vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css", "js/api-docs.js"))
    assert bundle in srcs and css in srcs and docs in srcs
    assert all(s.startswith("/static/") for s in srcs), srcs
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    for s in srcs:
        assert client.get(s).status_code == 200, s


def test_swagger_ui_is_vendored_with_its_licence_and_pinned():
    vendor = ROOT / "static" / "vendor" / "swagger-ui"
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        assert (vendor / name).stat().st_size > 0, name
    import json

    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["swagger-ui-dist"]
    assert re.fullmatch(r"5\.\d+\.\d+", pinned)
    assert f"swagger-ui-dist@{pinned} " in (ROOT / "static" / "vendor" / "VERSIONS.txt").read_text()
