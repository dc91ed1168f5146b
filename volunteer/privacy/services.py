"""The privacy notice's versions and each user's consent to them (PIPL).

The current notice is the newest published. A database without one gets version 1 from the texts shipped
in notices/ the first time one is asked for, so a fresh install, the demo and the test app always have one.
"""
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..extensions import db
from .models import PrivacyConsent, PrivacyNotice

NOTICES = Path(__file__).with_name("notices")
FIRST_VERSION = "1"
VIA = {"signup": _l("when signing up"), "login": _l("when logging in")}


class PrivacyError(ValueError):
    """A notice that cannot be published as asked."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def shipped_text(version: str = FIRST_VERSION) -> tuple[str, str]:
    """The Chinese and English texts of a version shipped with the app."""
    return ((NOTICES / f"{version}.zh.md").read_text(encoding="utf-8"),
            (NOTICES / f"{version}.en.md").read_text(encoding="utf-8"))


def publish(version: str, text_zh: str, text_en: str) -> PrivacyNotice:
    """Publish a new version of the notice; it becomes the current one, and users are asked again at login."""
    version, text_zh, text_en = (version or "").strip(), (text_zh or "").strip(), (text_en or "").strip()
    if not version or len(version) > 20:
        raise PrivacyError(_l("Give the version a name of 1 to 20 characters."))
    if not text_zh or not text_en:
        raise PrivacyError(_l("The notice needs both its Chinese and its English text."))
    notice = PrivacyNotice(version=version, text_zh=text_zh, text_en=text_en)
    try:
        with db.session.begin_nested():
            db.session.add(notice)
    except IntegrityError:
        raise PrivacyError(_l("Version %(version)s is already published.", version=version)) from None
    db.session.commit()
    return notice


def current() -> PrivacyNotice:
    """The notice users must accept now: the newest published (version 1 is published on first use)."""
    notice = db.session.scalar(select(PrivacyNotice)
                               .order_by(PrivacyNotice.published_at.desc(), PrivacyNotice.id.desc()).limit(1))
    if notice is not None:
        return notice
    try:
        return publish(FIRST_VERSION, *shipped_text())
    except PrivacyError:  # another request published it first
        return db.session.scalar(select(PrivacyNotice).where(PrivacyNotice.version == FIRST_VERSION))


def by_version(version: str) -> PrivacyNotice | None:
    """A published version of the notice, or None."""
    current()
    return db.session.scalar(select(PrivacyNotice).where(PrivacyNotice.version == version))


def versions() -> list[PrivacyNotice]:
    """Every published version, newest first."""
    current()
    return list(db.session.scalars(select(PrivacyNotice)
                                   .order_by(PrivacyNotice.published_at.desc(), PrivacyNotice.id.desc())))


def record_consent(user_id: int, notice_id: int, via: str) -> PrivacyConsent:
    """Keep a user's consent to one version: who, which, when, and where it was given."""
    consent = PrivacyConsent(user_id=user_id, notice_id=notice_id, via=via)
    db.session.add(consent)
    db.session.commit()
    return consent


def due(user_id: int) -> PrivacyNotice | None:
    """The current notice when the user's newest consent is to another version (or there is none), else None."""
    notice = current()
    newest = db.session.scalar(select(PrivacyConsent.notice_id).where(PrivacyConsent.user_id == user_id)
                               .order_by(PrivacyConsent.given_at.desc(), PrivacyConsent.id.desc()).limit(1))
    return None if newest == notice.id else notice


def history(user_id: int) -> list[tuple[PrivacyConsent, str]]:
    """A user's consents, newest first, each with the version it was to."""
    rows = db.session.execute(
        select(PrivacyConsent, PrivacyNotice.version).join(PrivacyNotice, PrivacyNotice.id == PrivacyConsent.notice_id)
        .where(PrivacyConsent.user_id == user_id)
        .order_by(PrivacyConsent.given_at.desc(), PrivacyConsent.id.desc()))
    return [(consent, version) for consent, version in rows]


def consent_everyone(among=None, via: str = "signup") -> int:
    """Record consent to the current notice for every user (among a select of user ids, e.g. the demo's) who
    has given none; return how many."""
    notice = current()
    query = select(User.id).where(User.id.not_in(select(PrivacyConsent.user_id)))
    ids = db.session.scalars(query.where(User.id.in_(among)) if among is not None else query).all()
    if ids:
        db.session.execute(insert(PrivacyConsent),
                           [{"user_id": uid, "notice_id": notice.id, "via": via} for uid in ids])
    db.session.commit()
    return len(ids)


def blocks(text: str) -> list[tuple[str, object]]:
    """The notice's plain text as blocks to show: ("h", heading), ("p", paragraph) and ("ul", [items])."""
    out: list[tuple[str, object]] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("## "):
            out.append(("h", line[3:].strip()))
        elif line.startswith("- "):
            if out and out[-1][0] == "ul":
                out[-1][1].append(line[2:].strip())
            else:
                out.append(("ul", [line[2:].strip()]))
        else:
            out.append(("p", line))
    return out
