"""Visit actions a phone took without signal and sends later from its outbox (static/js/offline-store.js):
check-in with the phone's fix, check-out, the report. Each request carries an Idempotency-Key header (a
retry gets the first answer, idempotency.py) and the phone's time of the action (recorded_at, ISO 8601),
which the visit services accept within the rules of volunteer/visits/delayed.py.

Answers are JSON: {"ok": true, "message"} or {"ok": false, "message", "errors"} with 422 (refused), 403,
404; 409 while the same key is still being handled; 400 without a usable key.
"""
import json

from flask import Response, request
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.rules import NeedNotFound, NotAllowed
from ..units import day_time
from ..visits import checkin, reports
from ..visits.present import parse_moment
from . import idempotency
from .views import HELPERS, bp

KEY_HEADER = "Idempotency-Key"


def _body(ok: bool, message: str, **extra) -> str:
    return json.dumps({"ok": ok, "message": message, **extra}, ensure_ascii=False)


def _outcome(work) -> tuple[int, str]:
    """Run work(recorded_at) -> message; the status and JSON body of its success or refusal."""
    try:
        message = work(parse_moment(request.form.get("recorded_at"), "recorded_at"))
    except InvalidInput as exc:
        db.session.rollback()
        errors = {k: str(v) for k, v in exc.errors.items()}
        return 422, _body(False, next(iter(errors.values()), ""), errors=errors)
    except NotAllowed as exc:
        db.session.rollback()
        return 403, _body(False, str(exc))
    except NeedNotFound:
        db.session.rollback()
        return 404, _body(False, _("This visit is no longer yours, or it does not exist."))
    return 200, _body(True, message)


def _once(visit_id: int, action: str, work) -> Response:
    """Answer the action once per key: the first answer again for a retry."""
    key = request.headers.get(KEY_HEADER, "")
    if not idempotency.valid(key):
        return Response(_body(False, _("This request has no usable Idempotency-Key header.")), 400,
                        mimetype="application/json")
    try:
        result = idempotency.run(current_user.id, key, f"{action}:{visit_id}", lambda: _outcome(work))
    except idempotency.KeyInUse:
        return Response(_body(False, _("This is being sent already; try again in a moment."), retry=True), 409,
                        mimetype="application/json")
    except idempotency.KeyMismatch:
        return Response(_body(False, _("This Idempotency-Key was used for another action.")), 422,
                        mimetype="application/json")
    resp = Response(result.body, result.status, mimetype="application/json")
    if result.replayed:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp


@bp.post("/offline/visits/<int:visit_id>/checkin")
@roles_required(*HELPERS)
def check_in(visit_id):
    """A check-in taken without signal: the phone's fix and time."""
    f = request.form

    def work(at):
        checkin.check_in(current_user, visit_id, f.get("lat"), f.get("lon"), f.get("accuracy") or None,
                         via="offline", recorded_at=at)
        return _("Your check-in of %(when)s was sent.", when=day_time(at))

    return _once(visit_id, "checkin", work)


@bp.post("/offline/visits/<int:visit_id>/checkout")
@roles_required(*HELPERS)
def check_out(visit_id):
    """A check-out taken without signal, at the phone's time."""
    def work(at):
        checkin.check_out(current_user, visit_id, via="offline", recorded_at=at)
        return _("Your check-out of %(when)s was sent.", when=day_time(at))

    return _once(visit_id, "checkout", work)


@bp.post("/offline/visits/<int:visit_id>/report")
@roles_required(*HELPERS)
def report(visit_id):
    """A visit report filled without signal (with its photos)."""
    f = request.form

    def work(at):
        photos = [(p.filename, p.read()) for p in request.files.getlist("photos") if p and p.filename]
        new_needs = [{"service_type": f.get(f"need_service_{i}", ""), "dimension": f.get(f"need_dimension_{i}", "")}
                     for i in range(reports.MAX_NEW_NEEDS)]
        reports.file_report(current_user, visit_id, f, photos=photos, new_needs=new_needs, via="offline",
                            recorded_at=at)
        return _("Your visit report was sent.")

    return _once(visit_id, "report", work)
