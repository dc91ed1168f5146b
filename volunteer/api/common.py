"""The API blueprint and what its views share: routing with documentation, paging, JSON in and out."""
from datetime import date, datetime

from flask import Blueprint, abort, g, jsonify, request
from flask_babel import gettext as _

from ..children.validation import InvalidInput
from ..numbers import parse_int
from . import openapi

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 100
MAX_PAGE = 100_000


def route(rule: str, method: str, **doc):
    """Register a view on bp for one method and document it in the OpenAPI registry (see openapi.document)."""
    def decorator(view):
        endpoint = doc.pop("endpoint", view.__name__)
        openapi.document(f"{bp.name}.{endpoint}", method, **doc)
        bp.add_url_rule(rule, endpoint, view, methods=[method])
        return view
    return decorator


def user():
    """The user the request's token belongs to (set by auth.authenticate_request)."""
    return g.api_user


def jsonable(value):
    """Dates and datetimes as ISO 8601 strings, recursively."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def ok(payload, status: int = 200):
    resp = jsonify(jsonable(payload))
    resp.status_code = status
    return resp


def paging() -> tuple[int, int]:
    """?page= (1-MAX_PAGE) and ?per_page= (1-100, default 25; more is 100); anything else is a 422."""
    page = parse_int(request.args.get("page", 1), 1, MAX_PAGE)
    per_page = parse_int(request.args.get("per_page", 25), 1)
    wrong = {}
    if page is None:
        wrong["page"] = _("Enter a whole number between %(lo)s and %(hi)s.", lo=1, hi=MAX_PAGE)
    if per_page is None:
        wrong["per_page"] = _("Enter a whole number between %(lo)s and %(hi)s.", lo=1, hi=MAX_PER_PAGE)
    if wrong:
        raise InvalidInput(wrong)
    return page, min(per_page, MAX_PER_PAGE)


def page_of(items, page: int, per_page: int, total: int):
    return ok({"items": list(items), "page": page, "per_page": per_page, "total": total})


def body() -> dict:
    """The JSON object sent; anything else is a 400, JSON nested too deep for the parser a 422."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # json's decoder recurses once per level: 2,000 levels exhaust the stack
        raise InvalidInput({"body": _("The JSON is nested too deeply.")}) from None
    if not isinstance(data, dict):
        abort(400)
    return data


PAGING = (("page", "query", "integer", "Page number, from 1"),
          ("per_page", "query", "integer", "Items per page, 1-100 (default 25)"))
