"""Donors' pages: open wish cards, the one-tap claim, my claims and their steps, events and the live board."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..children.validation import InvalidInput
from ..needs.rules import WishNotFound
from ..needs.services import VOCABULARIES
from . import board as boards, claims, events, fulfil
from .cards import DONOR_ROLES, cards_for, open_wishes
from .models import DESTINATIONS

bp = Blueprint("wishes", __name__)
ALL_ROLES = ("volunteer", "org_member", "org_admin", "coordinator", "admin")
PER_PAGE = 20


def register(app):
    """Register the blueprint (its staff pages live in staff_views.py)."""
    from . import staff_views  # noqa: F401 (adds the staff routes to bp)

    app.register_blueprint(bp)


@bp.app_template_global("blind")
def blind(wish) -> dict:
    """The blind card of a wish, for templates listing claims."""
    return cards_for([wish])[0]


def htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def render(template, status=200, **context):
    context.setdefault("V", VOCABULARIES)
    context.setdefault("destinations", DESTINATIONS)
    context.setdefault("may_claim", current_user.role in DONOR_ROLES)
    context.setdefault("nested", request.form.get("nested") == "1")
    return render_template(template, **context), status


def _int_arg(name):
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 10 ** 9 else None


@bp.get("/wishes")
@roles_required(*ALL_ROLES)
def index():
    """Open micro-wishes as blind cards (the wish, age band, town, category), optionally of one event."""
    event = None
    event_id = _int_arg("event")
    if event_id is not None:
        try:
            event = events.get_event(current_user, event_id)
        except WishNotFound:
            event_id = None
    page = _int_arg("page") or 1
    rows = open_wishes(event.id if event else None, PER_PAGE + 1, (page - 1) * PER_PAGE)
    return render("wishes/index.html", cards=cards_for(rows[:PER_PAGE]), has_more=len(rows) > PER_PAGE,
                  page=page, event=event)


@bp.post("/wishes/<ref>/claim")
@roles_required(*ALL_ROLES)
def claim(ref):
    """One tap: claim the wish. The winner gets the card back as theirs; everyone else a clear refusal
    (409) with the next open wishes."""
    try:
        row = claims.claim(current_user, ref)
    except claims.NotADonor:
        abort(403)
    except WishNotFound:
        abort(404)
    except claims.ClaimRefused as exc:
        context = dict(ref=ref, message=exc.message, next_cards=exc.next_cards)
        if htmx():
            return render("wishes/_claim_refused.html", 409, **context)
        return render("wishes/claim_refused.html", 409, **context)
    if htmx():
        return render("wishes/_claim_won.html", row=row, card=cards_for([row.wish])[0],
                      hours=int(claims.claim_hours()))
    flash(_("The wish is yours. Please buy the gift within %(n)s hours and mark it bought.",
            n=int(claims.claim_hours())), "success")
    return redirect(url_for("wishes.mine"))


# --- my claims --------------------------------------------------------------------------------------

@bp.get("/my/wishes")
@roles_required(*DONOR_ROLES)
def mine():
    """My claims (and my organisation's) by stage, and my history with the children's thank-yous."""
    return render("wishes/mine.html", **fulfil.my_claims(current_user))


def _claim_answer(row, error=None, code=None, done=""):
    card = cards_for([row.wish])[0]
    if htmx():
        return render("wishes/_claim_row.html", 422 if error else 200, row=row, card=card, error=error, code=code)
    if error or code:
        return render("wishes/claim_step.html", 422 if error else 200, row=row, card=card, error=error, code=code)
    flash(done, "success")
    return redirect(url_for("wishes.mine"))


def _step(action, claim_id, *args, done=""):
    try:
        result = action(current_user, claim_id, *args)
    except WishNotFound:
        abort(404)
    except InvalidInput as exc:
        error = next(iter(exc.errors.values()))
        return _claim_answer(fulfil.donor_claim(current_user, claim_id), error=error)
    row, code = result if isinstance(result, tuple) else (result, None)
    return _claim_answer(row, code=code, done=done)


@bp.post("/my/claims/<int:claim_id>/bought")
@roles_required(*DONOR_ROLES)
def bought(claim_id):
    """The donor bought the gift (the claim no longer expires)."""
    return _step(fulfil.mark_bought, claim_id, done=_("Marked bought. Next, take the gift to the town hub "
                                                      "or the child director."))


@bp.post("/my/claims/<int:claim_id>/delivered")
@roles_required(*DONOR_ROLES)
def delivered(claim_id):
    """The donor handed the gift to the town hub or the child director; the receipt code is shown once."""
    return _step(fulfil.mark_delivered, claim_id, request.form.get("destination", ""))


@bp.post("/my/claims/<int:claim_id>/code")
@roles_required(*DONOR_ROLES)
def renew_code(claim_id):
    """A new receipt code (the old one stops working)."""
    return _step(fulfil.renew_code, claim_id)


# --- events and the live board -----------------------------------------------------------------------

@bp.get("/wish-events")
@roles_required(*ALL_ROLES)
def event_list():
    """Care events with micro-wishes (drafts too, for staff)."""
    return render("wishes/events.html", events=events.list_events(current_user),
                  is_staff=current_user.is_staff)


def _event_or_404(event_id):
    try:
        return events.get_event(current_user, event_id)
    except WishNotFound:
        abort(404)


@bp.get("/wish-events/<int:event_id>")
@roles_required(*ALL_ROLES)
def event(event_id):
    """An event: its live board, and for donors its open wishes to claim."""
    ev = _event_or_404(event_id)
    open_cards = cards_for(open_wishes(ev.id, 200)) if ev.status == "published" else []
    return render("wishes/event.html", state=boards.board_state(ev), open_cards=open_cards,
                  is_staff=current_user.is_staff)


@bp.get("/wish-events/<int:event_id>/board")
@roles_required(*ALL_ROLES)
def board(event_id):
    """The live board for the screen at the event; htmx polls it for the fragment every few seconds."""
    ev = _event_or_404(event_id)
    template = "wishes/_board.html" if htmx() else "wishes/board.html"
    return render(template, state=boards.board_state(ev))
