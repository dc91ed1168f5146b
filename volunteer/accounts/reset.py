"""A forgotten password, reset with a code sent by SMS to the account's number.

start_reset answers the same for every number (a registered one gets the code, others nothing) and does
the same work for each; finish_reset sets the new password once the code is right, and every session of
the account ends. Nothing secret is logged: the audit trail says that a reset happened, not how.
"""
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from . import codes
from .models import User
from .passwords import weakness
from .services import AccountError, change_password


def start_reset(phone: str) -> None:
    """Send a reset code to phone (E.164) if an active account has it; the caller cannot tell which."""
    user_id = db.session.scalar(select(User.id).where(User.phone == phone, User.active.is_(True)))
    codes.issue("reset", phone, user_id)


def finish_reset(phone: str, code: str, password: str) -> User:
    """Set a new password when code is the one sent to phone; end every session; raise AccountError if not."""
    from ..audit.services import log

    vc = codes.live("reset", phone=phone)
    codes.check(vc, code)
    user = db.session.get(User, vc.user_id) if vc.user_id else None
    if user is None:
        raise AccountError(codes.WRONG_CODE, "code")
    problem = weakness(password, user.phone, user.name)
    if problem:
        raise AccountError(problem, "password")
    if not codes.use(vc):
        raise AccountError(codes.WRONG_CODE, "code")
    change_password(user, password)  # keeps no session: every phone and computer logs in again
    log(user, "update", "user", user.id, reason="password reset with an SMS code")
    _tell(user)
    return user


def _tell(user: User) -> None:
    from ..notifications.services import notify
    from ..notifications.targets import Target
    from ..types import utcnow

    with force_locale(user.locale or "zh_Hans_CN"):
        title = _("Your password was reset")
        body = _("Your Huhang password was reset with a code sent to your mobile number, and you were logged out "
                 "everywhere. If it was not you, reset it again at once and tell your coordinator.")
    notify(user.id, "security", f"password-reset:{utcnow().isoformat()}", title, body, target=Target("account"))
