"""Codes sent by SMS to reset a password or to confirm a new mobile number (verification_code).

A code has 6 digits, works for 10 minutes and for 5 tries, and only once. It is stored as an HMAC (with
the app's secret), drawn and sent by a job (jobs.accounts.send_code), so asking for one costs the request
the same work whether or not a message goes out. Each try is counted before the code is compared, and the
code is used up by a conditional UPDATE: two requests with the right code cannot both succeed.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from ..extensions import db
from ..types import utcnow
from .models import User, VerificationCode
from .services import AccountError

CODE_MINUTES = 10
MAX_TRIES = 5
KEEP_DAYS = 1  # used and expired codes are deleted a day later
WRONG_CODE = _l("This code is wrong or has expired. Check the latest message on your phone, or ask for a new code.")


def _mac(code_id: int, code: str) -> str:
    key = current_app.secret_key.encode()
    return hmac.new(key, f"verification:{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue(purpose: str, phone: str, user_id: int | None) -> VerificationCode:
    """Void the earlier codes this one replaces, keep a new one and queue its SMS (the job draws the code).

    A reset replaces the number's earlier reset codes; a phone change replaces the user's earlier one.
    """
    from ..tasks.services import dispatch, record

    now = utcnow()
    earlier = VerificationCode.phone == phone if purpose == "reset" else VerificationCode.user_id == user_id
    db.session.execute(update(VerificationCode)
                       .where(VerificationCode.purpose == purpose, earlier, VerificationCode.used_at.is_(None))
                       .values(used_at=now))
    db.session.execute(delete(VerificationCode).where(VerificationCode.expires_at < now - timedelta(days=KEEP_DAYS)))
    # Until the job sends a code, the hash is of nothing anyone holds.
    vc = VerificationCode(purpose=purpose, phone=phone, user_id=user_id, code_hash=secrets.token_hex(32), tries=0,
                          expires_at=now + timedelta(minutes=CODE_MINUTES))
    db.session.add(vc)
    db.session.flush()
    job = record("jobs.accounts.send_code", vc.id, kind="notify", queue="notifications")
    db.session.commit()
    dispatch(job)
    return vc


def _texts(purpose: str, code: str) -> tuple[str, str]:
    if purpose == "reset":
        return (_("Your Huhang password reset code is %(code)s", code=code),
                _("Enter %(code)s within %(n)s minutes to choose a new password. Never tell anyone this code: "
                  "Huhang will never ask you for it. If you did not ask, ignore this message.",
                  code=code, n=CODE_MINUTES))
    return (_("Your Huhang code to add this mobile number is %(code)s", code=code),
            _("Enter %(code)s within %(n)s minutes to make this your account's mobile number. If you did not "
              "ask, ignore this message.", code=code, n=CODE_MINUTES))


def send_code(code_id: int) -> str:
    """Draw a code, keep its HMAC and send it by SMS; "none" when the reset is for a number with no account."""
    from ..notifications.sms import send_sms

    vc = db.session.get(VerificationCode, code_id)
    if vc is None or vc.used_at is not None or vc.expires_at < utcnow():
        return "expired"
    user = db.session.get(User, vc.user_id) if vc.user_id else None
    if user is None:
        return "none"  # nobody to reset: no message (the asker was told the same as everyone)
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.execute(update(VerificationCode).where(VerificationCode.id == vc.id)
                       .values(code_hash=_mac(vc.id, code)))
    db.session.commit()
    with force_locale(user.locale or "zh_Hans_CN"):
        title, body = _texts(vc.purpose, code)
    send_sms(vc.phone, vc.purpose, {"code": code}, title, body)
    return "sent"


def live(purpose: str, phone: str | None = None, user_id: int | None = None) -> VerificationCode | None:
    """The newest code of purpose for phone (or user) that is unused, unexpired and has tries left, or None."""
    query = select(VerificationCode).where(VerificationCode.purpose == purpose, VerificationCode.used_at.is_(None),
                                           VerificationCode.expires_at >= utcnow(),
                                           VerificationCode.tries < MAX_TRIES)
    query = query.where(VerificationCode.phone == phone) if phone else query.where(VerificationCode.user_id == user_id)
    return db.session.scalar(query.order_by(VerificationCode.id.desc()).limit(1))


def check(vc: VerificationCode | None, code: str) -> None:
    """Count a try on vc and raise AccountError unless code is its code (5 tries, then no more)."""
    if vc is None:
        raise AccountError(WRONG_CODE, "code")
    counted = db.session.execute(
        update(VerificationCode)
        .where(VerificationCode.id == vc.id, VerificationCode.tries < MAX_TRIES, VerificationCode.used_at.is_(None),
               VerificationCode.expires_at >= utcnow())
        .values(tries=VerificationCode.tries + 1)).rowcount
    db.session.commit()
    db.session.refresh(vc)
    if not counted or not hmac.compare_digest(vc.code_hash, _mac(vc.id, (code or "").strip())):
        raise AccountError(WRONG_CODE, "code")


def use(vc: VerificationCode) -> bool:
    """Use the code up; False when another request used it first (or it expired meanwhile)."""
    used = db.session.execute(
        update(VerificationCode)
        .where(VerificationCode.id == vc.id, VerificationCode.used_at.is_(None),
               VerificationCode.expires_at >= utcnow())
        .values(used_at=utcnow())).rowcount
    db.session.commit()
    return used == 1
