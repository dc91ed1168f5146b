"""Idempotency-Key on the API's visit actions (check-in, check-out, report): an app that sends an action
again after a lost answer gets the first answer back instead of a second run, through the same table and
rules as the phone's outbox (volunteer/offline/idempotency.py). Without the header an action runs as always.

Only final answers are kept: a success or a refusal (4xx). A 409, a 429 or a server error gives the key back,
so the retry the answer asks for runs the action again.
"""
from functools import wraps

from flask import Response, current_app, request
from flask_babel import gettext as _

from ..offline import idempotency
from . import errors
from .common import user

HEADER = "Idempotency-Key"
PARAM = ((HEADER, "header", "string", "Optional, 8-64 letters, digits, - or _ (a UUID fits): sending the "
                                      "action again with the same key returns the first answer (kept 7 days) "
                                      "with the header Idempotent-Replayed: true"),)
NOT_FINAL = {409, 429}


class _NotFinal(Exception):
    """The action's answer asks for a retry: the key is given back (idempotency.run releases it)."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


def _answer(view, args, kwargs) -> Response:
    """The view's response, its errors answered as the API answers them (errors.py and the domain handlers)."""
    try:
        rv = view(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 (the blueprint's handlers decide; unknown ones give a 500)
        rv = current_app.handle_user_exception(exc)
    return current_app.make_response(rv)


def once(action: str):
    """Decorate an API view of a visit action (its first argument the visit id) to honour Idempotency-Key."""
    def decorator(view):
        @wraps(view)
        def wrapped(visit_id, *args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None:
                return view(visit_id, *args, **kwargs)
            if not idempotency.valid(key):
                return errors.error(400, _("The Idempotency-Key header must be 8 to 64 letters, digits, - or _."))

            def work():
                resp = _answer(view, (visit_id, *args), kwargs)
                if resp.status_code in NOT_FINAL or resp.status_code >= 500:
                    raise _NotFinal(resp)
                return resp.status_code, resp.get_data(as_text=True)

            try:
                result = idempotency.run(user().id, key, f"api:{action}:{visit_id}", work)
            except _NotFinal as exc:
                return exc.response
            except idempotency.KeyInUse:
                resp = errors.error(409, _("This is being sent already; try again in a moment."))
                resp.headers["Retry-After"] = "1"
                return resp
            except idempotency.KeyMismatch:
                return errors.error(422, _("This Idempotency-Key was used for another action."),
                                    {HEADER: _("This Idempotency-Key was used for another action.")})
            resp = Response(result.body, result.status, mimetype="application/json")
            if result.replayed:
                resp.headers["Idempotent-Replayed"] = "true"
            return resp
        return wrapped
    return decorator
