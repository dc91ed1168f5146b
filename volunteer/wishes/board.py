"""The live event board: every wish of an event with its stage, counts, and a tally per donor; the QR code
of the claim page for the big screen."""
import segno
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..orgs.models import Organisation
from .cards import cards_for
from .events import event_wishes
from .models import WishClaim

TAKEN = ("claimed", "bought", "delivered", "received")


def donor_label(org_name: str | None, person_name: str | None) -> str:
    """A caring unit by its name; an individual by a first character only (donors are people too)."""
    if org_name:
        return org_name
    return _("Caring individual %(initial)s*", initial=(person_name or "?")[:1])


def board_state(event) -> dict:
    """Cards of the event's wishes (with who claimed each), counts claimed/left and the donor tally."""
    wishes = event_wishes(event.id)
    cards = cards_for(wishes)
    live = {}
    if wishes:
        rows = db.session.execute(
            select(WishClaim.wish_id, WishClaim.org_id, Organisation.name, User.name, WishClaim.donor_id)
            .join(User, User.id == WishClaim.donor_id).outerjoin(Organisation, Organisation.id == WishClaim.org_id)
            .where(WishClaim.wish_id.in_([w.id for w in wishes]), WishClaim.status.in_(("active", "done")))).all()
        live = {r[0]: (("org", r[1]) if r[1] else ("person", r[4]), donor_label(r[2], r[3])) for r in rows}
    tally = {}
    for w, card in zip(wishes, cards):
        if w.status in TAKEN and w.id in live:
            key, label = live[w.id]
            card["donor"] = label
            entry = tally.setdefault(key, {"label": label, "count": 0})
            entry["count"] += 1
    claimed = sum(1 for w in wishes if w.status in TAKEN)
    open_count = sum(1 for w in wishes if w.status == "published")
    return {"event": event, "cards": cards, "claimed": claimed, "left": open_count, "total": len(wishes),
            "tally": sorted(tally.values(), key=lambda t: (-t["count"], t["label"]))}


def qr_svg(url: str, title: str = "") -> Markup:
    """url as a QR code: inline SVG (no inline style, so the CSP allows it), sized by CSS, dark on white
    with its quiet zone, so a phone reads it off a projector."""
    code = segno.make(url, error="m", micro=False)
    # segno draws the data as paths and escapes the title itself: the SVG holds no text of ours unescaped.
    svg = code.svg_inline(omitsize=True, dark="#000", light="#fff", border=4, title=title or None,
                          svgclass="screen-qr-code", lineclass=None)
    return Markup(svg)  # nosec B704
