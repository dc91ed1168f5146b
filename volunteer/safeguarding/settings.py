"""Safeguarding settings, in one place: the check kinds with their validity, where a check is required,
reminders and upload limits. Each is read from the app config, which init() fills from the environment.

    SAFEGUARDING_KINDS        "no_criminal_record:12" (kind:months, space-separated; the kinds a volunteer proves)
    SAFEGUARDING_REQUIRED_FOR "visit camp": "visit" = every visit planned for a child (assign_visit, the
                              auto-assign solver, near-me offers planned into visits); any other word is a
                              service type whose activities need the check at sign-up. "" turns the rule off.
    SAFEGUARDING_REMIND_DAYS  30: the volunteer is reminded once this many days before a check expires
    SAFEGUARDING_SWEEP_SECONDS 21600: how often the reminder job runs
    SAFEGUARDING_MAX_BYTES    5 MB: the largest photo or PDF accepted
"""
import os

from flask import current_app
from flask_babel import lazy_gettext as _l

DEFAULTS = {
    "SAFEGUARDING_KINDS": "no_criminal_record:12",
    "SAFEGUARDING_REQUIRED_FOR": "visit camp",
    "SAFEGUARDING_REMIND_DAYS": 30,
    "SAFEGUARDING_SWEEP_SECONDS": 6 * 3600,
    "SAFEGUARDING_MAX_BYTES": 5 * 1024 * 1024,
}
# Names of the kinds people know; a kind configured without one here shows its code.
LABELS = {
    "no_criminal_record": _l("No-criminal-record certificate"),
    "child_protection": _l("Child-protection training certificate"),
}
VISIT = "visit"


def init(app) -> None:
    """Fill the settings the config does not set from the environment, else the defaults."""
    for name, default in DEFAULTS.items():
        if name not in app.config:
            raw = os.environ.get(name)
            app.config[name] = default if raw is None else (type(default)(raw) if isinstance(default, int) else raw)


def setting(name: str):
    """The configured value of a safeguarding setting, else its default."""
    return current_app.config.get(name, DEFAULTS[name])


def kinds() -> dict[str, int]:
    """{kind: validity in months}, in the order configured."""
    out = {}
    for part in str(setting("SAFEGUARDING_KINDS") or "").replace(",", " ").split():
        kind, _sep, months = part.partition(":")
        if kind:
            out[kind[:24]] = int(months) if months.isdigit() and int(months) > 0 else 12
    return out


def label(kind: str) -> str:
    """A kind's name for people."""
    return str(LABELS.get(kind, kind))


def required_for() -> set[str]:
    """The purposes that need a valid check: "visit" and/or activity service types."""
    return set(str(setting("SAFEGUARDING_REQUIRED_FOR") or "").replace(",", " ").split())


def is_required(purpose: str) -> bool:
    """Whether a purpose ("visit" or an activity's service type) needs every kind verified and unexpired."""
    return bool(purpose) and purpose in required_for() and bool(kinds())
