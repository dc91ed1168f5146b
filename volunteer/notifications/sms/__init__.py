"""One way to send an SMS: a kind of message, its template parameters and its text, through one backend.

    send_sms(phone, kind, params, title, body="")

kind is one of KINDS; params are the template's variables ({"code": "123456"} or {"title": ...}).
Template providers (aliyun, tencent: providers.py) send the template configured for the kind with the
params; the console backend, and any plain backend with only send(address, title, body), gets the text.
"""
from ..backends import backend

# The kinds of message and the variables of their templates, in the order Tencent's templates number them.
KINDS = {"signup": ("code",), "reset": ("code",), "phone": ("code",), "notify": ("title",)}


class SmsFailed(RuntimeError):
    """The provider refused or could not take the message (the job fails and is tried again)."""


def send_sms(phone: str, kind: str, params: dict, title: str, body: str = "") -> None:
    """Send one SMS of a kind to phone (E.164) through the configured SMS backend."""
    if kind not in KINDS:
        raise ValueError(f"unknown SMS kind {kind!r}")
    sender = backend("sms")
    if hasattr(sender, "send_template"):
        sender.send_template(phone, kind, params, title, body)
    else:
        sender.send(phone, title, body)
