"""Login rate limits that slow guessing without locking the owner out of their own phone.

Three limits count login attempts (Flask-Limiter, in Redis): per address (LOGIN_RATE_PER_ADDRESS), per
account and address, or per account and known device (LOGIN_RATE_PER_ACCOUNT_ADDRESS), and per account
from anywhere (LOGIN_RATE_PER_ACCOUNT, at most 100 an hour). A known device holds a signed cookie set at a
successful login for that account; its attempts skip the per-account limit, so someone guessing from
elsewhere cannot lock the owner out of a phone they have used before.
"""
import hashlib
import hmac
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from ..validation import BadPhone, normalise_phone

DEVICE_COOKIE = "hh_device"
DEVICE_DAYS = 365
DEVICE_ACCOUNTS = 5  # a shared family phone remembers this many accounts
SCOPES = ("login-addr", "login-acct-addr", "login-acct")


def _phone() -> str:
    raw = request.form.get("phone", "")
    try:
        return normalise_phone(raw)
    except BadPhone:
        return raw.strip()[:32]


def _tag(phone: str) -> str:
    # The cookie names accounts by a keyed hash, not by their numbers.
    return hmac.new(current_app.secret_key.encode(), phone.encode(), hashlib.sha256).hexdigest()[:16]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="known-device")


def _device() -> dict:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("a"), list) else {}


def known_device() -> bool:
    """Whether this browser has logged in to the account named in the form before."""
    return _tag(_phone()) in _device().get("a", [])


def account_key() -> str:
    """The per-account limit's key."""
    return "acct:" + _phone()


def account_place_key() -> str:
    """The key of the account on this known device, or else of the account at this address."""
    device = _device()
    if _tag(_phone()) in device.get("a", []):
        return f"acct:{_phone()}:dev:{device.get('d', '')}"
    return f"acct:{_phone()}:ip:{request.remote_addr or ''}"


def remember_device(response, phone: str):
    """Mark this browser as a known device of the account (after a successful login)."""
    device = _device()
    tags = [t for t in device.get("a", []) if t != _tag(phone)] + [_tag(phone)]
    value = _serializer().dumps({"d": device.get("d") or secrets.token_urlsafe(12),
                                 "a": tags[-DEVICE_ACCOUNTS:]})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=current_app.config.get("HTTPS", False))
    return response
