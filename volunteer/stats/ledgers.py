"""The bureau's Excel ledgers of a staff user's area, counted like figures() (same scope, same served visits):

    children_workbook(staff, first, last) -> bytes     # 困境儿童台账: one row a child, as the records are now
    services_workbook(staff, first, last) -> bytes     # 服务记录台账: one row a service in the period
    volunteers_workbook(staff, first, last) -> bytes   # 志愿者服务时长: one row a volunteer who served
    statistics_workbook(staff, first, last) -> bytes   # 统计报表: the statistics page's tables (ledger_tables.py)
    ledger(staff, name, first, last, via) -> (filename, ascii filename, bytes)   # audited download

A ledger holds personal data (names, guardian's phone, address), so only staff get one, and only of the
children their scope covers: the children a coordinator opens in full on the children pages. Volunteers'
phones are shown in full: staff see each helper's phone on the visit pages of their area, and the ledger
lists only helpers who served there.
"""
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, union_all

from .. import access
from ..accounts.models import User
from ..audit import services as audit
from ..children.models import CATEGORIES, GENDERS, Child
from ..extensions import db
from ..geo import services as geo
from ..needs import catalogue
from ..needs.models import SERVICE_TYPES, Need
from ..orgs.models import Organisation
from ..validation import phone_text
from ..visits.models import Visit, VisitAssignee, VisitReport
from . import activities, xlsx
from .counting import LOCAL, SERVED, bounds, staff_prefix
from .xlsx import Column

OPEN_NEEDS = ("open", "assigned", "in_progress")


class LedgerNotFound(LookupError):
    """No ledger of that name."""


def area_name(prefix: str) -> str:
    """The name of a scope ('' is the whole city)."""
    return (geo.name_of(prefix) or prefix) if prefix else _("Qingdao")


def _period(first: date, last: date) -> str:
    return _("%(first)s to %(last)s", first=first.isoformat(), last=last.isoformat())


def _title(name: str, prefix: str, when: str) -> str:
    return " · ".join((name, area_name(prefix), when))


def _scoped(stmt, prefix: str):
    return stmt.where(access.child_scope_clause(prefix)) if prefix else stmt


def _local_day(at) -> date | None:
    return at.astimezone(LOCAL).date() if at is not None else None


def _yes(value) -> str:
    return _("Yes") if value else _("No")


