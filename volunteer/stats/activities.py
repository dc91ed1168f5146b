"""Activities as services in the statistics (counting.py puts these rows beside the served visits):

    scope_clause(prefix)                        # an activity in the scope: its town or district code
    service_rows(prefix, start, end, keys)      # rows of done activities (and their registered children)
    helper_rows(prefix, start, end)             # (user_id, minutes) of the volunteers who attended

A DONE activity that started in [start, end) is one service, of its service type's form and content (the
catalogue's defaults), in its district and town (the scope rule of children, applied to the activity's
codes). Person-times are its registered children taking part plus children_expected (those not
registered); minutes are its volunteers' approved minutes (two volunteers for an hour: two hours). Its
helpers are the volunteers who signed in; their minutes count once approved.
"""
from sqlalchemy import String, case, func, literal, null, or_, select, true

from ..activities.models import Activity, ActivityChild, ActivitySignup
from ..needs import catalogue

NO_OVERRIDE = literal(None, String())  # an activity has no form or content of its own: its type's defaults


def scope_clause(prefix: str):
    """Activities whose town or district code starts with the scope prefix ('' = the whole city)."""
    if not prefix:
        return true()
    return or_(Activity.town_code.startswith(prefix), Activity.district_code.startswith(prefix))


def where(prefix: str, start, end) -> tuple:
    """The activities counted: done, started in [start, end), inside the scope."""
    return Activity.status == "done", Activity.starts_at >= start, Activity.starts_at < end, scope_clause(prefix)


def form_sql():
    return catalogue.form_sql(Activity.service_type, NO_OVERRIDE)


def content_sql():
    return catalogue.content_sql(Activity.service_type, NO_OVERRIDE)


def area_sql(prefix: str):
    """The area an activity counts in, as children do: districts for the city, else towns."""
    return Activity.town_code if prefix else Activity.district_code


def _approved_minutes():
    return (select(func.coalesce(func.sum(ActivitySignup.approved_minutes), 0))
            .where(ActivitySignup.activity_id == Activity.id, ActivitySignup.hours_status == "approved")
            .correlate(Activity).scalar_subquery())


def _registered():
    return (select(func.count(ActivityChild.id)).where(ActivityChild.activity_id == Activity.id)
            .correlate(Activity).scalar_subquery())


def service_rows(prefix: str, start, end, keys: list) -> list:
    """Two SELECTs with the columns (k0.., service, child_id, children, minutes) of counting's served rows:
    one row per activity (service 1, no child), then one per registered child taking part (service 0,
    nothing else), so distinct children served include them. keys: SQL over Activity, or None."""
    cols = [(null() if k is None else k).label(f"k{i}") for i, k in enumerate(keys)]
    cond = where(prefix, start, end)
    services = select(*cols, literal(1).label("service"), null().label("child_id"),
                      (Activity.children_expected + _registered()).label("children"),
                      _approved_minutes().label("minutes")).where(*cond)
    children = (select(*cols, literal(0).label("service"), ActivityChild.child_id.label("child_id"),
                       literal(0).label("children"), literal(0).label("minutes"))
                .select_from(Activity).join(ActivityChild, ActivityChild.activity_id == Activity.id).where(*cond))
    return [services, children]


def _approved():
    """A sign-up's approved minutes (0 while waiting for approval)."""
    return case((ActivitySignup.hours_status == "approved", func.coalesce(ActivitySignup.approved_minutes, 0)),
                else_=0)


def helper_rows(prefix: str, start, end):
    """SELECT (user_id, minutes): a row per volunteer who signed in at a counted activity; minutes are the
    approved ones (0 while waiting for approval)."""
    return (select(ActivitySignup.volunteer_id.label("user_id"), _approved().label("minutes"))
            .join(Activity, Activity.id == ActivitySignup.activity_id)
            .where(*where(prefix, start, end), ActivitySignup.signed_in_at.is_not(None)))


def helper_times(prefix: str, start, end):
    """helper_rows with the activity's start as `at` (the volunteers' ledger: the last service)."""
    return helper_rows(prefix, start, end).add_columns(Activity.starts_at.label("at"))


def ledger_rows(prefix: str, start, end) -> list[dict]:
    """Each counted activity, oldest first, for the services ledger: {at, title, district, town, service_type,
    form, content, org, names (volunteers who signed in), refs (registered children), person_times, minutes}."""
    from ..accounts.models import User
    from ..children.models import Child
    from ..extensions import db
    from ..orgs.models import Organisation

    cond = where(prefix, start, end)
    rows = db.session.execute(
        select(Activity.id, Activity.starts_at, Activity.title, Activity.district_code, Activity.town_code,
               Activity.service_type, form_sql(), content_sql(), Organisation.name, Activity.children_expected)
        .outerjoin(Organisation, Organisation.id == Activity.org_id).where(*cond)
        .order_by(Activity.starts_at, Activity.id)).all()
    ids = [r[0] for r in rows]
    refs: dict = {}
    for activity_id, ref in db.session.execute(
            select(ActivityChild.activity_id, Child.ref).join(Child, Child.id == ActivityChild.child_id)
            .where(ActivityChild.activity_id.in_(ids)).order_by(ActivityChild.id)):
        refs.setdefault(activity_id, []).append(ref)
    helpers: dict = {}
    for activity_id, name, minutes in db.session.execute(
            select(ActivitySignup.activity_id, User.name, _approved())
            .join(User, User.id == ActivitySignup.volunteer_id)
            .where(ActivitySignup.activity_id.in_(ids), ActivitySignup.signed_in_at.is_not(None))
            .order_by(ActivitySignup.id)):
        names, total = helpers.get(activity_id, ((), 0))
        helpers[activity_id] = ((*names, name), total + minutes)
    out = []
    for activity_id, at, title, district, town, kind, form, content, org, expected in rows:
        names, minutes = helpers.get(activity_id, ((), 0))
        kids = refs.get(activity_id, [])
        out.append({"at": at, "title": title, "district": district, "town": town, "service_type": kind,
                    "form": form, "content": content, "org": org, "names": names, "refs": kids,
                    "person_times": expected + len(kids), "minutes": minutes})
    return out
