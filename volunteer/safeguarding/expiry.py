"""Expiry reminders: a volunteer hears once, SAFEGUARDING_REMIND_DAYS before a verified check expires.

    remind_expiring(now=None) -> int   # run by the periodic job jobs.safeguarding.remind_expiring
    start() / schedule()              # the self-rescheduling job with a fixed id (tasks/periodic.py)

Once: a conditional UPDATE sets reminded_at where it is still empty, and only the run whose UPDATE took
the row sends; the message's key is unique per check too. A check already renewed (a later verified one
of the kind) or with a new proof waiting for a coordinator is not reminded about.
"""
from datetime import timedelta

from flask_babel import force_locale, gettext as _
from sqlalchemy import select, update

from ..accounts.models import User
from ..extensions import db
from ..types import utcnow
from . import settings
from .models import SafeguardingCheck
from .services import LOCAL

JOB_ID = "safeguarding-expiry"
JOB_FUNC = "jobs.safeguarding.remind_expiring"


def _due(day, soon) -> list[SafeguardingCheck]:
    c = SafeguardingCheck
    rows = db.session.scalars(select(c).where(c.status == "verified", c.reminded_at.is_(None), c.expires_on > day,
                                              c.expires_on <= soon, c.kind.in_(list(settings.kinds())))
                              .order_by(c.id)).all()
    out = []
    for row in rows:
        newer = db.session.scalar(select(c.id).where(
            c.user_id == row.user_id, c.kind == row.kind, c.id != row.id,
            ((c.status == "verified") & (c.expires_on > row.expires_on)) | (c.status == "pending")))
        if newer is None:
            out.append(row)
    return out


def remind_expiring(now=None) -> int:
    """Tell each volunteer whose check expires within SAFEGUARDING_REMIND_DAYS, once; return how many."""
    from ..notifications import channels
    from ..notifications.targets import Target

    now = now or utcnow()
    day = now.astimezone(LOCAL).date()
    soon = day + timedelta(days=int(settings.setting("SAFEGUARDING_REMIND_DAYS")))
    sent = 0
    for row in _due(day, soon):
        c = SafeguardingCheck
        took = db.session.execute(update(c).where(c.id == row.id, c.reminded_at.is_(None)).values(reminded_at=now),
                                  execution_options={"synchronize_session": False}).rowcount
        db.session.commit()
        if took != 1:
            continue  # another run has it
        user = db.session.get(User, row.user_id)
        try:
            with force_locale((user.locale if user else None) or "zh_Hans_CN"):
                title = _("Your %(kind)s expires on %(day)s", kind=settings.label(row.kind),
                          day=row.expires_on.isoformat())
                body = _("Ask the police station for a new one and upload it under My checks, so you can keep "
                         "visiting children.")
            channels.send(row.user_id, "safeguarding", f"safeguarding:{row.id}:expiring", title, body,
                          target=Target("safeguarding", row.id))
        except BaseException:
            # Not sent: let the retry (or the next run) take it again; the message key keeps it to one.
            db.session.rollback()
            db.session.execute(update(c).where(c.id == row.id, c.reminded_at == now).values(reminded_at=None))
            db.session.commit()
            raise
        sent += 1
    return sent


def schedule() -> bool:
    """Schedule the next run (SAFEGUARDING_SWEEP_SECONDS from now) unless one is already scheduled."""
    from ..tasks import periodic

    return periodic.schedule(JOB_ID, JOB_FUNC, timedelta(seconds=int(settings.setting("SAFEGUARDING_SWEEP_SECONDS"))))


def start() -> bool:
    """Start the job now unless it is scheduled, queued or running (when a worker starts)."""
    from ..tasks import periodic

    return periodic.start(JOB_ID, JOB_FUNC)
