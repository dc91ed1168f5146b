"""Visits as dicts for pages, cut to what the viewer may know (helpers: the privacy card only)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.lists import format_list
from flask_babel import get_locale, gettext as _, lazy_gettext as _l, ngettext

from ..children.cards import age_band, pseudonym, town_name
from ..children.validation import InvalidInput
from ..needs.models import DIMENSIONS, SERVICE_TYPES
from ..needs.present import need_card
from ..needs.rules import is_staff
from ..types import utcnow
from ..units import day_time
from .checkin import check_in_opens_at, check_in_state
from .models import ASSIGNEE_STATUSES, VISIT_STATUSES
from .notices import local

LOCAL = ZoneInfo("Asia/Shanghai")
# Not a stored status: checked out (or done) but the report not filed yet, what the helper does next.
STAGES = {**VISIT_STATUSES, "report_due": _l("Report due")}


def parse_local(day: str, start: str, end: str):
    """(starts_at, ends_at) as aware UTC from a local date and two HH:MM times; InvalidInput if unreadable."""
    day, start, end = (str(x or "").strip()[:10] for x in (day, start, end))
    try:
        d = datetime.strptime(day, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput({"day": _l_day()}) from None
    out = []
    for field, text in (("start", start), ("end", end)):
        try:
            t = datetime.strptime(text, "%H:%M").time()
        except ValueError:
            raise InvalidInput({field: _l_time()}) from None
        out.append(datetime.combine(d, t, LOCAL).astimezone(ZoneInfo("UTC")))
    return out[0], out[1]


def _l_day():
    return _l("Enter the date like 2026-06-01.")


def _l_time():
    return _l("Enter the time like 09:30.")


def _child(child) -> dict:
    return {"pseudonym": pseudonym(child.ref), "age_band": age_band(child.birth_date),
            "town": town_name(child.town_code) or town_name(child.district_code)}


def stage(visit, mine=None) -> str:
    """The visit's status as people should read it: "report_due" once it is done (or the viewer, mine,
    checked out) until the report is filed; otherwise the stored status."""
    out = mine is not None and mine.checked_out_at is not None
    if visit.report is None and (visit.status == "done" or (out and visit.status == "checked_in")):
        return "report_due"
    return visit.status


# Whose turn an offered visit is, in the words of each viewer.
WAITING = {"you": _l("Waiting for your answer"), "volunteers": _l("Waiting for the volunteers"),
           "team": _l("Waiting for the team's admin"), "others": _l("Waiting for the other helpers")}


def waiting_label(visit, user) -> str:
    """An offered visit's status for this viewer: whether it waits for the viewer's own answer."""
    from .answers import can_answer

    if can_answer(user, visit):
        return WAITING["you"]
    if visit.org_id:
        return WAITING["team"]
    return WAITING["volunteers"] if is_staff(user) else WAITING["others"]


def planned_message(visit) -> str:
    """What planning the visit did: who had confirmed already (their own offer) and who was asked."""
    if visit.org_id:
        return _("Visit planned; the offer was sent to the team's admin.")
    confirmed = [a.user.name for a in visit.assignees if a.status == "accepted"]
    asked = [a.user.name for a in visit.assignees if a.status == "offered"]
    if not confirmed:
        return _("Visit planned; the offer was sent.")
    if not asked:
        return ngettext("Visit planned; the volunteer has confirmed.", "Visit planned; the volunteers have confirmed.",
                        len(confirmed))
    locale = get_locale()
    return _("Visit planned: %(confirmed)s already confirmed; the offer was sent to %(asked)s.",
             confirmed=format_list(confirmed, locale=locale), asked=format_list(asked, locale=locale))


def card(visit, user) -> dict:
    """One visit for a page: the need card, the child's privacy card essentials, the window, statuses."""
    need, child = visit.need, visit.child
    mine = next((a for a in visit.assignees if a.user_id == user.id), None)
    now = utcnow()
    shown = stage(visit, mine)
    row = {
        "id": visit.id, "status": visit.status, "stage": shown,
        "status_label": waiting_label(visit, user) if shown == "offered" else STAGES.get(shown, shown),
        "checkin": check_in_state(visit, now), "checkin_opens": day_time(check_in_opens_at(visit)),
        "need": need_card(need), "service": SERVICE_TYPES.get(need.service_type, need.service_type),
        "dimension": DIMENSIONS.get(need.dimension, need.dimension),
        "child": _child(child),
        "starts": local(visit.starts_at), "ends": local(visit.ends_at)[-5:], "org": visit.org.name if visit.org else None,
        "my_status": mine.status if mine else None,
        "my_status_label": ASSIGNEE_STATUSES.get(mine.status, "") if mine else "",
        "expires": local(mine.expires_at or visit.offer_expires_at) if mine and mine.status == "offered" else
        (local(visit.offer_expires_at) if visit.status == "offered" else ""),
        "checked_in": bool(mine and mine.checked_in_at), "checked_out": bool(mine and mine.checked_out_at),
        "minutes": mine.service_minutes if mine else None, "has_report": visit.report is not None,
        "upcoming": visit.ends_at >= now,
    }
    if is_staff(user):
        row["child"]["ref"] = child.ref
        row["assignees"] = [{"name": a.user.name, "phone": a.user.phone,
                             "status": ASSIGNEE_STATUSES.get(a.status, a.status),
                             "checked_in": local(a.checked_in_at), "checked_out": local(a.checked_out_at),
                             "minutes": a.service_minutes} for a in visit.assignees]
        row.update(method=visit.check_in_method, distance=visit.check_in_distance_m,
                   override_reason=visit.override_reason, flag_reason=visit.flag_reason,
                   checked_in_at=local(visit.checked_in_at), minutes_total=visit.service_minutes,
                   # taken without signal: when the phone's check-in / check-out arrived
                   check_in_synced=local(visit.check_in_synced_at),
                   check_out_synced=local(visit.check_out_synced_at))
    return row


