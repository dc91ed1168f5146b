"""What /stats shows around the tables: the area's name for the title, how each headline figure moved
against the previous period, and the words the charts draw (stats-charts.js reads them from the page).

    context(staff, f) -> dict   # area_name, and with figures: tile groups, previous period, by_district, chart_words
"""
from datetime import datetime

from flask_babel import format_decimal, format_percent, gettext as _

from .. import access
from ..children.models import CATEGORIES
from ..geo import services as geo
from .counting import LOCAL
from .headline import previous
from .services import Figures

CHILDREN = ("children", *CATEGORIES)  # the headline's keys of children on the register


def area_name(staff) -> str:
    """The staff user's area as a report names it: 青岛市, 崂山区, or 崂山区沙子口街道."""
    prefix = access.scope_prefix(staff) or ""
    if not prefix:
        return _("Qingdao")
    district = geo.name_of(prefix[:6]) if len(prefix) > 6 else ""
    return f"{district}{geo.name_of(prefix) or prefix}"


def change(tile: dict) -> dict:
    """How a headline figure moved: direction up|down|same, and by how much (per cent, or the number itself
    when the previous period had none)."""
    delta, pct = tile.get("change") or 0, tile.get("pct")
    if not delta:
        return {"direction": "same", "amount": ""}
    amount = format_percent(abs(pct) / 100, "#,##0.#%") if pct is not None else format_decimal(abs(delta), "#,##0.#")
    return {"direction": "up" if delta > 0 else "down", "amount": amount}


def groups(headline: list[dict]) -> list[dict]:
    """The headline tiles in two groups, the children on the register and the period's services, each tile with
    its change (change())."""
    children = [{**t, **change(t)} for t in headline if t["key"] in CHILDREN]
    services = [{**t, **change(t)} for t in headline if t["key"] not in CHILDREN]
    return [{"key": "children", "title": _("Children in hardship on the register at the end of the period"),
             "tiles": children},
            {"key": "services", "title": _("Services in the period"), "tiles": services}]


def chart_words() -> dict:
    """The charts' series names and the children's categories, in the user's language."""
    return {"services": _("Services"), "children": _("Children in hardship"), "perChild": _("Services per child"),
            "categories": [{"key": k, "label": str(label)} for k, label in CATEGORIES.items()]}


def context(staff, f: Figures | None) -> dict:
    """Everything the page needs besides the figures (only the area's name without them)."""
    if f is None:
        return {"area_name": area_name(staff)}
    previous_first, previous_last = previous(f.first, f.last)
    return {"area_name": area_name(staff), "groups": groups(f.headline),
            "previous_first": previous_first, "previous_last": previous_last,
            "by_district": access.scope_prefix(staff) == "", "chart_words": chart_words(),
            "printed_on": datetime.now(LOCAL).date()}
