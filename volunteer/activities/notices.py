"""The messages of activities: a waitlisted volunteer got a place; the activity was cancelled, or its time
or place changed; a reminder before it. Each goes to the inbox (and any channel chosen) once per key,
about Target("activity", id)."""
import zlib

from flask_babel import force_locale, gettext as _

from .. import units
from ..accounts.models import User
from ..extensions import db
from ..notifications import channels
from ..notifications.targets import Target
from .models import Activity


def _send(volunteer_id: int, activity_id: int, key: str, title_fn):
    """title_fn(activity) -> (title, body) in the volunteer's language, sent once per key."""
    user, activity = db.session.get(User, volunteer_id), db.session.get(Activity, activity_id)
    if user is None or activity is None:
        return False
    with force_locale(user.locale or "zh_Hans_CN"):
        title, body = title_fn(activity)
    return channels.send(user.id, "activity", key, title, body, target=Target("activity", activity_id))


def tell_promoted(activity_id: int, volunteer_id: int) -> bool:
    """Tell a waitlisted volunteer they now have a place; once."""
    return _send(volunteer_id, activity_id, f"activity:{activity_id}:promoted:{volunteer_id}",
                 lambda a: (_("You have a place in \"%(title)s\"", title=a.title),
                            _("Someone cancelled, so you moved up from the waitlist. See you there!")))


def tell_cancelled(activity_id: int, volunteer_id: int) -> bool:
    """Tell a signed-up volunteer the activity was cancelled; once."""
    return _send(volunteer_id, activity_id, f"activity:{activity_id}:cancelled:{volunteer_id}",
                 lambda a: (_("\"%(title)s\" was cancelled", title=a.title),
                            _("The organiser cancelled this activity. Your sign-up is void; thank you all the "
                              "same.")))


def reminder_key(activity, hours: int, volunteer_id: int) -> str:
    """The key of a reminder: per hours, volunteer and start (a moved start reminds again)."""
    return f"activity:{activity.id}:remind:{hours}:{volunteer_id}:{int(activity.starts_at.timestamp())}"


def tell_reminder(activity_id: int, volunteer_id: int, hours: int) -> bool:
    """Remind a confirmed volunteer of the activity, hours before it; once per start."""
    activity = db.session.get(Activity, activity_id)
    return _send(volunteer_id, activity_id, reminder_key(activity, hours, volunteer_id),
                 lambda a: (_("\"%(title)s\" starts in about %(time)s", title=a.title, time=units.hours(hours)),
                            _("%(when)s at %(venue)s. Sign in when you arrive; if you cannot come, please tell the "
                              "organiser.", when=units.day_time(a.starts_at), venue=a.venue)))


def tell_changed(activity_id: int, volunteer_id: int) -> bool:
    """Tell a signed-up volunteer the activity's time or place changed; once per new time and place."""
    activity = db.session.get(Activity, activity_id)
    stamp = f"{int(activity.starts_at.timestamp())}:{zlib.crc32(activity.venue.encode())}"
    return _send(volunteer_id, activity_id, f"activity:{activity_id}:changed:{volunteer_id}:{stamp}",
                 lambda a: (_("\"%(title)s\" has a new time or place", title=a.title),
                            _("Now %(when)s at %(venue)s.", when=units.day_time(a.starts_at), venue=a.venue)))