def parse_moment(value, field: str) -> datetime:
    """An ISO 8601 date-time as aware UTC (without an offset: Qingdao time); InvalidInput if unreadable."""
    text = str(value or "").strip()[:40]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput({field: _l("Enter the time like 2026-06-01T09:30+08:00.")}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.astimezone(ZoneInfo("UTC"))


def record(visit, user) -> dict:
    """One visit for the API: ids, codes and UTC times (no translated labels), cut like card()."""
    need, child = visit.need, visit.child
    mine = next((a for a in visit.assignees if a.user_id == user.id), None)
    row = {
        "id": visit.id, "status": visit.status, "need": need_card(need),
        "child": _child(child),
        "starts_at": visit.starts_at, "ends_at": visit.ends_at, "org_id": visit.org_id,
        "offer_expires_at": visit.offer_expires_at if visit.status == "offered" else None,
        "my_status": mine.status if mine else None,
        "checked_in": bool(mine and mine.checked_in_at), "checked_out": bool(mine and mine.checked_out_at),
        "minutes": mine.service_minutes if mine else None, "has_report": visit.report is not None,
        "check_in": check_in_state(visit), "check_in_opens_at": check_in_opens_at(visit),
    }
    if is_staff(user):
        row["child"]["ref"] = child.ref
        row["assignees"] = [{"user_id": a.user_id, "name": a.user.name, "status": a.status,
                             "checked_in_at": a.checked_in_at, "checked_out_at": a.checked_out_at,
                             "minutes": a.service_minutes} for a in visit.assignees]
        row.update(check_in_method=visit.check_in_method, check_in_distance_m=visit.check_in_distance_m,
                   override_reason=visit.override_reason, flag_reason=visit.flag_reason,
                   checked_in_at=visit.checked_in_at, minutes_total=visit.service_minutes)
    return row
