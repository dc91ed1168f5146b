"""The OpenAPI document, built from what each route registers next to itself (see common.route).

A route under /api/v1 without documentation makes build() raise, so it cannot go unnoticed.
"""
import re

from .. import access
from ..numbers import DB_INT_MAX

# Operation docs keyed by endpoint name then HTTP method, filled by common.route at import time.
REGISTRY: dict[str, dict[str, dict]] = {}
# Schemas a resource module writes out itself (name -> schema), added to the document's components.
SCHEMAS: dict[str, dict] = {}

ERROR_CODES = ["not_found", "unauthorized", "forbidden", "invalid", "conflict", "rate_limited", "bad_request",
               "server_error"]
STATUS_TEXT = {200: "OK", 201: "Created", 204: "No content", 400: "Bad request", 401: "No valid token",
               403: "Not allowed for this role", 404: "Not found (or not yours to see: the same answer)",
               409: "Conflict (e.g. the wish is already claimed)", 422: "Invalid fields", 429: "Rate limited"}

TYPES = {
    "id": "integer", "age": "integer", "price_yuan": "integer", "radius_km": "integer",
    "max_visits_per_month": "integer", "team_org_id": "integer", "organisation_id": "integer",
    "members": "integer", "disabled": "boolean", "lat": "number", "lon": "number", "approx_lat": "number",
    "approx_lon": "number", "skills": "array", "slots": "array", "needs": "array", "consent": "object",
    "wish": "object", "need_id": "integer", "org_id": "integer", "volunteer_ids": "array", "accept": "boolean",
    "accuracy": "number", "new_needs": "array", "assignees": "array", "need": "object", "child": "object",
    "contact": "object", "minutes": "integer", "minutes_total": "integer", "checked_in": "boolean",
    "checked_out": "boolean", "has_report": "boolean", "check_in_distance_m": "number", "check_in": "string",
}
FORMATS = {"birth_date": "date", "window_start": "date", "window_end": "date", "consent_given_on": "date",
           "created_at": "date-time", "updated_at": "date-time", "last_used_at": "date-time",
           "revoked_at": "date-time", "claimed_at": "date-time", "expires_at": "date-time",
           "bought_at": "date-time", "delivered_at": "date-time", "received_at": "date-time",
           "starts_at": "date-time", "ends_at": "date-time", "offer_expires_at": "date-time",
           "checked_in_at": "date-time", "check_in_opens_at": "date-time", "follow_up_on": "date"}
ARRAY_ITEMS = {"needs": "object", "slots": "object", "new_needs": "object", "assignees": "object",
               "volunteer_ids": "integer"}


def document(endpoint: str, method: str, *, summary: str, params=(), body: str | None = None,
             response: str | None = None, status: int = 200, errors=(401, 404), public: bool = False,
             tag: str = "") -> None:
    """Record one operation. params: (name, in, type, description) tuples; body/response: schema names
    ("Page[X]" for a page of X)."""
    REGISTRY.setdefault(endpoint, {})[method.upper()] = dict(
        summary=summary, params=list(params), body=body, response=response, status=status,
        errors=tuple(errors), public=public, tag=tag)


def _prop(name: str) -> dict:
    kind = TYPES.get(name, "string")
    prop = {"type": kind}
    if kind == "array":
        prop["items"] = {"type": ARRAY_ITEMS.get(name, "string")}
    if name in FORMATS:
        prop["format"] = FORMATS[name]
    if name != "id" and kind != "array":
        prop["nullable"] = True
    return prop


def _object(fields, required=()) -> dict:
    schema = {"type": "object", "properties": {f: _prop(f) for f in fields}}
    if required:
        schema["required"] = list(required)
    return schema


def _ints(*names, **extra) -> dict:
    return {"type": "object", "properties": {**{n: {"type": "integer"} for n in names}, **extra}}


