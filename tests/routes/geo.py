"""Routes of the geo package: the district boundaries are public reference data."""
EXPECTED = {
    "geo.districts": ("GET", "/geo/districts.geojson", {"default": 200}),
}
