"""Server-side sessions: a login opens one, logging out ends it, a password change ends the others.

The id in the session and remember cookies is checked against `user_session` on every request, so a
copied cookie stops working once its session is ended. API tokens are separate (api/services.py).
"""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..types import utcnow
from .models import UserSession

# The longest a session can live: the remember cookie's lifetime (Flask-Login's default, 365 days).
MAX_AGE = timedelta(days=365)


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def open_session(user_id: int) -> str:
    """Start a session for the user and return its id (for the cookie); drops the user's expired ones."""
    sid = secrets.token_urlsafe(24)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id,
                                                 UserSession.created_at < utcnow() - MAX_AGE))
    db.session.add(UserSession(id=_key(sid), user_id=user_id))
    db.session.commit()
    return sid


def is_live(user_id: int, sid: str) -> bool:
    """Whether sid is a session of this user that has not been ended."""
    found = db.session.scalar(select(UserSession.user_id).where(UserSession.id == _key(sid)))
    return found == user_id


def end_session(sid: str | None) -> None:
    """End one session (logging out)."""
    if sid:
        db.session.execute(delete(UserSession).where(UserSession.id == _key(sid)))
        db.session.commit()


def end_all_sessions(user_id: int, keep: str | None = None) -> int:
    """End every session of the user except keep; return how many ended. A password change calls this."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep:
        query = query.where(UserSession.id != _key(keep))
    n = db.session.execute(query).rowcount
    db.session.commit()
    return n