def stats_schema() -> dict:
    """The figures of volunteer/stats/services.py::Figures as volunteer/stats/json.py::as_dict gives them."""
    counts = {"services": {"type": "integer", "description": "Visits that took place and done activities"},
              "person_times": {"type": "integer", "description": "Children served (a group activity with 12 "
                               "children: 12; an activity: its registered children plus those expected)"},
              "hours": {"type": "number", "description": "Helpers' checked-in service time in hours, to 0.1 (two "
                        "helpers for an hour: 2; an activity: its volunteers' approved minutes)"}}
    keyed = {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "label": {"type": "string"}, **counts}}}
    total = {"type": "object", "properties": counts}
    return {"type": "object", "description": "See volunteer/stats/services.py::Figures", "properties": {
        "first": {"type": "string", "format": "date"}, "last": {"type": "string", "format": "date"},
        "children": {"type": "array", "items": {"type": "object", "description": "{area, name, <category>..., "
                     "disabled, total}: by district (the city) or town"}},
        "children_total": {"type": "object"},
        "needs": {"type": "array", "items": {"type": "object", "description": "{dimension, label, <status>..., total}"}},
        "services": {"type": "array", "items": {"type": "object", "properties": {
            "service_type": {"type": "string"}, "label": {"type": "string"}, "visits": {"type": "integer"},
            "person_times": counts["person_times"], "hours": counts["hours"]}}},
        "services_total": {"type": "object", "properties": {"visits": {"type": "integer"},
                                                             "person_times": counts["person_times"], "hours": counts["hours"]}},
        "by_form": keyed, "by_form_total": total,
        "by_content": {**keyed, "description": "Every content, then key \"none\" (services without a content)"},
        "by_content_total": {**total, "description": "The services with a content"},
        "by_month": {"type": "array", "items": {"type": "object", "properties": {
            "month": {"type": "string", "description": "YYYY-MM, Qingdao time"}, **counts}}},
        "by_area": {"type": "array", "items": {"type": "object", "properties": {
            "area": {"type": "string"}, "name": {"type": "string"}, **counts, "children": {"type": "integer"},
            "per_child": {"type": "number", "nullable": True, "description": "Services per child"}}}},
        "volunteers": _ints("served", "helper_times", hours=counts["hours"]),
        "wishes": _ints("claimed", "received", "open"), "packs": _ints("delivered"),
        "reach": _ints("children_served", "new_children", "new_needs"),
        "headline": {"type": "array", "description": "Headline figures against the previous period of the same "
                     "length (children: registered by each period's end)", "items": {"type": "object", "properties": {
                         "key": {"type": "string", "enum": ["children", "orphan", "de_facto_unsupported", "difficult",
                                                            "left_behind", "services", "person_times", "hours",
                                                            "volunteers", "wishes", "packs"]},
                         "label": {"type": "string"}, "value": {"type": "number"}, "previous": {"type": "number"},
                         "change": {"type": "number"}, "pct": {"type": "number", "nullable": True,
                                                               "description": "Change in per cent; null from 0"}}}}}}


