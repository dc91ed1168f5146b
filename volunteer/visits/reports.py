"""Visit reports: observations (body, mind, social, intellect), new needs in one step, private photos,
the next follow-up date; the coordinator's review; the child's visit timeline.

    file_report(user, visit_id, data, photos=(), new_needs=(), recorded_at=None) -> VisitReport
                                                   # recorded_at: filled without signal, sent later
    review(staff, visit_id, note) -> VisitReport
    photo_file(staff, photo_id) -> Path            # coordinators in scope only
    timeline(child) -> [Visit]                     # for the child's page (staff)
"""
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import services as audit
from ..children.validation import InvalidInput, parse_date
from ..extensions import db
from ..needs.models import DIMENSIONS, SERVICE_TYPES, Need
from ..needs.photos import _stored, _unlink, _write, prepare_photo
from ..needs.rules import NotAllowed, emit, is_staff
from ..tasks import services as tasks
from ..types import utcnow
from ..validation import _bad_char
from .delayed import recorded_time
from .models import Visit, VisitPhoto, VisitReport
from .services import VisitNotFound, visit_for

OBSERVATIONS = ("body", "mind", "social", "intellect")
TEXT_MAX = 2000
NOTE_MAX = 500
MAX_PHOTOS = 4
MAX_NEW_NEEDS = 3
REPORTABLE = ("checked_in", "done", "flagged")


def _plain(value, limit, field, errors) -> str:
    text = ("" if value is None else str(value)).strip()
    if len(text) > limit:
        errors[field] = _l("Use at most %(n)s characters.", n=limit)
    elif any(_bad_char(ch) for ch in text if ch not in "\r\n\t"):
        errors[field] = _l("Please use only letters, numbers and ordinary punctuation (no emoji, symbols or "
                           "markup such as < >).")
    return text


def _follow_up(raw, errors):
    text = ("" if raw is None else str(raw)).strip()
    if not text:
        return None
    try:
        day = parse_date(text)
    except ValueError:
        errors["follow_up_on"] = _l("Enter a date like 2026-06-01.")
        return None
    today = date.today()
    if not today < day <= today + timedelta(days=366):
        errors["follow_up_on"] = _l("Choose a follow-up date within the next year.")
    return day


def _clean_needs(rows, errors) -> list[dict]:
    out = []
    for row in list(rows or ())[:MAX_NEW_NEEDS]:
        service, dimension = (row.get("service_type") or "").strip(), (row.get("dimension") or "").strip()
        if not service and not dimension:
            continue
        if service not in SERVICE_TYPES or dimension not in DIMENSIONS:
            errors["new_needs"] = _l("For each new need, choose both a service and a dimension.")
            continue
        out.append({"service_type": service, "dimension": dimension})
    return out


def file_report(user, visit_id, data: dict, photos=(), new_needs=(), via="web", recorded_at=None) -> VisitReport:
    """A helper who took part files the visit's report (once); nothing is saved on any error. A report filed
    without signal keeps the phone's time (recorded_at) and notes when it arrived (synced_at)."""
    visit = visit_for(user, visit_id)
    now = utcnow()
    at = None if recorded_at is None else recorded_time(visit, user, recorded_at, now)
    took_part = any(a.user_id == user.id and a.checked_in_at is not None for a in visit.assignees)
    if not took_part and not is_staff(user):
        raise NotAllowed(_l("Only a helper who checked in can file the report."))
    if visit.status not in REPORTABLE:
        raise InvalidInput({"status": _l("Check in before you file the report.")})
    if visit.report is not None:
        raise InvalidInput({"status": _l("The report of this visit was already filed.")})
    errors = {}
    values = {f: _plain(data.get(f), TEXT_MAX, f, errors) for f in OBSERVATIONS}
    if not errors and not any(values.values()):
        errors["body"] = _l("Write at least one observation.")
    follow = _follow_up(data.get("follow_up_on"), errors)
    needs = _clean_needs(new_needs, errors)
    photos = [p for p in photos or () if p and p[1]]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _l("Add at most %(n)s photos.", n=MAX_PHOTOS)
    prepared = []
    if "photos" not in errors:
        for filename, blob in photos:
            try:
                prepared.append(prepare_photo(filename, blob))
            except InvalidInput as exc:
                errors["photos"] = next(iter(exc.errors.values()))
                break
    if errors:
        raise InvalidInput(errors)
    names = []
    try:
        names = [_write(jpeg) for jpeg in prepared]
        report = VisitReport(visit_id=visit.id, author_id=user.id, follow_up_on=follow, **values)
        if at is not None:
            report.created_at, report.synced_at = at, now
        report.photos = [VisitPhoto(path=n) for n in names]
        db.session.add(report)
        for spec in needs:
            need = Need(child_id=visit.child_id, created_by_id=user.id, status="open", urgency="normal",
                        rhythm="once", **spec)
            db.session.add(need)
            db.session.flush()
            emit("need.created", visit.child, need_id=need.id)
        db.session.flush()
        audit.log(user, "create", "visit_report", report.id, reason=f"visit:{visit.id}", via=via, commit=False)
        rec = tasks.record("jobs.visits.notify_coordinators", visit.id, "report", kind="notify",
                           queue="notifications", subject=f"child:{visit.child_id}")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for n in names:
            _unlink(n)
        raise
    tasks.dispatch(rec)
    return report


def review(staff, visit_id, note, via="web") -> VisitReport:
    """A coordinator reviews a filed report (a flagged visit is closed as done)."""
    if not is_staff(staff):
        raise NotAllowed(_l("Only a coordinator can review reports."))
    visit = visit_for(staff, visit_id)
    if visit.report is None:
        raise InvalidInput({"note": _l("No report has been filed for this visit yet.")})
    errors = {}
    text = _plain(note, NOTE_MAX, "note", errors)
    if errors:
        raise InvalidInput(errors)
    report = visit.report
    report.reviewed_at, report.reviewed_by_id, report.review_note = utcnow(), staff.id, text or None
    if visit.status == "flagged":
        visit.status = "done"
    audit.log(staff, "update", "visit_report", report.id, reason="review", via=via, commit=False)
    db.session.commit()
    return report


def photo_file(user, photo_id):
    """The stored JPEG of a visit photo: staff whose scope covers the child only (else VisitNotFound)."""
    photo = db.session.get(VisitPhoto, photo_id) if isinstance(photo_id, int) else None
    if photo is None or not is_staff(user):
        raise VisitNotFound(photo_id)
    report = db.session.get(VisitReport, photo.report_id)
    visit_for(user, report.visit_id)
    path = _stored(photo.path)
    if path is None or not path.is_file():
        raise VisitNotFound(photo_id)
    audit.log(user, "view", "visit_photo", photo.id, via="web")
    return path


def timeline(child, limit=50) -> list[Visit]:
    """The child's visits, newest first, with reports (for staff pages)."""
    return db.session.scalars(select(Visit).where(Visit.child_id == child.id)
                              .order_by(Visit.starts_at.desc()).limit(limit)).all()
