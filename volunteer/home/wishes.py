"""The micro-wish parts of a home: my claims by their next step, and the care events open for claiming.

    claims_part(user) -> {"claim_counts": {step: n}, "claims_total": n, "first_claim": WishClaim | None}
    events_part(user) -> {"events": [{"event", "open"}], "events_total": n}

Claims are wishes.fulfil.my_claims (the list of /my/wishes), events wishes.events.list_events (the list of
/wish-events) and each event's open wishes wishes.cards.open_wishes (its page's cards), so every count
matches the page it links to.
"""
from ..wishes import events, fulfil
from ..wishes.cards import open_wishes

# The donor's next step per wish status of a live claim: buy it, hand it over, wait for the receipt code.
STEPS = ("claimed", "bought", "delivered")
SHOWN_EVENTS = 3
EVENT_PAGE_CARDS = 200  # the event page's open cards (wishes.views.event)


def claims_part(user) -> dict:
    """My live claims counted by step, and the first one (in /my/wishes order) with a step to take."""
    live = fulfil.my_claims(user)["live"]
    counts = {step: sum(1 for row in live if row.wish.status == step) for step in STEPS}
    first = next((row for row in live if row.wish.status in ("claimed", "bought")), None)
    return {"claim_counts": counts, "claims_total": len(live), "first_claim": first}


def events_part(user) -> dict:
    """The care events open for claiming (newest first, the first few), each with its open wishes counted."""
    found = [ev for ev in events.list_events(user) if ev.status == "published"]
    shown = [{"event": ev, "open": len(open_wishes(ev.id, EVENT_PAGE_CARDS))} for ev in found[:SHOWN_EVENTS]]
    return {"events": shown, "events_total": len(found)}
