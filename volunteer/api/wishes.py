"""Micro-wishes for donors: claim one (exactly one donor wins), list my claims, give one up. Same services as
the pages."""
from .. import access
from ..wishes import claims, fulfil
from ..wishes.cards import cards_for
from . import errors
from .common import PAGING, ok, page_of, paging, route, user


def _card(wish) -> dict:
    return access.project(cards_for([wish])[0], "wish", "card")


def claim_record(row) -> dict:
    """A claim as its donor sees it: the stage, the times, the thank-you and the wish's blind card."""
    stage = row.wish.status if row.status == "active" else row.status
    return {"id": row.id, "stage": stage, "claimed_at": row.claimed_at, "expires_at": row.expires_at,
            "bought_at": row.bought_at, "delivered_at": row.delivered_at, "delivered_to": row.delivered_to,
            "received_at": row.received_at, "thanks": row.thanks, "wish": _card(row.wish)}


@route("/wishes/<ref>/claim", "POST", endpoint="wish_claim", tag="wishes", response="WishClaim",
       errors=(401, 403, 404, 409),
       params=(("ref", "path", "string", "The wish's ref"),),
       summary="Claim a published wish (volunteers and organisation users). Exactly one claimant wins; "
               "a repeated claim by the winner gives the same claim; everyone else gets 409 with the "
               "message and, beside the error, `next`: the next open wishes")
def claim_wish(ref):
    try:
        row = claims.claim(user(), ref, via="api")
    except claims.ClaimRefused as exc:
        answer = errors.error(409, exc.message).get_json()
        answer["next"] = [access.project(c, "wish", "card") for c in exc.next_cards]
        return ok(answer, 409)
    return ok(claim_record(row))


@route("/my/claims", "GET", endpoint="my_claims", tag="wishes", response="Page[WishClaim]",
       errors=(400, 401), params=PAGING,
       summary="My claims (and my organisation's), newest first, with their stages and thank-yous")
def my_claims():
    page, per_page = paging()
    mine = fulfil.my_claims(user())
    rows = sorted(mine["live"] + mine["history"], key=lambda r: -r.id)
    return page_of([claim_record(r) for r in rows[(page - 1) * per_page: page * per_page]], page, per_page,
                   len(rows))


@route("/my/claims/<int:claim_id>/release", "POST", endpoint="my_claim_release", tag="wishes",
       response="WishClaim", errors=(401, 404, 422),
       params=(("claim_id", "path", "integer", "The claim's id"),),
       summary="Give up my claim made by mistake, before it is marked bought: the wish goes back on the list. "
               "Only the donor who claimed it may; once bought (or ended) it is a 422 saying why")
def release_claim(claim_id):
    return ok(claim_record(claims.release_own(user(), claim_id, via="api")))
