"""The figures as JSON-safe data: the same dict for GET /api/v1/stats and GET /stats/figures.json."""
from dataclasses import fields
from datetime import date, datetime

from .services import Figures


def plain(value):
    """Dates as ISO strings, lazy translations as str (in the request's language), containers recursively."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def as_dict(f: Figures) -> dict:
    """Every field of the figures, JSON-safe."""
    return {fld.name: plain(getattr(f, fld.name)) for fld in fields(f)}
