"""Who may drive a run and which runs may still change hands: the rules one-run and bulk assignment share."""
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..validation import BadPhone, normalise_phone
from .stock import LogisticsError

DRIVER_ROLES = ("volunteer", "org_member", "org_admin", "coordinator", "admin")
# A run's state as staff see it: planned (no drop yet), under way (a stop is done), finished (back at the hub).
RUN_STATES = {"planned": _l("Not started"), "under_way": _l("Under way"), "finished": _l("Finished")}
RUN_BADGES = {"planned": "badge-info", "under_way": "badge-warn", "finished": "badge-ok"}


def driver_by_phone(phone_text) -> User:
    """The active account with this mobile number, else a LogisticsError saying what is wrong."""
    if not (phone_text or "").strip():
        raise LogisticsError(_("Enter the driver's mobile number."), "phone")
    try:
        phone = normalise_phone(phone_text)
    except BadPhone as exc:
        raise LogisticsError(_("The driver's number: %(problem)s", problem=str(exc)), "phone") from None
    driver = db.session.scalar(select(User).where(User.phone == phone))
    if driver is None or not driver.active or driver.role not in DRIVER_ROLES:
        raise LogisticsError(_("No active account has this number."), "phone")
    return driver


def run_state(run) -> str:
    """planned, under_way (a stop delivered or missed, not finished) or finished."""
    if run.status != "planned":
        return "finished"
    return "under_way" if any(s.status != "pending" for s in run.stops) else "planned"


def run_name(run) -> str:
    return _("%(hub)s, run %(n)s", hub=run.hub.name, n=run.number)


def refuse_finished(run) -> None:
    """A finished run keeps the driver who drove it."""
    if run.status != "planned":
        raise LogisticsError(_("%(run)s is finished; its driver can no longer change.", run=run_name(run)), "phone")
