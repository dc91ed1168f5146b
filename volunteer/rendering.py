"""One template per page: htmx asks for a block of it, a browser for the whole page."""
from flask import render_template
from htmx_flask import request
from jinja2_fragments.flask import render_block

from .extensions import htmx


def init_app(app):
    """Give every request `request.htmx` (htmx-flask)."""
    htmx.init_app(app)


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page (not a history restore, which needs all of it)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render(template: str, block: str | None = None, **context) -> str:
    """Render `block` of `template` for htmx, else the whole page."""
    if block and wants_fragment():
        return render_block(template, block, **context)
    return render_template(template, **context)
