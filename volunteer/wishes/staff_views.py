"""Coordinators' pages: make an event, put wishes on its list, publish it; confirm receipt; pass on thanks."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import staff_required
from ..api.queries import _child_scope
from ..children.models import Child
from ..children.validation import InvalidInput
from ..extensions import db
from ..needs.models import Wish
from ..needs.rules import WishNotFound
from . import events, fulfil
from ..rendering import wants_fragment
from .views import bp, render

STAGES = ("claimed", "bought", "delivered", "received")


def _form() -> dict:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


@bp.route("/wish-events/new", methods=["GET", "POST"])
@staff_required
def new_event():
    """A new care event (name, date, place); wishes are added to its list next."""
    values, errors = {}, {}
    if request.method == "POST":
        values = _form()
        try:
            ev = events.create_event(current_user, values)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("The event is saved as a draft. Now put wishes on its list."), "success")
            return redirect(url_for("wishes.prepare", event_id=ev.id))
    return render("wishes/event_form.html", 422 if errors else 200, values=values, errors=errors)


def _event_for_change(event_id):
    try:
        return events.event_for_change(current_user, event_id)
    except WishNotFound:
        abort(404)


@bp.route("/wish-events/<int:event_id>/wishes", methods=["GET", "POST"])
@staff_required
def prepare(event_id):
    """Choose the wishes (of children in scope) for the event's list."""
    ev = _event_for_change(event_id)
    errors = {}
    if request.method == "POST":
        try:
            n = events.add_wishes(current_user, ev.id, request.form.getlist("wish"))
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("%(n)s wishes were put on the list.", n=n), "success")
            return redirect(url_for("wishes.prepare", event_id=ev.id))
    return render("wishes/prepare.html", 422 if errors else 200, ev=ev, errors=errors,
                  listed=events.event_wishes(ev.id), candidates=events.candidate_wishes(current_user, ev))


@bp.post("/wish-events/<int:event_id>/publish")
@staff_required
def publish(event_id):
    """Publish the event and its draft wishes."""
    ev = _event_for_change(event_id)
    try:
        events.publish_event(current_user, ev.id)
    except InvalidInput as exc:
        flash(str(exc.errors["status"]), "error")
        return redirect(url_for("wishes.prepare", event_id=ev.id))
    flash(_("The event is published: donors can claim its wishes now."), "success")
    return redirect(url_for("wishes.event", event_id=ev.id))


# --- fulfilment --------------------------------------------------------------------------------------

def _rows():
    stmt = _child_scope(select(Wish).join(Child, Child.id == Wish.child_id), current_user)
    if stmt is None:
        return []
    wishes = db.session.scalars(stmt.where(Wish.status.in_(STAGES)).order_by(Wish.updated_at.desc(), Wish.id)
                                .limit(200)).all()
    return [_row(w) for w in wishes]


def _row(wish):
    from .models import WishClaim

    claim = db.session.scalar(select(WishClaim).where(WishClaim.wish_id == wish.id,
                                                      WishClaim.status.in_(("active", "done")))
                              .order_by(WishClaim.id.desc()))
    return {"wish": wish, "claim": claim}


@bp.get("/wishes/fulfilment")
@staff_required
def fulfilment():
    """Claimed wishes of children in scope by stage: confirm receipt with the code, pass on the thanks."""
    return render("wishes/fulfilment.html", rows=_rows())


def _staff_answer(ref, action, field, done):
    try:
        action()
        error = None
    except WishNotFound:
        abort(404)
    except InvalidInput as exc:
        error = exc.errors.get(field) or next(iter(exc.errors.values()))
    wish = db.session.scalar(select(Wish).where(Wish.ref == ref))
    if error or wants_fragment():
        item = _row(wish)
        return render("wishes/fulfilment.html", 422 if error else 200, block="staff_row", rows=[item], item=item,
                      error=error, field=field, done=None if error else done)
    flash(done, "success")
    return redirect(url_for("wishes.fulfilment"))


@bp.post("/wishes/<ref>/receive")
@staff_required
def receive(ref):
    """The child director confirms the gift arrived, with the donor's receipt code."""
    return _staff_answer(ref, lambda: fulfil.confirm_receipt(current_user, ref, request.form.get("code", "")),
                         "code", _("Received: the donor is told. Thank you!"))


@bp.post("/wishes/<ref>/thanks")
@staff_required
def thanks(ref):
    """Pass the child's thank-you to the donor (without anything that identifies the child)."""
    return _staff_answer(ref, lambda: fulfil.send_thanks(current_user, ref, request.form.get("thanks", "")),
                         "thanks", _("The thank-you is sent to the donor."))
