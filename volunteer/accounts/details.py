"""A user changes their own name and email address (the phone changes with a code: E's phone change)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..audit import services as audit
from ..extensions import db
from .models import User
from .services import AccountError


def update_details(user: User, name: str, email: str | None) -> bool:
    """Save the user's name and email (lower-cased, unique); True if anything changed."""
    name, email = (name or "").strip(), (email or "").strip().lower() or None
    changed = [f for f, new in (("name", name), ("email", email)) if getattr(user, f) != new]
    if not changed:
        return False
    if email and db.session.scalar(select(User.id).where(User.email == email, User.id != user.id)):
        raise AccountError(_l("This email address is already registered."), "email")
    db.session.execute(update(User).where(User.id == user.id, User.erased_at.is_(None))
                       .values(name=name, email=email))
    audit.log(user, "update", "account", user.id, reason=",".join(changed), commit=False)
    try:
        db.session.commit()
    except IntegrityError:  # the same address saved by someone else in between
        db.session.rollback()
        raise AccountError(_l("This email address is already registered."), "email") from None
    db.session.refresh(user)
    return True
