"""Service certificates (志愿服务证明): a volunteer's approved hours in a period, issued as a numbered record.

    period(choice, start, end, today) -> (first, last)     # this_year, last_year or custom local days
    summary(user_id, first, last, issued_at=None) -> {minutes, count, rows}
    issue(user, first, last) -> Certificate                 # CertificateError when there is nothing to certify
    mine(user_id), owned(user, number), find(number)

Counted service is what /my/hours counts (hours.summary): approved activity hours (dated by the activity's
start) and the volunteer's minutes of visits that took place (dated by their check-in), on local days.

The issuer is whoever vouches for the hours: the volunteer's organisation when it organised every activity and
visit counted (it approved them), else the platform, which recorded and approved them all.
"""
import base64
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit import services as audit
from ..extensions import db
from ..needs.models import SERVICE_TYPES
from ..orgs.models import Organisation
from ..stats.counting import LOCAL
from ..visits.models import Visit
from . import hours
from .models import Activity, ActivitySignup, Certificate

PLATFORM = "护航 · 青岛市儿童关爱服务平台"  # a proper name, printed as it is in every language
PERIODS = ("this_year", "last_year", "custom")
EARLIEST = date(2000, 1, 1)
NO_PERIOD = _l("Choose a period, or enter its first and last days.")


class CertificateError(Exception):
    """A refused certificate, with a message for the user (lazy: read in their language)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Service:
    """One counted service: an activity or a visit."""

    day: date
    title: str
    minutes: int
    org_id: int | None


def today() -> date:
    return datetime.now(LOCAL).date()


def period(choice: str, start: date | None = None, end: date | None = None, now: date | None = None):
    """(first, last) local days of a chosen period; CertificateError when it cannot be certified."""
    now = now or today()
    if choice == "this_year":
        return date(now.year, 1, 1), now
    if choice == "last_year":
        return date(now.year - 1, 1, 1), date(now.year - 1, 12, 31)
    if choice != "custom" or start is None or end is None:
        raise CertificateError(NO_PERIOD)
    return check(start, end, now)


def check(first: date, last: date, now: date | None = None) -> tuple[date, date]:
    """The period if it can be certified: in order, not before 2000, not ending after today."""
    if first > last:
        raise CertificateError(_l("The start must not be after the end."))
    if last > (now or today()):
        raise CertificateError(_l("The period cannot end after today."))
    if first < EARLIEST:
        raise CertificateError(_l("The period cannot start before 2000."))
    return first, last


def summary(user_id: int, first: date, last: date, issued_at: datetime | None = None) -> dict:
    """The volunteer's counted service on local days first..last, by date: {minutes, count, rows};
    issued_at leaves out activity hours approved after it (a certificate's list as it was issued)."""
    items = [i for i in hours.summary(user_id)["items"]
             if first.isoformat() <= i["date"] <= last.isoformat() and i["minutes"] > 0]
    ids = {kind: [i["id"] for i in items if i["kind"] == kind] for kind in ("activity", "visit")}
    orgs = {("activity", k): v for k, v in db.session.execute(
        select(Activity.id, Activity.org_id).where(Activity.id.in_(ids["activity"])))}
    orgs.update({("visit", k): v for k, v in db.session.execute(
        select(Visit.id, Visit.org_id).where(Visit.id.in_(ids["visit"])))})
    later = set()
    if issued_at is not None and ids["activity"]:
        later = set(db.session.scalars(select(ActivitySignup.activity_id).where(
            ActivitySignup.volunteer_id == user_id, ActivitySignup.activity_id.in_(ids["activity"]),
            ActivitySignup.approved_at > issued_at)))
    rows = [Service(date.fromisoformat(i["date"]), _title(i), i["minutes"], orgs.get((i["kind"], i["id"])))
            for i in items if not (i["kind"] == "activity" and i["id"] in later)]
    rows.sort(key=lambda r: (r.day, str(r.title)))
    return {"minutes": sum(r.minutes for r in rows), "count": len(rows), "rows": rows}


def _title(item: dict):
    """An activity's title; a visit (which has none) by its service type."""
    service = item["service_type"]
    return item["title"] or _l("Visit: %(service)s", service=SERVICE_TYPES.get(service, service))


def masked_name(name: str) -> str:
    """The name as the public check shows it: first and last characters (王*明, 王*, 欧**明)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def issuer_for(user, rows) -> str:
    """The volunteer's organisation if it organised every counted service, else the platform."""
    platform = current_app.config.get("CERTIFICATE_ISSUER") or PLATFORM
    org_id = getattr(user, "organisation_id", None)
    if org_id and rows and all(r.org_id == org_id for r in rows):
        org = db.session.get(Organisation, org_id)
        return org.name if org else platform
    return platform


def new_number(now: date | None = None) -> str:
    """HH<year>- and 8 base32 characters (40 random bits): printed, and the key of the public check."""
    return f"HH{(now or today()).year}-" + base64.b32encode(secrets.token_bytes(5)).decode()


def issue(user, first: date, last: date) -> Certificate:
    """Issue a certificate of the volunteer's counted service in first..last; the same period with the same
    hours again (a double tap) returns the one already issued."""
    first, last = check(first, last)
    s = summary(user.id, first, last)
    if not s["count"]:
        raise CertificateError(_l("There are no approved service hours in this period."))
    same = db.session.scalar(select(Certificate).where(
        Certificate.volunteer_id == user.id, Certificate.period_start == first, Certificate.period_end == last,
        Certificate.minutes == s["minutes"], Certificate.activities == s["count"]).limit(1))
    if same is not None:
        return same
    fields = {"volunteer_id": user.id, "masked_name": masked_name(user.name), "period_start": first,
              "period_end": last, "minutes": s["minutes"], "activities": s["count"],
              "issuer": issuer_for(user, s["rows"])}
    for _ in range(5):  # the unique number is the guarantee; a collision (1 in 2^40) draws again
        cert = Certificate(number=new_number(), **fields)
        db.session.add(cert)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            continue
        audit.log(user, "update", "certificate", cert.id, reason="issue", commit=False)
        db.session.commit()
        return cert
    raise RuntimeError("no free certificate number after 5 draws")


def mine(user_id: int) -> list[Certificate]:
    """A volunteer's certificates, newest first."""
    return db.session.scalars(select(Certificate).where(Certificate.volunteer_id == user_id)
                              .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all()


def clean_number(number: str) -> str:
    return (number or "").strip().upper()[:24]


def find(number: str) -> Certificate | None:
    """The certificate with this number (any case), or None."""
    return db.session.scalar(select(Certificate).where(Certificate.number == clean_number(number)))


def owned(user, number: str) -> Certificate | None:
    """The certificate if it is user's own, else None (the same answer as a missing one)."""
    cert = find(number)
    return cert if cert is not None and cert.volunteer_id == user.id else None
