"""Personal API tokens: issue, list, revoke, authenticate. Only a token's SHA-256 is stored."""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..children.validation import InvalidInput
from ..database import atomic
from ..extensions import db
from ..types import utcnow
from ..validation import _bad_char
from .models import ApiToken

PREFIX = "hh_"
SHOWN = 10  # characters of the plaintext kept to tell tokens apart (e.g. "hh_Ab12Cd3")
TOUCH_EVERY = timedelta(minutes=1)
MAX_LIVE = 10  # tokens a user may hold that are not revoked


class TooManyTokens(Exception):
    """The user already holds MAX_LIVE live tokens."""

    def __init__(self):
        super().__init__(_l("You already have %(n)s tokens that work, the most allowed. Revoke one you no "
                            "longer need, then create the new one.", n=MAX_LIVE))


class TokenNotFound(LookupError):
    """No such token, or not one this user may revoke."""


def digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _clean_name(name) -> str:
    name = ("" if name is None else str(name)).strip()
    if not name:
        raise InvalidInput({"name": _l("This field is required.")})
    if len(name) > 60:
        raise InvalidInput({"name": _l("Use at most %(n)s characters.", n=60)})
    if any(_bad_char(ch) for ch in name):
        raise InvalidInput({"name": _l("Please use only letters, numbers and ordinary punctuation "
                                       "(no emoji, symbols or markup such as < >).")})
    return name


def issue_token(user, name) -> tuple[ApiToken, str]:
    """Create a token for user; the plaintext is returned once and never stored. TooManyTokens when
    the user already holds MAX_LIVE live ones (counted under the user's row lock, so racing requests
    cannot pass the limit together)."""
    name = _clean_name(name)
    plaintext = PREFIX + secrets.token_urlsafe(32)
    user_id = user.id
    with atomic():
        db.session.scalar(select(User.id).where(User.id == user_id).with_for_update())
        if live_count(user_id) >= MAX_LIVE:
            raise TooManyTokens()
        token = ApiToken(user_id=user_id, name=name, token_hash=digest(plaintext), prefix=plaintext[:SHOWN])
        db.session.add(token)
    return token, plaintext


def live_count(user_id: int) -> int:
    """How many of a user's tokens are not revoked."""
    return db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user_id,
                                                                   ApiToken.revoked_at.is_(None)))


def tokens_of(user) -> list[ApiToken]:
    """user's tokens, newest first (revoked ones included, marked by revoked_at)."""
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.id.desc())).all()


def revoke_token(user, token_id) -> ApiToken:
    """Revoke one of user's own tokens (admins: anyone's); TokenNotFound otherwise."""
    token = db.session.get(ApiToken, token_id) if isinstance(token_id, int) else None
    if token is None or (token.user_id != user.id and user.role != "admin"):
        raise TokenNotFound(token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


def authenticate(plaintext) -> User | None:
    """The active user a live token belongs to, or None."""
    if not isinstance(plaintext, str) or not plaintext.startswith(PREFIX) or len(plaintext) > 100:
        return None
    wanted = digest(plaintext)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    # The lookup is by hash, so timing says nothing about the plaintext; compare once more anyway.
    if token is None or not hmac.compare_digest(token.token_hash, wanted) or token.revoked_at is not None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return user
