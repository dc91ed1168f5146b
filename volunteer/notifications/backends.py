"""Delivery backends for the extra channels (SMS, email): console for development and tests, SMTP, and
Alibaba Cloud or Tencent Cloud SMS (notifications/sms/providers.py).

A backend is a class with `send(address, title, body)`; an SMS backend may also have
`send_template(address, kind, params, title, body)` (notifications/sms: codes go through it). Configure
NOTIFY_SMS_BACKEND / NOTIFY_EMAIL_BACKEND as "console", "smtp" (email only), "aliyun" or "tencent" (SMS
only), or a dotted path "package.module:Class".
"""
import importlib
import sys
import smtplib
from email.message import EmailMessage

from flask import current_app

SENT: list[tuple[str, str, str, str]] = []  # (channel, address, title, body) sent by the console backend


class ConsoleBackend:
    """Writes the message to standard error (and keeps it in SENT): nothing leaves the machine, and
    whoever runs `make run` reads the sign-up codes in its terminal (the app's logger says only warnings)."""

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, address: str, title: str, body: str) -> None:
        SENT.append((self.channel, address, title, body))
        print(f"[{self.channel} to {address}] {title}", file=sys.stderr, flush=True)

    def send_template(self, address: str, kind: str, params: dict, title: str, body: str) -> None:
        """An SMS of a kind (sign-up code, reset code...): the console shows its text."""
        self.send(address, title, body)


class SmtpBackend:
    """Sends email through the SMTP server in MAIL_SERVER / MAIL_PORT (MAIL_FROM as the sender)."""

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, address: str, title: str, body: str) -> None:
        cfg = current_app.config
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = cfg.get("MAIL_FROM", "huhang@localhost"), address, title
        msg.set_content(body or title)
        with smtplib.SMTP(cfg.get("MAIL_SERVER", "localhost"), int(cfg.get("MAIL_PORT", 25)), timeout=20) as smtp:
            smtp.send_message(msg)


NAMED = {"console": ConsoleBackend, "smtp": SmtpBackend,
         "aliyun": "volunteer.notifications.sms.providers:AliyunSms",
         "tencent": "volunteer.notifications.sms.providers:TencentSms"}


def backend(channel: str):
    """The configured backend for a channel."""
    name = current_app.config.get(f"NOTIFY_{channel.upper()}_BACKEND", "console")
    name = NAMED.get(name, name)
    if not isinstance(name, str):
        return name(channel)
    module, _, cls = name.partition(":")
    return getattr(importlib.import_module(module), cls)(channel)
