"""Answering a visit offer on the home page: htmx swaps the home's visits part (templates/home/_visits.html),
where an accepted offer becomes the next visit. The answer is visits.answers.respond, as on the visit page;
without JavaScript the form posts to the visit page's own route (visits.respond)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.rules import NeedNotFound, NotAllowed
from ..rendering import wants_fragment
from ..visits import answers
from ..visits.services import visit_for
from .views import bp
from .visits import visits_part

HELPERS = ("volunteer", "org_member", "org_admin")


@bp.post("/home/visits/<int:visit_id>/answer")
@roles_required(*HELPERS)
def answer_offer(visit_id):
    """Accept or decline an offered visit from the home page; the visits part comes back (htmx)."""
    decision = request.form.get("decision", "")
    error, done = None, None
    try:
        visit_for(current_user, visit_id)  # a visit that is not the user's is not found, whatever was sent
        if decision not in ("accept", "decline"):
            raise InvalidInput({"status": _("Choose to accept or decline the visit.")})
        visit = answers.respond(current_user, visit_id, decision == "accept")
    except NeedNotFound:
        abort(404)
    except InvalidInput as exc:
        db.session.rollback()
        error = str(next(iter(exc.errors.values())))
    except NotAllowed as exc:
        db.session.rollback()
        error = str(exc)
    else:
        if decision == "decline":
            done = _("Declined; the coordinator will find someone else.")
        elif visit.status == "offered":
            done = _("Thank you! The visit is confirmed once the other helpers accept too.")
        else:
            done = _("Thank you! The visit is yours.")
    if not wants_fragment():
        flash(error or done, "error" if error else "success")
        return redirect(url_for("home.index"))
    return render_template("home/_visits.html", done=done, error=error, **visits_part(current_user)), \
        422 if error else 200
