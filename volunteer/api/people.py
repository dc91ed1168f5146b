"""Volunteers, organisations and the caller: cut to access.VIEWS like the web pages."""
from flask import abort, request

from ..orgs import services as orgs
from . import queries
from .common import PAGING, ok, page_of, paging, route, user


@route("/volunteers", "GET", endpoint="volunteers", tag="people", response="Page[Volunteer]",
       errors=(400, 401), params=PAGING + (("skill", "query", "string", ""),
                                           ("district", "query", "string", "District code"),
                                           ("town", "query", "string", "Town code")),
       summary="Volunteers: in your scope (staff), your organisation's members (org admins), or yourself")
def list_volunteers():
    page, per_page = paging()
    args = {k: request.args.get(k, "").strip()[:24] for k in ("skill", "district", "town")}
    items, total = queries.volunteers_for(user(), page=page, per_page=per_page, **args)
    return page_of(items, page, per_page, total)


@route("/volunteers/<int:user_id>", "GET", endpoint="volunteer", tag="people", response="Volunteer",
       summary="One volunteer, as your role may see them")
def get_volunteer(user_id):
    record = queries.volunteer_for(user(), user_id)
    if record is None:
        abort(404)
    return ok(record)


@route("/organisations", "GET", endpoint="organisations", tag="people", response="Page[Organisation]",
       errors=(400, 401), params=PAGING,
       summary="Organisations: all (staff) or your own (organisation users)")
def list_organisations():
    page, per_page = paging()
    rows = orgs.list_orgs(user())
    return page_of(rows[(page - 1) * per_page: page * per_page], page, per_page, len(rows))


@route("/organisations/<int:org_id>", "GET", endpoint="organisation", tag="people",
       response="Organisation", summary="One organisation; staff and its admin also get its members")
def get_organisation(org_id):
    u = user()
    org = orgs.get_org(u, org_id)
    record = orgs.org_record(u, org)
    try:
        record["member_list"] = orgs.members(u, org_id)
    except orgs.OrgNotFound:
        pass
    return ok(record)


@route("/me", "GET", endpoint="me", tag="people", response="Me", errors=(401,),
       summary="Who the token belongs to")
def me():
    from ..validation import display_phone

    u = user()
    own = queries.volunteer_for(u, u.id)
    return ok({"id": u.id, "name": u.name, "phone": display_phone(u.phone), "email": u.email, "role": u.role,
               "scope_level": u.scope_level, "scope_code": u.scope_code, "organisation_id": u.organisation_id,
               "locale": u.locale, **({"volunteer": own} if own else {})})
