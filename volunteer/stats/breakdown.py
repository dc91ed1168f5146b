"""The services of a period broken down the ways the bureau reports them: by service type, by form
(入户调研, 个案服务, 小组服务, 社区活动, other), by content (身体康复 … 夏冬令营等其他服务, or none), by local month
and by area. Each row: services, person_times (children served), hours (helpers' service time, rounded to
0.1 h); every table lists all its keys, zeros included. A total's hours are rounded from its minutes, so rows
may differ from it by a tenth."""
from flask_babel import lazy_gettext as _l

from ..activities.models import Activity
from ..geo import services as geo
from ..needs import catalogue
from ..needs.models import SERVICE_TYPES, Need
from ..visits.models import Visit
from . import activities
from .counting import area_key, month_key, months, service_counts

NO_CONTENT_LABEL = _l("No content")


def count(prefix: str, start, end, first, last) -> dict:
    """The services in [start, end) (local days first..last: served visits and done activities) by type,
    form, content, month, area and in total, in one statement:
    {grouping: {key: [services, person_times, minutes, children]}}."""
    return service_counts(prefix, start, end, {
        "type": (Need.service_type, Activity.service_type),
        "form": (catalogue.form_sql(Need.service_type, Visit.service_form), activities.form_sql()),
        "content": (catalogue.content_sql(Need.service_type, Visit.service_content),
                    activities.content_sql()),
        "month": (month_key(first, last), month_key(first, last, Activity.starts_at)),
        "area": (area_key(prefix), activities.area_sql(prefix)), "total": None})


def _figures(counts: list | None) -> dict:
    services, person_times, minutes = (counts or (0, 0, 0))[:3]
    return {"services": services, "person_times": person_times, "hours": round(minutes / 60, 1), "_minutes": minutes}


def _total(rows: list[dict]) -> dict:
    minutes = sum(r["_minutes"] for r in rows)
    return {"services": sum(r["services"] for r in rows), "person_times": sum(r["person_times"] for r in rows),
            "hours": round(minutes / 60, 1)}


def _clean(rows: list[dict]) -> list[dict]:
    for r in rows:
        r.pop("_minutes", None)
    return rows


def by_type(counts: dict) -> tuple[list, dict]:
    """Rows {service_type, label, visits, person_times, hours} and their total (visits: the services)."""
    rows = [{"service_type": t, "label": label, **_figures(counts.get(t))} for t, label in SERVICE_TYPES.items()]
    total = _total(rows)
    out = [{"service_type": r["service_type"], "label": r["label"], "visits": r["services"],
            "person_times": r["person_times"], "hours": r["hours"]} for r in rows]
    return out, {"visits": total["services"], "person_times": total["person_times"], "hours": total["hours"]}


def by_form(counts: dict) -> tuple[list, dict]:
    """Rows {key, label, services, person_times, hours} for every form, and their total (every service)."""
    rows = [{"key": k, "label": label, **_figures(counts.get(k))} for k, label in catalogue.FORMS.items()]
    total = _total(rows)
    return _clean(rows), total


def by_content(counts: dict) -> tuple[list, dict]:
    """Rows for every content and "none"; the total counts the services with a content, as the bureau does."""
    rows = [{"key": k, "label": label, **_figures(counts.get(k))} for k, label in catalogue.CONTENTS.items()]
    total = _total(rows)
    rows.append({"key": catalogue.NO_CONTENT, "label": NO_CONTENT_LABEL, **_figures(counts.get(None))})
    return _clean(rows), total


def by_month(counts: dict, first, last) -> list:
    """Rows {month: "YYYY-MM", services, person_times, hours} for every local month of first..last."""
    return _clean([{"month": m, **_figures(counts.get(m))} for m, _ in months(first, last)])


def areas_of(prefix: str) -> list[tuple[str, str]]:
    """(code, name) of the areas of a scope: the districts of the city, the towns of a district, or the town."""
    if not prefix:
        divisions = geo.districts()
    else:
        divisions = geo.towns(prefix) or [d for d in [geo.get(prefix)] if d]
    return [(d.code, d.name) for d in divisions]


def by_area(counts: dict, prefix: str, children: list[dict]) -> list:
    """Rows {area, name, services, person_times, hours, children, per_child} for every area of the scope
    (and any other area with children or services); per_child = services per child (None without children)."""
    by_code: dict = {}
    for code, figures in counts.items():
        by_code[code or ""] = [a + b for a, b in zip(by_code.get(code or "", (0, 0, 0)), figures[:3])]
    kids = {r["area"]: r["total"] for r in children}
    names = dict(areas_of(prefix))
    for code in [*kids, *by_code]:
        names.setdefault(code, geo.name_of(code) or code)
    rows = []
    for code, name in sorted(names.items()):
        n = kids.get(code, 0)
        row = {"area": code, "name": name, **_figures(by_code.get(code))}
        row.update(children=n, per_child=round(row["services"] / n, 2) if n else None)
        rows.append(row)
    return _clean(rows)
