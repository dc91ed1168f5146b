"""Stock and its ledger: every change of a hub's stock is one keyed movement, in the same transaction.

The guard against negative stock is the database itself: a conditional UPDATE (qty >= n) whose row count
is checked, plus the CHECK constraint qty >= 0. No read-then-write, so concurrent jobs cannot oversell.
"""
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from ..database import atomic
from ..extensions import db
from ..numbers import parse_int
from .models import MOVEMENTS, Hub, Movement, PackKind, Stock

MAX_QTY = 100_000  # one movement; more is a typo


class LogisticsError(ValueError):
    """A request the logistics services refuse; message is for the user."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotEnoughStock(LogisticsError):
    """The hub does not hold that many packs of the kind."""


def parse_qty(value, allow_negative=False) -> int:
    """A whole number of packs, 1..MAX_QTY (or -MAX_QTY..-1 too for adjustments)."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise LogisticsError(_("Enter a whole number of packs."), "qty") from None
    if n == 0 or (n < 0 and not allow_negative):
        raise LogisticsError(_("Enter a number of packs greater than zero."), "qty")
    if abs(n) > MAX_QTY:
        raise LogisticsError(_("At most %(n)s packs in one movement.", n=f"{MAX_QTY:,}"), "qty")
    return n


def _ensure_row(hub_id: int, kind_id: int) -> None:
    exists = db.session.scalar(select(Stock.id).where(Stock.hub_id == hub_id, Stock.kind_id == kind_id))
    if exists is None:
        db.session.execute(insert(Stock).values(hub_id=hub_id, kind_id=kind_id, qty=0))


def change(hub_id: int, kind_id: int, delta: int, movement: str, key: str, *, user_id=None,
           campaign_id=None, note: str = "") -> bool:
    """Apply one movement inside the caller's transaction; False if its key was already applied.

    A negative delta only succeeds when the hub holds at least that many (else NotEnoughStock).
    """
    assert movement in MOVEMENTS
    if db.session.scalar(select(Movement.id).where(Movement.key == key)) is not None:
        return False
    if delta < 0:
        done = db.session.execute(
            update(Stock).where(Stock.hub_id == hub_id, Stock.kind_id == kind_id, Stock.qty >= -delta)
            .values(qty=Stock.qty + delta)).rowcount
        if done != 1:
            raise NotEnoughStock(_("Not enough packs in stock at this hub."), "qty")
    else:
        _ensure_row(hub_id, kind_id)
        db.session.execute(update(Stock).where(Stock.hub_id == hub_id, Stock.kind_id == kind_id)
                           .values(qty=Stock.qty + delta))
    db.session.execute(insert(Movement).values(key=key, hub_id=hub_id, kind_id=kind_id, movement=movement,
                                               delta=delta, user_id=user_id, campaign_id=campaign_id,
                                               note=note[:120]))
    return True


def move(user, hub: Hub, form: dict, key: str) -> int:
    """A person's stock movement from the hub page (in, adjustment or transfer); returns packs moved.

    key (the form's one-time token) makes a double submit count once.
    """
    if not hub.active:
        raise LogisticsError(_("This hub is retired; bring it back into use to record packs."), "movement")
    kind = db.session.get(PackKind, _int(form.get("kind_id"), "kind_id"))
    if kind is None:
        raise LogisticsError(_("Choose a pack kind."), "kind_id")
    movement = form.get("movement") or "in"
    if movement not in ("in", "adjustment", "transfer"):
        raise LogisticsError(_("Choose what happened to the packs."), "movement")
    qty = parse_qty(form.get("qty"), allow_negative=movement == "adjustment")
    note = (form.get("note") or "").strip()[:120]
    target = None
    if movement == "transfer":
        target = db.session.get(Hub, _int(form.get("to_hub_id"), "to_hub_id"))
        if target is None or target.id == hub.id or not target.active:
            raise LogisticsError(_("Choose another hub to send the packs to."), "to_hub_id")
    if not key or len(key) > 40:
        raise LogisticsError(_("The form has expired; please try again."))
    for attempt in range(3):
        try:
            with atomic():
                if movement == "transfer":
                    if change(hub.id, kind.id, -qty, "transfer", f"mv:{key}:out", user_id=user.id, note=note):
                        change(target.id, kind.id, qty, "transfer", f"mv:{key}:in", user_id=user.id, note=note)
                else:
                    change(hub.id, kind.id, qty, movement, f"mv:{key}", user_id=user.id, note=note)
            return abs(qty)
        except IntegrityError:
            # The same form key raced itself (a double click): the first one won.
            if attempt == 2:
                raise
        except OperationalError:
            if attempt == 2:
                raise LogisticsError(_("The stock is busy; please try again in a moment.")) from None
    return abs(qty)


def _int(value, field) -> int:
    return parse_int(value, 0) or 0


def stock_rows(hub_id: int) -> list[tuple[PackKind, int]]:
    """(kind, qty) for every kind, zero included."""
    qty = dict(db.session.execute(select(Stock.kind_id, Stock.qty).where(Stock.hub_id == hub_id)).all())
    kinds = db.session.scalars(select(PackKind).order_by(PackKind.id)).all()
    return [(k, qty.get(k.id, 0)) for k in kinds]


def ledger(hub_id: int, limit: int = 50) -> list[Movement]:
    """The hub's latest movements, newest first."""
    return db.session.scalars(select(Movement).where(Movement.hub_id == hub_id)
                              .order_by(Movement.id.desc()).limit(limit)).all()


def imbalances() -> list[tuple[int, int, int, int]]:
    """(hub, kind, stock, ledger sum) wherever the ledger does not add up to the stock; [] when it balances."""
    sums = dict(((h, k), s) for h, k, s in db.session.execute(
        select(Movement.hub_id, Movement.kind_id, func.sum(Movement.delta))
        .group_by(Movement.hub_id, Movement.kind_id)).all())
    out = []
    for h, k, q in db.session.execute(select(Stock.hub_id, Stock.kind_id, Stock.qty)).all():
        s = int(sums.pop((h, k), 0) or 0)
        if s != q:
            out.append((h, k, q, s))
    out += [(h, k, 0, int(s)) for (h, k), s in sums.items() if s]
    return out
