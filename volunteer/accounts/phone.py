"""Changing one's mobile number: a code to the new number, then the code and the current password.

The flow is the same whether or not the new number belongs to another account; only after the right code
(so only to whoever holds that phone) is a taken number refused. Audited either way.
"""
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from ..extensions import db
from . import codes
from .models import User, VerificationCode
from .services import AccountError

TAKEN = _l("This mobile number belongs to another Huhang account, so it cannot become yours. Log in to that "
           "account instead, or ask your coordinator for help.")


def start_phone_change(user: User, phone: str) -> VerificationCode:
    """Send a code to the new number phone (E.164) for user."""
    if phone == user.phone:
        raise AccountError(_l("This is already your mobile number."), "phone")
    return codes.issue("phone", phone, user.id)


def pending(user: User) -> VerificationCode | None:
    """The user's phone change waiting for its code, or None."""
    return codes.live("phone", user_id=user.id)


def finish_phone_change(user: User, code: str, password: str) -> str:
    """Move the account to the new number once the code and the password are right; return the new number."""
    from ..audit.services import log

    if not check_password_hash(user.password_hash, password or ""):
        raise AccountError(_l("Your current password is wrong."), "current")
    vc = pending(user)
    codes.check(vc, code)
    if not codes.use(vc):
        raise AccountError(codes.WRONG_CODE, "code")
    old = user.phone
    moved = 0
    if not db.session.scalar(select(User.id).where(User.phone == vc.phone)):
        try:
            moved = db.session.execute(update(User).where(User.id == user.id, User.phone == old)
                                       .values(phone=vc.phone)).rowcount
            db.session.commit()
        except IntegrityError:  # taken by a sign-up in between: the unique number decides
            db.session.rollback()
    if not moved:
        log(user, "deny", "user", user.id, reason="phone change refused: number taken")
        raise AccountError(TAKEN)
    db.session.refresh(user)
    log(user, "update", "user", user.id, reason="phone number changed with an SMS code")
    _tell(user)
    return user.phone


def _tell(user: User) -> None:
    from ..notifications.services import notify
    from ..notifications.targets import Target
    from ..types import utcnow
    from ..validation import display_phone

    with force_locale(user.locale or "zh_Hans_CN"):
        title = _("Your mobile number was changed")
        body = _("You now log in with %(phone)s, and text messages go to it. If it was not you, tell your "
                 "coordinator at once.", phone=display_phone(user.phone))
    notify(user.id, "security", f"phone-changed:{utcnow().isoformat()}", title, body, target=Target("account"))
