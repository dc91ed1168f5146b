"""Job status for progress bars (a page, or the fragment htmx polls); failed jobs with a retry button."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import staff_required
from .services import _subject_in_scope, failed_for, get_for, retry

bp = Blueprint("tasks", __name__, url_prefix="/jobs")


@bp.get("/failed")
@staff_required
def failed():
    """Background jobs that failed (after their retries), newest first, each with a retry button."""
    return render_template("tasks/failed.html", jobs=failed_for(current_user))


@bp.post("/<rq_id>/retry")
@staff_required
def retry_job(rq_id):
    """Run a failed job again (a new run of the same job; it is safe to run twice)."""
    rec = get_for(rq_id, current_user)
    if rec is None or rec.status != "failed" or not _subject_in_scope(current_user, rec.subject):
        abort(404)
    retry(rec)
    flash(_("The job was started again."), "success")
    return redirect(url_for("tasks.failed"))


@bp.get("/<rq_id>")
@login_required
def status(rq_id):
    """Show one job's progress (fragment for htmx polling)."""
    rec = get_for(rq_id, current_user)
    if rec is None:
        abort(404)
    tpl = "tasks/_progress.html" if request.headers.get("HX-Request") else "tasks/job.html"
    return render_template(tpl, job=rec)
