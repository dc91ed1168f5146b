"""Reminders 24 h and 2 h before an activity to its confirmed volunteers, on RQ's scheduler, and the sweep
that sends what Redis lost.

    schedule_reminders(signup_id) -> int   # one scheduled job per reminder still ahead (at confirmation)
    remind(signup_id, hours) -> int        # send one reminder if due and not sent; safe to run again
    sweep(now=None) -> {"reminded": n}      # reminders due whose jobs were lost; safe to run again

A reminder is due from HOURS before the start until the next one's time (the 24 h one until 2 h before,
the 2 h one until the start): a late job never sends "tomorrow" an hour before. It goes once: a
conditional UPDATE of the sign-up's reminded_<n>h_at claims it (only while the sign-up is confirmed and
the activity published or closed at the same start), and the message's key names the start, so moving
the start (services.edit clears the marks) reminds again for the new time.
"""
from datetime import timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..notifications import channels
from ..tasks import services as tasks
from ..types import utcnow
from . import notices
from .models import Activity, ActivitySignup

REMIND_FUNC = "jobs.activities.remind"
HOURS = (24, 2)  # largest first
MARKS = {24: "reminded_24h_at", 2: "reminded_2h_at"}
LIVE = ("published", "closed")


def _next(hours: int) -> int:
    """The hours of the reminder after this one (0: the start)."""
    return max((h for h in HOURS if h < hours), default=0)


def due_window(starts_at, hours: int):
    """(from, until) when the reminder of `hours` may go."""
    return starts_at - timedelta(hours=hours), starts_at - timedelta(hours=_next(hours))


def schedule_reminders(signup_id: int, now=None) -> int:
    """Schedule the reminders of a confirmed sign-up that are still ahead; return how many."""
    now = now or utcnow()
    row = db.session.get(ActivitySignup, signup_id)
    activity = db.session.get(Activity, row.activity_id) if row is not None else None
    if activity is None or row.status != "confirmed" or activity.status not in LIVE:
        return 0
    planned = []
    for hours in HOURS:
        at = activity.starts_at - timedelta(hours=hours)
        if at > now:
            planned.append((tasks.record(REMIND_FUNC, row.id, hours, kind="notify", queue="notifications",
                                         subject=f"activity:{activity.id}"), at))
    db.session.commit()
    for rec, at in planned:
        tasks.dispatch(rec, at=at)
    return len(planned)


def remind(signup_id: int, hours: int, now=None) -> int:
    """Send the reminder of `hours` to the sign-up's volunteer if it is due and not sent; 1 if sent."""
    now, hours = now or utcnow(), int(hours)
    row = db.session.get(ActivitySignup, signup_id)
    activity = db.session.get(Activity, row.activity_id) if row is not None and hours in MARKS else None
    if activity is None:
        return 0
    start, mark = activity.starts_at, getattr(ActivitySignup, MARKS[hours])
    lo, hi = due_window(start, hours)
    if not lo <= now < hi:
        return 0
    live = select(Activity.id).where(Activity.id == activity.id, Activity.status.in_(LIVE), Activity.starts_at == start)
    claimed = db.session.execute(update(ActivitySignup).where(
        ActivitySignup.id == row.id, ActivitySignup.status == "confirmed", mark.is_(None),
        ActivitySignup.activity_id.in_(live)).values({MARKS[hours]: now}),
        execution_options={"synchronize_session": False}).rowcount
    if claimed != 1:
        db.session.rollback()
        if getattr(db.session.get(ActivitySignup, signup_id), MARKS[hours]) is not None:
            channels.deliver(row.volunteer_id, notices.reminder_key(activity, hours, row.volunteer_id))  # a retry
        return 0
    notices.tell_reminder(activity.id, row.volunteer_id, hours)  # its inbox message commits the claim
    db.session.commit()
    return 1


def _due(now) -> list[tuple[int, int]]:
    """(sign-up id, hours) of reminders due now and not sent, whose sign-up was confirmed before they were
    due (so a job was scheduled for them)."""
    out = []
    for hours in HOURS:
        # now lies in the reminder's window of the activities starting in (next, hours] from now.
        lo, hi = now + timedelta(hours=hours), now + timedelta(hours=_next(hours))
        mark = getattr(ActivitySignup, MARKS[hours])
        rows = db.session.execute(select(ActivitySignup.id, ActivitySignup.updated_at, Activity.starts_at).join(
            Activity, Activity.id == ActivitySignup.activity_id).where(
            Activity.status.in_(LIVE), Activity.starts_at <= lo, Activity.starts_at > hi,
            ActivitySignup.status == "confirmed", mark.is_(None))).all()
        out += [(i, hours) for i, confirmed, start in rows if confirmed < start - timedelta(hours=hours)]
    return out


def sweep(now=None) -> dict:
    """Send the reminders that are due and were not sent (their jobs lost with Redis); progress in job.meta."""
    now = now or utcnow()
    due = _due(now)
    sent = 0
    for n, (signup_id, hours) in enumerate(due, 1):
        sent += remind(signup_id, hours, now)
        tasks.progress(n, len(due))
    tasks.progress(len(due), len(due))
    return {"reminded": sent}


# --- the periodic sweep job (self-rescheduling, fixed id) ------------------------------------------

SWEEP_ID = "activities-sweep"
SWEEP_FUNC = "jobs.activities.sweep"
SWEEP_SECONDS = 600


def schedule_sweep() -> bool:
    """Schedule the next sweep (ACTIVITY_SWEEP_SECONDS from now) unless one is already scheduled."""
    from flask import current_app

    from ..tasks import periodic

    seconds = int(current_app.config.get("ACTIVITY_SWEEP_SECONDS", SWEEP_SECONDS))
    return periodic.schedule(SWEEP_ID, SWEEP_FUNC, timedelta(seconds=seconds))


def start_sweep() -> bool:
    """Start the sweep now unless it is scheduled, queued or running (when a worker starts)."""
    from ..tasks import periodic

    return periodic.start(SWEEP_ID, SWEEP_FUNC)
