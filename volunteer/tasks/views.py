"""Job status for progress bars: a page, or the fragment htmx polls."""
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from .services import get_for

bp = Blueprint("tasks", __name__, url_prefix="/jobs")


@bp.get("/<rq_id>")
@login_required
def status(rq_id):
    """Show one job's progress (fragment for htmx polling)."""
    rec = get_for(rq_id, current_user)
    if rec is None:
        abort(404)
    from flask import request

    tpl = "tasks/_progress.html" if request.headers.get("HX-Request") else "tasks/job.html"
    return render_template(tpl, job=rec)
