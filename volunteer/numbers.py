"""Whole numbers from URLs, query strings, forms and JSON, kept inside the database's integer range.

Ids and counts are INTEGER columns (32 bits on PostgreSQL); a bigger number can name nothing, and
SQLite refuses anything past 64 bits with an OverflowError. So a number out of range is treated as no
number at all: a URL with one is a 404, a field with one gets the field's usual message.
"""
import re

from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: 0 to DB_INT_MAX, else the URL matches nothing (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_int(value, lo: int = -DB_INT_MAX, hi: int = DB_INT_MAX) -> int | None:
    """value (a str, an int or None) as an int within [lo, hi], or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not re.fullmatch(r"[+-]?[0-9]{1,12}", text):
            return None
        number = int(text)
    return number if lo <= number <= hi else None


def init_app(app):
    """Install the bounded `int` converter; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = IdConverter
