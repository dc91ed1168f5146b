"""Job status for progress bars (a page, or the fragment htmx polls); failed jobs with a retry button."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..access import staff_required
from ..rendering import render
from .models import KINDS
from .services import failed_count, failed_for, get_for, retry

bp = Blueprint("tasks", __name__, url_prefix="/jobs")

# What a stored error (an exception's class name, or the queue's verdict) means, for the failed-jobs page.
WHAT_HAPPENED = {
    "lost": _l("The job queue lost it, for example when the server restarted."),
    "rq: failed": _l("The worker running it stopped before it finished, for example after a restart."),
    "rq: stopped": _l("It was stopped before it finished."),
    "rq: canceled": _l("It was cancelled before it finished."),
    "JobTimeoutException": _l("It took too long and was stopped."),
}


def what_happened(error: str) -> str:
    """A failed job's error in plain words (the stored name stays for staff in a folded detail)."""
    return str(WHAT_HAPPENED.get(error or "", _l("It stopped with an error.")))


@bp.get("/failed")
@staff_required
def failed():
    """Background jobs that failed (after their retries), newest first, each with a retry button."""
    return render_template("tasks/failed.html", jobs=failed_for(current_user), total=failed_count(current_user),
                           kinds=KINDS, what_happened=what_happened)


@bp.post("/<rq_id>/retry")
@staff_required
def retry_job(rq_id):
    """Run a failed job again (a new run of the same job; it is safe to run twice)."""
    rec = get_for(rq_id, current_user)
    if rec is None or rec.status != "failed":
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
    return render("tasks/job.html", block="progress", job=rec)
