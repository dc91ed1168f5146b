"""Children, needs and wishes: full records for staff in scope, privacy cards for everyone else."""
from flask import abort, request
from sqlalchemy import func, select

from .. import access
from ..children import services as children
from ..children.models import Child
from ..children.present import full, privacy_card
from ..extensions import db
from ..matching import distance
from ..needs import services as needs
from ..needs.models import Need, Wish
from ..needs.present import need_card, need_full
from . import queries
from .common import PAGING, body, ok, page_of, paging, route, user

CHILD_FILTERS = (("q", "query", "string", "Search names, villages, schools (staff)"),
                 ("district", "query", "string", "District code"), ("town", "query", "string", "Town code"),
                 ("category", "query", "string", "Category (staff)"),
                 ("disabled", "query", "string", "1 or 0 (staff)"))
NEED_FILTERS = (("status", "query", "string", "Status (staff)"), ("service_type", "query", "string", ""),
                ("dimension", "query", "string", ""), ("urgency", "query", "string", ""),
                ("child", "query", "string", "A child's ref (staff)"))
REF = (("ref", "path", "string", "The child's public reference"),)


def _view(collection: str) -> str:
    view = access.view_of(user(), collection)
    if view is None:
        abort(403)
    return view


def _staff_only(collection: str):
    if _view(collection) != "full":
        abort(403)


def _arg(name: str) -> str:
    return request.args.get(name, "").strip()[:40]


def _open_needs(child) -> list:
    return [n for n in child.needs if n.status == "open"]


# --- children ---------------------------------------------------------------------------------------

@route("/children", "GET", endpoint="children", tag="children", response="Page[Child]",
       summary="Children: full records in your scope (staff), else privacy cards of children with open needs",
       params=PAGING + CHILD_FILTERS, errors=(400, 401, 403))
def list_children():
    page, per_page = paging()
    if _view("child") == "full":
        rows, total = children.search(user(), _arg("q"), district=_arg("district"), town=_arg("town"),
                                      category=_arg("category"), disabled=_arg("disabled"),
                                      page=page, per_page=per_page)
        return page_of([full(c) for c in rows], page, per_page, total)
    # The volunteers' board serves cards at most 50 to a page; per_page in the answer says so.
    per_page = min(per_page, 50)
    filters = {"district": _arg("district")}
    items = needs.open_need_cards(user(), page, per_page, filters)
    return page_of(items, page, per_page, _open_children_total(filters))


def _open_children_total(filters) -> int:
    stmt = select(func.count(func.distinct(Need.child_id))).join(Child, Child.id == Need.child_id) \
        .where(Need.status == "open")
    district = needs.clean_filters(filters).get("district")
    if district:
        stmt = stmt.where(Child.district_code == district)
    return db.session.scalar(stmt) or 0


@route("/children", "POST", endpoint="children_create", tag="children", body="ChildInput",
       response="ChildFull", status=201, errors=(401, 403),
       summary="Register a child with the guardian's consent (staff, inside your scope)")
def create_child():
    _staff_only("child")
    child = children.create_child(user(), body(), via="api")
    return ok(full(child), 201)


@route("/children/<ref>", "GET", endpoint="child", tag="children", response="Child",
       summary="One child: the full record (staff in scope; audited) or the privacy card")
def get_child(ref):
    if _view("child") == "full":
        return ok(full(children.get_full(user(), ref, via="api")))
    child = db.session.scalar(select(Child).where(Child.ref == ref)) if len(ref) <= 12 else None
    open_needs = _open_needs(child) if child else []
    if not open_needs:  # cards show children with open needs, as on the volunteers' board
        abort(404)
    return ok(privacy_card(child, open_needs))


@route("/children/<ref>", "PATCH", endpoint="child_update", tag="children", body="ChildPatch",
       response="ChildFull", errors=(401, 403, 404),
       summary="Change a child's record (staff in scope; a new purpose needs new consent)")
def update_child(ref):
    _staff_only("child")
    return ok(full(children.update_child(user(), ref, body(), via="api")))


@route("/children/<ref>", "DELETE", endpoint="child_delete", tag="children", status=204,
       errors=(401, 403, 404), summary="Erase a child's personal data everywhere (staff in scope)")
def delete_child(ref):
    _staff_only("child")
    children.delete_child(user(), ref, via="api")
    return "", 204


# --- needs ------------------------------------------------------------------------------------------

@route("/needs", "GET", endpoint="needs", tag="needs", response="Page[Need]", params=PAGING + NEED_FILTERS,
       errors=(400, 401, 403), summary="Needs: full records in your scope (staff), else cards of open needs")