def schemas() -> dict:
    """Reusable schemas: the error format, every view of access.FIELDS, inputs, tokens."""
    from ..children.services import CHILD_FIELDS
    from ..children.validation import CONSENT_FIELDS, REQUIRED

    out = {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "enum": ERROR_CODES},
                "message": {"type": "string", "description": "In the user's language (Accept-Language)"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "Only for code=invalid: a message per field"}}}}},
        "ChildInput": _object(CHILD_FIELDS + CONSENT_FIELDS, required=REQUIRED + CONSENT_FIELDS),
        "ChildPatch": _object(CHILD_FIELDS + CONSENT_FIELDS),
        "NeedInput": _object(["dimension", "service_type", "urgency", "rhythm", "skills", "window_start",
                              "window_end", "details"], required=["dimension", "service_type"]),
        "StatusInput": _object(["status"], required=["status"]),
        "WishInput": _object(["item", "category", "price_yuan"], required=["item", "category", "price_yuan"]),
        "TokenInput": _object(["name"], required=["name"]),
        "Token": _object(["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]),
        "NewToken": {"type": "object", "properties": {
            "token": {"$ref": "#/components/schemas/Token"},
            "plaintext": {"type": "string", "description": "Shown once; only its SHA-256 is stored"}}},
        "WishClaim": _object(["id", "stage", "claimed_at", "expires_at", "bought_at", "delivered_at",
                              "delivered_to", "received_at", "thanks", "wish"]),
        "Visit": _object(["id", "status", "need", "child", "starts_at", "ends_at", "org_id", "offer_expires_at",
                          "my_status", "checked_in", "checked_out", "minutes", "has_report", "check_in",
                          "check_in_opens_at", "contact",
                          "assignees", "check_in_method", "check_in_distance_m", "override_reason",
                          "flag_reason", "checked_in_at", "minutes_total"]),
        "VisitInput": _object(["need_id", "starts_at", "ends_at", "volunteer_ids", "org_id"],
                              required=["need_id", "starts_at", "ends_at"]),
        "VisitAnswer": _object(["accept"], required=["accept"]),
        "CheckIn": _object(["lat", "lon", "accuracy"], required=["lat", "lon"]),
        "VisitReportInput": _object(["body", "mind", "social", "intellect", "follow_up_on", "new_needs"]),
        "Stats": stats_schema(),
        "Me": _object(["id", "name", "phone", "email", "role", "scope_level", "scope_code", "organisation_id",
                       "locale"]),
        **SCHEMAS,
    }
    for collection, views in access.FIELDS.items():
        for view, fields in views.items():
            name = collection.capitalize() + view.capitalize()
            out[name] = _object(fields)
    out["NeedCard"]["properties"]["distance"] = {
        "type": "object", "nullable": True, "description": "From your home to the child's approximate place "
        "(the privacy-card point, as near me measures it); null without a home point", "properties": {
            "km": {"type": "number", "description": "Rounded to 0.1 km"},
            "from": {"type": "string", "enum": ["home"]},
            "to": {"type": "string", "enum": ["approximate_place"]}}}
    for collection in access.FIELDS:  # one name per collection: whichever view the caller's role has
        refs = [{"$ref": f"#/components/schemas/{collection.capitalize()}{v.capitalize()}"}
                for v in access.FIELDS[collection]]
        out[collection.capitalize()] = {"oneOf": refs, "description": "Cut to the caller's view (access.VIEWS)"}
    return out


def _schema_ref(name: str) -> dict:
    m = re.fullmatch(r"Page\[(\w+)\]", name)
    if m:
        return {"allOf": [{"$ref": "#/components/schemas/Page"}, {"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{m[1]}"}}}}]}
    return {"$ref": f"#/components/schemas/{name}"}


def _path(rule) -> tuple[str, list]:
    params = []

    def repl(m):
        converter, name = m[1], m[2]
        params.append({"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX} if converter == "int"
                       else {"type": "string"}})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: repl(m), rule.rule), params


def _operation(spec: dict, path_params: list) -> dict:
    op = {"summary": spec["summary"], "tags": [spec["tag"]] if spec["tag"] else []}
    params = list(path_params)
    for name, where, kind, description in spec["params"]:
        params.append({"name": name, "in": where, "required": where == "path", "description": description,
                       "schema": {"type": kind}})
    if params:
        op["parameters"] = params
    if spec["body"]:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _schema_ref(spec["body"])}}}
    ok = {"description": STATUS_TEXT.get(spec["status"], "OK")}
    if spec["response"]:
        ok["content"] = {"application/json": {"schema": _schema_ref(spec["response"])}}
    responses = {str(spec["status"]): ok}
    errors = set(spec["errors"]) | ({429} if not spec["public"] else set())
    if spec["body"]:
        errors |= {400, 422}
    if any(name == "page" for name, *_ in spec["params"]):
        errors |= {422}  # common.paging: page or per_page not a whole number in range
    for code in sorted(errors):
        responses[str(code)] = {"description": STATUS_TEXT.get(code, "Error"), "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op["responses"] = responses
    op["security"] = [] if spec["public"] else [{"bearer": []}]
    return op


def build(app) -> dict:
    """The OpenAPI 3.0 document for every /api/v1 rule of app; raises if one is undocumented."""
    paths, missing = {}, []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1"):
            continue
        path, path_params = _path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            spec = REGISTRY.get(rule.endpoint, {}).get(method)
            if spec is None:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
                continue
            paths.setdefault(path, {})[method.lower()] = _operation(spec, path_params)
    if missing:
        raise RuntimeError("undocumented API routes: " + ", ".join(missing))
    components = {"schemas": {**schemas(), "Page": {
        "type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
            "items": {"type": "array", "items": {}}, "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100}, "total": {"type": "integer"}}}},
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "hh_…",
                                       "description": "A personal token from /account/tokens"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Huhang (护航) API", "version": "1",
                 "description": "The same rules as the web pages: staff see full records inside their "
                                "scope (every full view of a child is audited); volunteers and "
                                "organisation users see privacy cards only. Errors: "
                                '{"error": {"code", "message", "fields"}}. Lists: ?page=&per_page= (≤100).'},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": components,
    }
