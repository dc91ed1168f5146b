"""The JSON API under /api/v1, its documentation at /api/docs, and the token pages. register(app) wires them."""
from flask import Blueprint, current_app, jsonify, render_template, url_for

from ..children.validation import InvalidInput
from ..extensions import limiter
from . import (activities, auth, errors, openapi, people, records, services, stats, visits,  # noqa: F401 (routes)
               wishes)
from .common import body, bp, ok, route, user

docs_bp = Blueprint("api_docs", __name__)


def token_record(t) -> dict:
    return {"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
            "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}


@route("/tokens", "GET", endpoint="tokens", tag="tokens", response="Token", errors=(401,),
       summary="Your API tokens (revoked ones too)")
def list_tokens():
    rows = services.tokens_of(user())
    return ok({"items": [token_record(t) for t in rows], "page": 1, "per_page": len(rows), "total": len(rows)})


@route("/tokens", "POST", endpoint="tokens_create", tag="tokens", body="TokenInput", response="NewToken",
       status=201, errors=(401, 409), summary="Create a token (at most 10 live ones); its plaintext is in this "
       "answer only")
def create_token():
    try:
        token, plaintext = services.issue_token(user(), body().get("name"))
    except services.TooManyTokens as exc:
        return errors.error(409, str(exc))
    return ok({"token": token_record(token), "plaintext": plaintext}, 201)


@route("/tokens/<int:token_id>", "DELETE", endpoint="token_revoke", tag="tokens", status=204,
       summary="Revoke a token (your own; admins: anyone's)")
def revoke_token(token_id):
    services.revoke_token(user(), token_id)
    return "", 204


@route("/openapi.json", "GET", endpoint="openapi_json", tag="docs", public=True, errors=(),
       summary="This document (no token needed)")
def openapi_json():
    return jsonify(openapi.build(current_app))


@docs_bp.get("/api/docs")
@limiter.exempt
def docs():
    """The API documentation, rendered by the vendored Swagger UI (no inline script)."""
    return render_template("api/docs.html", spec_url=url_for("api.openapi_json"))


def _invalid(e):
    return errors.error(422, fields=e.errors)


def _not_found(e):
    return errors.error(404)


def _forbidden(e):
    return errors.error(403, str(e.args[0]) if e.args and str(e.args[0]) else None)


# Set up once, at import: Flask refuses changes to a blueprint after its first registration.
auth.install(bp)
bp.register_error_handler(InvalidInput, _invalid)
bp.register_error_handler(LookupError, _not_found)
bp.register_error_handler(PermissionError, _forbidden)
errors.install_on(bp)


def register(app):
    """Register the API, its docs page and the token pages on app."""
    from .pages import bp as pages_bp

    app.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    app.register_blueprint(pages_bp)
