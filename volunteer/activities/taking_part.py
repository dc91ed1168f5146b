"""Registered children taking part in an activity, chosen by their organiser from the children they may
change (staff whose scope holds the child); organisation admins, who never see children's records, give
only the number of children expected on the activity's form.

    children_of(activity_id) -> [Child]
    add_child(user, activity_id, ref) / remove_child(user, activity_id, ref)
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import access
from ..audit import services as audit
from ..children.models import Child
from ..children.services import get_for_change
from ..extensions import db
from .errors import ActivityError
from .models import ActivityChild
from .services import organised

STAFF_ONLY = _l("Only a coordinator can add registered children; give the number of children expected instead.")
CLOSED = _l("This activity is cancelled: its children can no longer change.")


def children_of(activity_id: int) -> list[Child]:
    """The registered children taking part, in the order they were added."""
    return db.session.scalars(select(Child).join(ActivityChild, ActivityChild.child_id == Child.id)
                              .where(ActivityChild.activity_id == activity_id).order_by(ActivityChild.id)).all()


def _checked(user, activity_id: int, ref: str):
    activity = organised(user, activity_id)
    if access.view_of(user, "child") != "full":
        raise ActivityError(STAFF_ONLY)
    if activity.status == "cancelled":
        raise ActivityError(CLOSED)
    return activity, get_for_change(user, ref)  # ChildNotFound (audited) outside user's scope


def add_child(user, activity_id: int, ref: str) -> Child:
    """Add a child in user's scope to the activity (again: nothing changes)."""
    activity, child = _checked(user, activity_id, ref)
    db.session.add(ActivityChild(activity_id=activity.id, child_id=child.id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # already taking part
        return child
    audit.log(user, "update", "activity", activity.id, reason=f"add child {child.id}", commit=False)
    db.session.commit()
    return child


def remove_child(user, activity_id: int, ref: str) -> Child:
    """Take a child off the activity's list."""
    activity, child = _checked(user, activity_id, ref)
    gone = db.session.execute(delete(ActivityChild).where(ActivityChild.activity_id == activity.id,
                                                          ActivityChild.child_id == child.id)).rowcount
    if gone:
        audit.log(user, "update", "activity", activity.id, reason=f"remove child {child.id}", commit=False)
    db.session.commit()
    return child
