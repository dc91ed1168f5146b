"""Donors' pages: open wish cards, the one-tap claim, my claims and their steps, events and the live board."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..children.validation import InvalidInput
from ..needs.rules import WishNotFound
from ..needs.services import VOCABULARIES
from ..numbers import parse_int
from ..rendering import render as render_page, wants_fragment
from . import board as boards, claims, events, fulfil
from .cards import DONOR_ROLES, cards_for, open_wishes
from .models import DESTINATIONS

bp = Blueprint("wishes", __name__)
ALL_ROLES = ("volunteer", "org_member", "org_admin", "coordinator", "admin")
PER_PAGE = 20
# Badge colour per stage of a wish or claim: waiting on the donor (warn), on its way (info), done (ok), ended (muted).
WISH_BADGES = {"draft": "badge-muted", "published": "badge-info", "claimed": "badge-warn", "bought": "badge-info",
               "delivered": "badge-info", "received": "badge-ok", "done": "badge-ok", "released": "badge-muted",
               "cancelled": "badge-muted"}


def register(app):
    """Register the blueprint (its staff pages live in staff_views.py)."""
    from . import staff_views  # noqa: F401 (adds the staff routes to bp)

    app.register_blueprint(bp)


@bp.app_template_global("blind")
def blind(wish) -> dict:
    """The blind card of a wish, for templates listing claims."""
    return cards_for([wish])[0]


def render(template, status=200, block=None, **context):
    """A wishes page (or, for htmx, its block) with the vocabularies every wishes template uses."""
    context.setdefault("V", VOCABULARIES)
    context.setdefault("destinations", DESTINATIONS)
    context.setdefault("may_claim", current_user.role in DONOR_ROLES)
    context.setdefault("nested", request.form.get("nested") == "1")
    context.setdefault("wish_badges", WISH_BADGES)
    return render_page(template, block=block, **context), status


def _int_arg(name):
    return parse_int(request.args.get(name), 1)


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
        return render("wishes/claim_refused.html", 409, block="refused", ref=ref, message=exc.message,
                      next_cards=exc.next_cards)
    if wants_fragment():  # the won card in place of the one tapped; without htmx, my claims with a message
        context = dict(row=row, card=cards_for([row.wish])[0], hours=int(claims.claim_hours()),
                       nested=request.form.get("nested") == "1")
        return render_template("wishes/_claim_won.html", **context)
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
    if error or code or wants_fragment():
        return render("wishes/claim_step.html", 422 if error else 200, block="claim", row=row,
                      card=cards_for([row.wish])[0], error=error, code=code)
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


@bp.post("/my/claims/<int:claim_id>/release")
@roles_required(*DONOR_ROLES)
def release(claim_id):
    """The donor gives up a claim made by mistake (before it is bought): the wish is back on the board."""
    return _step(claims.release_own, claim_id, done=_("You gave the wish up: it is back on the list for "
                                                      "other donors."))


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
    """The live board for the screen at the event; htmx polls it for the fragment every few seconds.
    ?screen=1: the big-screen mode for a projector, with a QR code of the claim page for phones."""
    ev = _event_or_404(event_id)
    state = boards.board_state(ev)
    if request.args.get("screen") == "1":
        if wants_fragment():
            return render("wishes/screen.html", block="live", state=state)
        claim_url = url_for("wishes.event", event_id=ev.id, _external=True,
                            _scheme="https" if current_app.config.get("HTTPS") else None)
        return render("wishes/screen.html", state=state, claim_url=claim_url,
                      qr=boards.qr_svg(claim_url, _("Scan to claim a wish")))
    return render("wishes/board.html", block="board", state=state, compact=request.args.get("compact") == "1")