def list_needs():
    page, per_page = paging()
    filters = {k: _arg(k) for k in ("service_type", "dimension", "urgency")}
    if _view("need") == "full":
        rows, total = queries.needs_in_scope(user(), status=_arg("status"), child=_arg("child"),
                                             page=page, per_page=per_page, **filters)
        return page_of([need_full(n) for n in rows], page, per_page, total)
    rows, total = queries.open_needs(page=page, per_page=per_page, **filters)
    return page_of([_card(n) for n in rows], page, per_page, total)


@route("/children/<ref>/needs", "POST", endpoint="needs_create", tag="needs", body="NeedInput",
       response="NeedFull", status=201, errors=(401, 403, 404), params=REF,
       summary="Add a need to a child (staff in scope)")
def create_need(ref):
    _staff_only("need")
    return ok(need_full(needs.create_need(user(), ref, body(), via="api")), 201)


def _need(need_id: int) -> Need:
    """A need user may see: staff inside scope; others open needs or their team's."""
    need = db.session.get(Need, need_id)
    if need is None:
        abort(404)
    u = user()
    if _view("need") == "full":
        if not access.child_in_scope(u, need.child):
            abort(404)
    elif need.status != "open" and not (u.organisation_id and need.team_org_id == u.organisation_id):
        abort(404)
    return need


def _card(need) -> dict:
    """A need's card with the distance from the caller's home, as near me shows it (to the privacy-card
    point; null without a home point)."""
    record = need_card(need)
    d = distance.from_home(user(), user(), need.child)
    record["distance"] = d.record() if d is not None else None
    return record


def _need_as(need) -> dict:
    return need_full(need) if _view("need") == "full" else _card(need)


@route("/needs/<int:need_id>", "GET", endpoint="need", tag="needs", response="Need",
       summary="One need: full (staff in scope) or its card")
def get_need(need_id):
    return ok(_need_as(_need(need_id)))


@route("/needs/<int:need_id>/status", "POST", endpoint="need_status", tag="needs", body="StatusInput",
       response="Need", errors=(401, 404),
       summary="Move a need along its life cycle (staff; the taking team's admin for some moves)")
def move_need(need_id):
    need = needs.move_need(user(), need_id, body().get("status"), via="api")
    return ok(_need_as(need))


# --- wishes -----------------------------------------------------------------------------------------

def wish_full(wish) -> dict:
    record = {f: getattr(wish, f, None) for f in access.FIELDS["wish"]["full"]}
    record["child_ref"] = wish.child.ref
    return access.project(record, "wish", "full")


def wish_card(wish) -> dict:
    card = privacy_card(wish.child)
    record = {**{f: getattr(wish, f, None) for f in access.FIELDS["wish"]["full"]},
              "age_band": card["age_band"], "town_name": card["town_name"]}
    return access.project(record, "wish", "card")


def _wish_as(wish) -> dict:
    return wish_full(wish) if _view("wish") == "full" else wish_card(wish)


@route("/wishes", "GET", endpoint="wishes", tag="wishes", response="Page[Wish]", errors=(400, 401, 403),
       params=PAGING + (("status", "query", "string", "Status (staff)"), ("category", "query", "string", ""),
                        ("child", "query", "string", "A child's ref (staff)")),
       summary="Micro-wishes: full in your scope (staff), else cards of published wishes")
def list_wishes():
    page, per_page = paging()
    if _view("wish") == "full":
        rows, total = queries.wishes_in_scope(user(), status=_arg("status"), category=_arg("category"),
                                              child=_arg("child"), page=page, per_page=per_page)
        return page_of([wish_full(w) for w in rows], page, per_page, total)
    rows, total = queries.published_wishes(category=_arg("category"), page=page, per_page=per_page)
    return page_of([wish_card(w) for w in rows], page, per_page, total)


@route("/children/<ref>/wishes", "POST", endpoint="wishes_create", tag="wishes", body="WishInput",
       response="WishFull", status=201, errors=(401, 403, 404), params=REF,
       summary="Add a micro-wish (a draft) to a child (staff in scope)")
def create_wish(ref):
    _staff_only("wish")
    return ok(wish_full(needs.create_wish(user(), ref, body(), via="api")), 201)


@route("/wishes/<ref>", "GET", endpoint="wish", tag="wishes", response="Wish",
       summary="One wish: full (staff in scope) or its card (published wishes)")
def get_wish(ref):
    wish = db.session.scalar(select(Wish).where(Wish.ref == ref)) if len(ref) <= 12 else None
    if wish is None:
        abort(404)
    if _view("wish") == "full":
        if not access.child_in_scope(user(), wish.child):
            abort(404)
    elif wish.status != "published":
        abort(404)
    return ok(_wish_as(wish))