def _age(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def children_workbook(staff, first: date, last: date) -> bytes:
    """困境儿童台账: every child in staff's scope with the fields coordinators keep (a snapshot of now)."""
    prefix = staff_prefix(staff)
    today = datetime.now(LOCAL).date()
    needs = (select(Need.child_id, func.count(Need.id).label("n")).where(Need.status.in_(OPEN_NEEDS))
             .group_by(Need.child_id).subquery())
    contact = (select(Visit.child_id, func.max(Visit.checked_in_at).label("at")).where(Visit.status.in_(SERVED))
               .group_by(Visit.child_id).subquery())
    stmt = _scoped(
        select(Child.ref, Child.name, Child.gender, Child.birth_date, Child.category, Child.disabled,
               Child.district_code, Child.town_code, Child.village, Child.address, Child.school, Child.grade,
               Child.guardian_name, Child.guardian_relation, Child.guardian_phone, needs.c.n, contact.c.at,
               Child.created_at)
        .outerjoin(needs, needs.c.child_id == Child.id).outerjoin(contact, contact.c.child_id == Child.id)
        .order_by(Child.district_code, Child.town_code, Child.village, Child.id), prefix)
    genders = {k: str(v) for k, v in GENDERS.items()}
    categories = {k: str(v) for k, v in CATEGORIES.items()}
    rows = [(ref, name, genders.get(gender, gender), born, _age(born, today), categories.get(category, category),
             _yes(disabled), geo.name_of(district) or district, geo.name_of(town) or town, village or "",
             address or "", school or "", grade or "", guardian or "", relation or "", phone_text(phone),
             n or 0, _local_day(at), _local_day(created))
            for (ref, name, gender, born, category, disabled, district, town, village, address, school, grade,
                 guardian, relation, phone, n, at, created) in db.session.execute(stmt)]
    columns = [Column(_("Reference")), Column(_("Name")), Column(_("Gender")), Column(_("Birth date"), "date"),
               Column(_("Age"), "int"), Column(_("Category")), Column(_("Disability")), Column(_("District")),
               Column(_("Town or street")), Column(_("Village or community")), Column(_("Address")),
               Column(_("School")), Column(_("Grade")), Column(_("Guardian")), Column(_("Relation to the child")),
               Column(_("Guardian's phone")), Column(_("Open needs"), "int", total=True),
               Column(_("Last service"), "date"), Column(_("Registered on"), "date")]
    book = xlsx.new_book()
    name = _("Children in hardship")
    xlsx.add_sheet(book, name, _title(_("Children in hardship ledger"), prefix,
                                      _("as of %(day)s", day=today.isoformat())),
                   columns, rows, total_label=_("Total: %(n)s children", n=len(rows)))
    return xlsx.to_bytes(book)


def _served(prefix: str, first: date, last: date):
    """The WHERE of figures(): visits that took place in the period, of children in the scope."""
    start, end = bounds(first, last)
    return (Visit.status.in_(SERVED), Visit.checked_in_at >= start, Visit.checked_in_at < end,
            *((access.child_scope_clause(prefix),) if prefix else ()))


def service_rows(staff, first: date, last: date) -> list[tuple]:
    """One tuple a service in the period (visits and done activities), oldest first: (day, child ref,
    district, town, type, form, content, organisation, volunteers' names, volunteer check-ins, person-times,
    hours, report; an activity: its children's refs and its title)."""
    prefix = staff_prefix(staff)
    where = _served(prefix, first, last)
    helpers: dict = {}
    for visit_id, name, minutes in db.session.execute(
            select(VisitAssignee.visit_id, User.name, VisitAssignee.service_minutes)
            .join(User, User.id == VisitAssignee.user_id).join(Visit, Visit.id == VisitAssignee.visit_id)
            .join(Child, Child.id == Visit.child_id)
            .where(*where, VisitAssignee.checked_in_at.is_not(None)).order_by(VisitAssignee.id)):
        names, total = helpers.get(visit_id, ((), 0))
        helpers[visit_id] = ((*names, name), total + (minutes or 0))
    stmt = (select(Visit.id, Visit.checked_in_at, Child.ref, Child.district_code, Child.town_code, Need.service_type,
                   catalogue.form_sql(Need.service_type, Visit.service_form),
                   catalogue.content_sql(Need.service_type, Visit.service_content), Organisation.name,
                   Visit.children_served, VisitReport.id, VisitReport.reviewed_at)
            .join(Need, Need.id == Visit.need_id).join(Child, Child.id == Visit.child_id)
            .outerjoin(Organisation, Organisation.id == Visit.org_id)
            .outerjoin(VisitReport, VisitReport.visit_id == Visit.id)
            .where(*where).order_by(Visit.checked_in_at, Visit.id))
    types = {k: str(v) for k, v in SERVICE_TYPES.items()}
    forms = {k: str(v) for k, v in catalogue.FORMS.items()}
    contents = {k: str(v) for k, v in catalogue.CONTENTS.items()}
    report = {None: _("No report"), False: _("Waiting for review"), True: _("Reviewed")}
    out = []
    for visit_id, at, ref, district, town, kind, form, content, org, served, report_id, reviewed in \
            db.session.execute(stmt):
        names, minutes = helpers.get(visit_id, ((), 0))
        out.append((at, (_local_day(at), ref, geo.name_of(district) or district, geo.name_of(town) or town,
                         types.get(kind, kind), forms.get(form, form),
                         contents.get(content, content) if content else "", org or "", "、".join(names),
                         len(names), served or 0, minutes / 60,
                         report[None if report_id is None else reviewed is not None])))
    # Done activities: the registered children's refs, and the activity's title where a visit has its report.
    for a in activities.ledger_rows(prefix, *bounds(first, last)):
        content = contents.get(a["content"], a["content"]) if a["content"] else ""
        district, town = geo.name_of(a["district"]) or a["district"], geo.name_of(a["town"]) or a["town"] or ""
        out.append((a["at"], (_local_day(a["at"]), "、".join(a["refs"]), district, town,
                              types.get(a["service_type"], a["service_type"]), forms.get(a["form"], a["form"]),
                              content, a["org"] or "", "、".join(a["names"]), len(a["names"]), a["person_times"],
                              a["minutes"] / 60, _("Activity: %(title)s", title=a["title"]))))
    return [row for _at, row in sorted(out, key=lambda r: r[0])]


def services_workbook(staff, first: date, last: date) -> bytes:
    """服务记录台账: one row a service that took place in the period (as figures() counts them)."""
    prefix = staff_prefix(staff)
    rows = service_rows(staff, first, last)
    columns = [Column(_("Date"), "date"), Column(_("Child reference")), Column(_("District")),
               Column(_("Town or street")), Column(_("Service type")), Column(_("Service form")),
               Column(_("Service content")), Column(_("Organisation")), Column(_("Volunteers")),
               Column(_("Volunteer check-ins"), "int", total=True), Column(_("Person-times"), "int", total=True),
               Column(_("Service hours"), "hours", total=True), Column(_("Visit report"))]
    book = xlsx.new_book()
    xlsx.add_sheet(book, _("Service records"), _title(_("Service records ledger"), prefix, _period(first, last)),
                   columns, rows, total_label=_("Total: %(n)s services", n=len(rows)))
    return xlsx.to_bytes(book)


def volunteer_rows(staff, first: date, last: date) -> list[tuple]:
    """One tuple a volunteer who served in the period, most hours first: (name, phone, organisation,
    services, hours, last service)."""
    prefix = staff_prefix(staff)
    visits = (select(VisitAssignee.user_id.label("user_id"),
                     func.coalesce(VisitAssignee.service_minutes, 0).label("minutes"), Visit.checked_in_at.label("at"))
              .join(Visit, Visit.id == VisitAssignee.visit_id).join(Child, Child.id == Visit.child_id)
              .where(*_served(prefix, first, last), VisitAssignee.checked_in_at.is_not(None)))
    rows = union_all(visits, activities.helper_times(prefix, *bounds(first, last))).subquery()
    served = (select(rows.c.user_id, func.count().label("n"),
                     func.coalesce(func.sum(rows.c.minutes), 0).label("minutes"), func.max(rows.c.at).label("at"))
              .group_by(rows.c.user_id).subquery())
    stmt = (select(User.name, User.phone, Organisation.name, served.c.n, served.c.minutes, served.c.at)
            .join(served, served.c.user_id == User.id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .order_by(served.c.minutes.desc(), User.name, User.id))
    return [(name, phone_text(phone), org or "", n, minutes / 60, _local_day(at))
            for name, phone, org, n, minutes, at in db.session.execute(stmt)]


def volunteers_workbook(staff, first: date, last: date) -> bytes:
    """志愿者服务时长: one row a volunteer who served in the period, with services and hours."""
    prefix = staff_prefix(staff)
    rows = volunteer_rows(staff, first, last)
    columns = [Column(_("Name")), Column(_("Mobile number")), Column(_("Organisation")),
               Column(_("Number of services"), "int", total=True), Column(_("Service hours"), "hours", total=True),
               Column(_("Last service"), "date")]
    book = xlsx.new_book()
    name = _("Volunteer service hours")
    xlsx.add_sheet(book, name, _title(name, prefix, _period(first, last)),
                   columns, rows, total_label=_("Total: %(n)s volunteers", n=len(rows)))
    return xlsx.to_bytes(book)


def statistics_workbook(staff, first: date, last: date) -> bytes:
    """统计报表: the statistics page's tables, one sheet each (ledger_tables.py)."""
    from .ledger_tables import statistics_book

    return statistics_book(staff, area_name(staff_prefix(staff)), first, last)


# name -> (builder, what it is called: the file's and the link's name)
LEDGERS = {
    "children": (children_workbook, lambda: _("Children in hardship ledger")),
    "services": (services_workbook, lambda: _("Service records ledger")),
    "volunteers": (volunteers_workbook, lambda: _("Volunteer service hours")),
    "statistics": (statistics_workbook, lambda: _("Statistical report")),
}


def ledger(staff, name: str, first: date, last: date, via: str = "web") -> tuple[str, str, bytes]:
    """(file name, ASCII file name, .xlsx) of one ledger of staff's area, the download audited."""
    if name not in LEDGERS:
        raise LedgerNotFound(name)
    build, label = LEDGERS[name]
    prefix = staff_prefix(staff)
    content = build(staff, first, last)
    audit.log(staff, "export", "ledger", None, reason=f"{name} {prefix or 'city'} {first}..{last}", via=via)
    when = f"{datetime.now(LOCAL).date():%Y%m%d}" if name == "children" else f"{first:%Y%m%d}-{last:%Y%m%d}"
    area = area_name(prefix)
    return (f"{label()}-{area}-{when}.xlsx", f"huhang-{name}-{prefix or 'city'}-{when}.xlsx", content)
