"""Checks pages: a volunteer's /my/checks (state and upload), staff's /checks (verify or reject), the files.

Files are answered only to their owner and to staff whose scope holds the person (else 404, the same as a
missing check), never cached, never sniffed: photos inline, PDFs as a download.
"""
from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import User
from ..access import STAFF, roles_required, staff_required
from ..children.validation import InvalidInput
from ..errors import render_error
from ..extensions import db
from ..needs.rules import NotAllowed
from ..needs.models import SERVICE_TYPES
from ..numbers import parse_int
from ..rendering import render, wants_fragment
from ..validation import display_phone
from . import files, proofs, settings
from .forms import RejectForm, VerifyForm
from .services import local_day, today

bp = Blueprint("safeguarding", __name__)


def register(app) -> None:
    """Read the settings from the environment and add the pages."""
    settings.init(app)
    app.register_blueprint(bp)


@bp.errorhandler(proofs.CheckNotFound)
def _not_found(_exc):
    return render_error(404)


@bp.app_template_filter("check_day")
def check_day(moment) -> str:
    """An aware time as its Qingdao day (2026-05-01)."""
    return local_day(moment).isoformat() if moment else ""


# --- the volunteer -----------------------------------------------------------------------------------

def _mine_page(errors=None, status=200):
    types = sorted(settings.required_for() - {settings.VISIT})
    return render("safeguarding/mine.html", rows=proofs.mine(current_user), errors=errors or {},
                  accept=files.ACCEPT_ATTR, max_mb=files.max_mb(), visits=settings.is_required(settings.VISIT),
                  activity_types=[str(SERVICE_TYPES.get(t, t)) for t in types]), status


@bp.get("/my/checks")
@roles_required(*proofs.UPLOADERS)
def mine():
    """The state of each check the volunteer needs, and an upload form for each."""
    return _mine_page()


@bp.post("/my/checks/<kind>")
@roles_required(*proofs.UPLOADERS)
def upload(kind):
    """Upload a photo or PDF of a check; it waits for a coordinator's verification."""
    if kind not in settings.kinds():
        abort(404)
    sent = request.files.get("file")
    data = sent.stream.read(int(settings.setting("SAFEGUARDING_MAX_BYTES")) + 1) if sent else b""
    try:
        proofs.upload(current_user, kind, sent.filename if sent else "", data)
    except InvalidInput as exc:
        return _mine_page({kind: exc.errors.get("file") or next(iter(exc.errors.values()))}, 422)
    flash(_("Uploaded. A coordinator will check it soon; you will see the result here."), "success")
    return redirect(url_for("safeguarding.mine", _anchor=f"check-{kind}"))


@bp.get("/checks/<int:check_id>/file")
@roles_required(*proofs.UPLOADERS, *STAFF)
def file(check_id):
    """A check's photo or PDF: its owner and staff in scope only."""
    path, content_type = proofs.file_for(current_user, check_id)
    pdf = content_type == "application/pdf"
    resp = send_file(path, mimetype=content_type, conditional=False, etag=False, last_modified=None, max_age=None,
                     as_attachment=pdf, download_name=f"check-{check_id}.{'pdf' if pdf else 'jpg'}")
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    if not pdf:
        resp.headers["Content-Disposition"] = "inline"
    return resp


# --- staff ---------------------------------------------------------------------------------------------

def _filters() -> dict:
    status = request.values.get("status", "pending")
    return {"status": status if status in proofs.FILTERS else "pending", "q": (request.values.get("q") or "")[:40],
            "page": parse_int(request.values.get("page"), 1, 10_000) or 1}


@bp.get("/checks")
@staff_required
def staff_list():
    """Checks of people in the coordinator's area: pending ones first; filter by state, name or phone."""
    f = _filters()
    rows, total = proofs.for_staff(current_user, **f)
    pages = max(1, -(-total // proofs.PER_PAGE))
    return render("safeguarding/staff.html", block="results", rows=rows, total=total, f=f, pages=pages,
                  page=min(f["page"], pages), labels={k: settings.label(k) for k in settings.kinds()},
                  display_phone=display_phone, today=today(), errors={}, state_of=proofs.row_state)


def _card(row) -> tuple:
    """(check, name, phone) as the list's rows are."""
    user = db.session.get(User, row.user_id)
    return row, user.name if user else "", user.phone if user else ""


def _answer(check_id, action, error=None):
    if wants_fragment():
        row = proofs.check_for(current_user, check_id)
        return render("safeguarding/staff.html", block="card", row=_card(row),
                      errors={action: error} if error else {}, labels={k: settings.label(k) for k in settings.kinds()},
                      display_phone=display_phone, today=today(), state_of=proofs.row_state), 422 if error else 200
    if error:
        flash(str(error), "error")
    return redirect(url_for("safeguarding.staff_list", _anchor=f"check-{check_id}"))


@bp.post("/checks/<int:check_id>/verify")
@staff_required
def verify(check_id):
    """Verify a pending check with the date on the certificate."""
    form = VerifyForm()
    if not form.validate():
        proofs.check_for(current_user, check_id)  # a missing or out-of-scope check answers 404 first
        return _answer(check_id, "verify", form.issued_on.errors[0])
    try:
        proofs.verify(current_user, check_id, form.issued_on.data)
    except (InvalidInput, NotAllowed) as exc:
        return _answer(check_id, "verify", _message(exc))
    if not wants_fragment():
        flash(_("Verified."), "success")
    return _answer(check_id, "verify")


@bp.post("/checks/<int:check_id>/reject")
@staff_required
def reject(check_id):
    """Reject a pending check with a reason the volunteer reads."""
    form = RejectForm()
    if not form.validate():
        proofs.check_for(current_user, check_id)
        return _answer(check_id, "reject", form.reason.errors[0])
    try:
        proofs.reject(current_user, check_id, form.reason.data)
    except (InvalidInput, NotAllowed) as exc:
        return _answer(check_id, "reject", _message(exc))
    if not wants_fragment():
        flash(_("Not accepted; the volunteer sees your reason."), "success")
    return _answer(check_id, "reject")


def _message(exc) -> str:
    if isinstance(exc, InvalidInput):
        return "; ".join(str(v) for v in exc.errors.values())
    return str(exc)
