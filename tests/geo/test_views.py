"""The district boundaries for the maps: public GeoJSON, cached a day and revalidated by ETag."""
import json


def test_districts_geojson_has_the_ten_districts_with_code_and_name(client):
    resp = client.get("/geo/districts.geojson")
    assert resp.status_code == 200
    assert resp.mimetype == "application/geo+json"
    data = json.loads(resp.data)
    assert len(data["features"]) == 10
    assert {f["properties"]["name"] for f in data["features"]} >= {"崂山区", "市南区", "平度市"}
    assert all(len(f["properties"]["code"]) == 6 for f in data["features"])


def test_districts_geojson_is_cached_and_answers_304_when_unchanged(client):
    resp = client.get("/geo/districts.geojson")
    assert "max-age=86400" in resp.headers["Cache-Control"]
    assert "no-store" not in resp.headers["Cache-Control"]
    again = client.get("/geo/districts.geojson", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304
