"""The district boundaries as GeoJSON for the maps drawn in the browser (blueprint `geo`): public data, cached."""
from flask import Blueprint, send_file

from ..security import cacheable
from . import services as geo

bp = Blueprint("geo", __name__)
MAX_AGE = 24 * 3600


@bp.get("/geo/districts.geojson")
@cacheable
def districts():
    """Qingdao's 10 district polygons (WGS-84, properties code and name), revalidated by ETag after a day."""
    return send_file(geo.DISTRICTS_GEOJSON, mimetype="application/geo+json", max_age=MAX_AGE, conditional=True,
                     etag=True)
