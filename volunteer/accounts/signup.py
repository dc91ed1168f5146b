"""Sign-up by a code sent to the phone, answering the same whether or not the number has an account.

start_signup keeps the form in signup_request and queues one message: the code by SMS to a new number, or,
when the number already has an account, a note to its owner that someone tried to sign up with it (the
inbox and the channels they chose). The asker sees the same page either way; only the phone's owner can
finish, with the code (confirm_signup).
"""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..extensions import db
from ..types import utcnow
from .models import SignupRequest, User
from .services import AccountError, hash_password, register_volunteer

CODE_MINUTES = 30
MAX_TRIES = 5
WRONG_CODE = _l("This code is wrong or has expired. Check the latest message on your phone, or sign up again.")


def _mac(request_id: int, code: str) -> str:
    return hmac.new(current_app.secret_key.encode(), f"{request_id}:{code}".encode(), hashlib.sha256).hexdigest()


def agreed_notice(version: str | None) -> int:
    """The id of the privacy notice agreed to on the sign-up form (the current one); AccountError when the form
    showed an older version."""
    from ..privacy.services import current

    notice = current()
    if version and version != notice.version:
        raise AccountError(_l("The privacy notice has just changed. Please read it and tick the box again."),
                           "consent")
    return notice.id


def start_signup(phone: str, name: str, password: str, email: str | None = None,
                 locale: str | None = None, notice_id: int | None = None) -> SignupRequest:
    """Keep a sign-up until its code is entered and queue the message to the number; the same for every number.

    notice_id: the privacy notice the person agreed to; the consent is recorded with the account.
    """
    from ..tasks.services import dispatch, record

    email = (email or "").strip().lower() or None
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError(_l("This email address is already registered."), "email")
    db.session.execute(delete(SignupRequest).where(SignupRequest.expires_at < utcnow()))
    req = SignupRequest(phone=phone, name=name.strip(), email=email, password_hash=hash_password(password),
                        locale=locale, tries=0, expires_at=utcnow() + timedelta(minutes=CODE_MINUTES),
                        notice_id=notice_id)
    db.session.add(req)
    db.session.flush()
    job = record("jobs.accounts.send_signup_message", req.id, kind="notify", queue="notifications")
    db.session.commit()
    dispatch(job)
    return req


def send_signup_message(request_id: int) -> str:
    """Send the code to a new number, or tell the number's owner of the attempt; return which ("code", "owner")."""
    from ..notifications.channels import send
    from ..notifications.sms import send_sms
    from ..notifications.targets import Target

    req = db.session.get(SignupRequest, request_id)
    if req is None or req.expires_at < utcnow():
        return "expired"
    owner = db.session.scalar(select(User).where(User.phone == req.phone))
    if owner is not None:
        with force_locale(owner.locale or "zh_Hans_CN"):
            title = _("Someone tried to sign up with your mobile number")
            body = _("Someone tried to create a new Huhang account with your mobile number. Your account is "
                     "unchanged. If it was you, log in instead. If not, you need not do anything.")
        send(owner.id, "security", f"signup-attempt:{req.id}", title, body, target=Target("account"))
        return "owner"
    code = f"{secrets.randbelow(10**6):06d}"
    req.code_hash = _mac(req.id, code)
    db.session.commit()
    with force_locale(req.locale or "zh_Hans_CN"):
        title = _("Your Huhang sign-up code is %(code)s", code=code)
        body = _("Enter %(code)s on the sign-up page within %(n)s minutes. If you did not sign up, ignore this "
                 "message.", code=code, n=CODE_MINUTES)
    send_sms(req.phone, "signup", {"code": code}, title, body)
    return "code"


def pending_phone(request_id: int | None) -> str | None:
    """The number a sign-up in progress is waiting on, or None."""
    req = db.session.get(SignupRequest, request_id) if request_id else None
    return req.phone if req is not None and req.expires_at >= utcnow() else None


def confirm_signup(request_id: int, code: str) -> User:
    """Create the account when code is the one sent to the phone, with the consent given at sign-up; else raise
    AccountError (5 tries)."""
    from ..privacy.services import record_consent

    req = db.session.get(SignupRequest, request_id) if request_id else None
    if req is None or req.expires_at < utcnow() or req.tries >= MAX_TRIES or not req.code_hash:
        raise AccountError(WRONG_CODE, "code")
    if not hmac.compare_digest(req.code_hash, _mac(req.id, (code or "").strip())):
        req.tries += 1
        db.session.commit()
        raise AccountError(WRONG_CODE, "code")
    phone, name, email, password_hash, notice_id = req.phone, req.name, req.email, req.password_hash, req.notice_id
    db.session.delete(req)
    db.session.commit()
    user = register_volunteer(phone, name, password_hash=password_hash, email=email)
    if notice_id:
        record_consent(user.id, notice_id, "signup")
    return user
