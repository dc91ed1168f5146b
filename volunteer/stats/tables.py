"""The tables of the statistics page in page order, for the CSV and the 统计报表 workbook (one sheet each).

    tables(f) -> list[Table]    # key, title, columns [(key, label)], rows [dict], total (dict or None)

Titles and labels are plain strings in the current language; rows keep their figures as numbers.
"""
from dataclasses import dataclass

from flask_babel import gettext as _

from ..children.models import CATEGORIES
from ..needs.models import NEED_STATUSES
from .headline import previous
from .services import Figures


@dataclass
class Table:
    key: str
    title: str
    columns: list   # [(key, label)]: the first column names the row
    rows: list      # [dict]: at least the columns' keys
    total: dict | None = None


def _figures_cols(first: str = "services") -> list:
    return [(first, _("Services")), ("person_times", _("Person-times")), ("hours", _("Service hours"))]


def _labelled(rows: list[dict]) -> list[dict]:
    return [{**r, "label": str(r["label"])} for r in rows]


def tables(f: Figures) -> list[Table]:
    """Every table of the page, in page order."""
    period = _period(f.first, f.last)
    out = [
        Table("headline", _("Headline figures, %(period)s, against %(previous)s", period=period,
                            previous=_period(*previous(f.first, f.last))),
              [("label", _("Figure")), ("value", _("Number")), ("previous", _("Previous period")),
               ("change", _("Change")), ("pct", _("Change (%)"))], _labelled(f.headline), None),
        Table("by_form", _("Services by form, %(period)s", period=period),
              [("label", _("Form")), *_figures_cols()], _labelled(f.by_form), {"label": _("Total"), **f.by_form_total}),
        Table("by_content", _("Services by content, %(period)s", period=period),
              [("label", _("Content")), *_figures_cols()], _labelled(f.by_content),
              {"label": _("Total with a content"), **f.by_content_total}),
        Table("services", _("Services by type, %(period)s", period=period),
              [("label", _("Service")), *_figures_cols("visits")], _labelled(f.services),
              {"label": _("Total"), **f.services_total}),
        Table("children", _("Children in hardship"),
              [("name", _("Area")), *[(c, str(label)) for c, label in CATEGORIES.items()],
               ("disabled", _("Disabled")), ("total", _("Total"))],
              [dict(r) for r in f.children], {"name": _("Total"), **f.children_total}),
        Table("needs", _("Needs by dimension (body, mind, social, intellect)"),
              [("label", _("Dimension")), *[(s, str(label)) for s, label in NEED_STATUSES.items()],
               ("total", _("Total"))], _labelled(f.needs), None),
        Table("by_month", _("Services by month, %(period)s", period=period),
              [("month", _("Month")), *_figures_cols()], [dict(r) for r in f.by_month],
              {"month": _("Total"), **f.by_form_total}),
        Table("by_area", _("Services by area, %(period)s", period=period),
              [("name", _("Area")), *_figures_cols(), ("children", _("Children in hardship")),
               ("per_child", _("Services per child"))], [dict(r) for r in f.by_area], _area_total(f)),
        Table("figures", _("Other figures, %(period)s", period=period),
              [("label", _("Figure")), ("value", _("Number"))], _figures(f), None),
    ]
    return out


def _period(first, last) -> str:
    return f"{first.isoformat()} – {last.isoformat()}"


def _area_total(f: Figures) -> dict:
    # Every service is a child's, and every child is in one area: the total is the services' total.
    children = f.children_total.get("total", 0)
    services = f.by_form_total.get("services", 0)
    return {"name": _("Total"), **f.by_form_total, "children": children,
            "per_child": round(services / children, 2) if children else None}


def _figures(f: Figures) -> list[dict]:
    rows = [
        ("volunteers_served", _("Volunteers who served"), f.volunteers["served"]),
        ("volunteer_check_ins", _("Volunteer check-ins"), f.volunteers["helper_times"]),
        ("volunteer_hours", _("Volunteers' service hours"), f.volunteers["hours"]),
        ("children_served", _("Children served"), f.reach["children_served"]),
        ("new_children", _("New children"), f.reach["new_children"]),
        ("new_needs", _("New needs"), f.reach["new_needs"]),
        ("wishes_claimed", _("Micro-wishes claimed"), f.wishes["claimed"]),
        ("wishes_received", _("Micro-wishes received"), f.wishes["received"]),
        ("wishes_open", _("Micro-wishes open now"), f.wishes["open"]),
        ("packs_delivered", _("Gift packs delivered"), f.packs["delivered"]),
    ]
    return [{"key": k, "label": label, "value": v} for k, label, v in rows]
