"""Near me: the open needs around a volunteer, nearest first, as privacy cards with a rounded distance.

    q = parse_query(volunteer, request.args)   # NearInputError (field, translated message) on bad input
    result = near_needs(volunteer, q)          # a NearPage of result dicts

Where from (first that applies): the point the phone sent (lat/lon, WGS-84, validated as a point in
Qingdao), a district or town the volunteer chose (`area`, its point from geo.point_for), the
volunteer's home point (profile lat/lon). With none of these the page asks for a district or town.

Distances are measured (matching.distance: its vectorised measure and rounding, the same as every other
page) to the privacy-card point of each need (need_point.lat/lon, a ~1.1 km grid-cell centre), never to
the child's exact home, and shown rounded to 0.1 km with words naming the from-point ("from your home").

The query reads need_point with the spatial engine's box + vectorised haversine (spatial.bounding_box,
spatial.haversine_km; sorted by distance, then need id, as every engine backend sorts) because it adds
one filter the engine's needs_within() does not take: the need's window end (see "available" below).
"""
import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import Integer, and_, bindparam, exists, func, or_, select

from .. import access
from ..children.cards import age_band, pseudonym, town_name
from ..children.models import GENDERS, Child
from ..extensions import db
from ..geo import services as geo
from ..needs.models import Need, NeedSkill
from ..needs.rules import VOCABULARIES
from ..numbers import parse_int
from ..volunteers.models import AvailabilitySlot, VolunteerProfile, VolunteerSkill
from ..volunteers.skills import CREDENTIAL_SKILLS, SKILLS
from . import distance, spatial
from .models import NeedPoint, Offer
from .points import ALL_SKILLS, SKILL_BITS, skills_mask, volunteer_mask

RADIUS_MIN, RADIUS_MAX = 1, 50
PER_PAGE = 10
MAX_PAGE = 1000


class NearInputError(ValueError):
    """Bad input on the near-me form: field is the form field, message the translated text."""

    def __init__(self, field_name: str, message):
        super().__init__(field_name)
        self.field = field_name
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class NearQuery:
    """What the near-me page was asked for, validated."""

    lat: float | None = None
    lon: float | None = None
    origin: str | None = None  # "gps" (the phone), "area" (a chosen division), "home" (the profile), None
    area: str = ""  # the chosen district or town code ('' if none)
    radius_km: float = 5
    skills_only: bool = True
    available_only: bool = True
    page: int = 1
    # The values as sent, to fill the form again (raw text, so a bad value can be corrected).
    form: dict = field(default_factory=dict)

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    def args(self, **changes) -> dict:
        """Query-string arguments that ask for the same results (e.g. the next page)."""
        out = {"radius_km": _plain(self.radius_km), "skills_only": int(self.skills_only),
               "available_only": int(self.available_only)}
        if self.origin == "gps":
            out.update(lat=f"{self.lat:.6f}", lon=f"{self.lon:.6f}", source="gps")
        elif self.origin == "area":
            out.update(area=self.area, source="division")
        out.update(changes)
        return out


class NearPage(list):
    """One page of results (dicts, see _result) with the totals for paging."""

    total = 0
    page = 1
    per_page = PER_PAGE
    has_more = False
    no_slots = False  # "only when I am available" is on but the volunteer has no weekly slot


def _plain(number: float) -> str:
    return f"{number:g}"


def _text(value) -> str:
    return ("" if value is None else str(value)).strip()


def _flag(values: list[str], default: bool = True) -> bool:
    """A checkbox sent with a hidden "0" before it: ["0"] is off, ["0", "1"] (or ["1"]) on, nothing the
    default (the first visit)."""
    values = [_text(v) for v in values]
    if not values:
        return default
    return any(v in ("1", "on", "true", "yes") for v in values)


def parse_query(volunteer, args) -> NearQuery:
    """Read and check the near-me query (a werkzeug MultiDict or a dict); NearInputError on bad input.

    The point: the phone's lat/lon when sent (both needed, numbers, in China and in Qingdao), unless the
    volunteer chose a district or town last (source=division); then a chosen area; then the home.
    """
    get = args.get
    getlist = args.getlist if hasattr(args, "getlist") else (lambda k: [args[k]] if k in args else [])
    profile = volunteer.profile
    raw_radius = _text(get("radius_km"))
    form = {"lat": _text(get("lat")), "lon": _text(get("lon")), "area": _text(get("area")),
            "source": _text(get("source")), "radius_km": raw_radius}
    q = NearQuery(form=form, skills_only=_flag(getlist("skills_only")),
                  available_only=_flag(getlist("available_only")))

    q.page = parse_int(_text(get("page")), 1, MAX_PAGE) or 1

    default_radius = (profile.radius_km if profile and profile.radius_km else 5)
    if raw_radius:
        try:
            radius = float(raw_radius.replace("，", "."))
        except ValueError:
            raise NearInputError("radius_km", _l("The distance must be a number of kilometres.")) from None
        if not math.isfinite(radius) or not RADIUS_MIN <= radius <= RADIUS_MAX:
            raise NearInputError("radius_km", _l("The distance must be between %(min)s and %(max)s km.",
                                                 min=RADIUS_MIN, max=RADIUS_MAX))
        q.radius_km = radius
    else:
        q.radius_km = float(min(max(default_radius, RADIUS_MIN), RADIUS_MAX))
    form["radius_km"] = raw_radius or _plain(q.radius_km)

    area = form["area"]
    if area:
        division = geo.get(area) if len(area) <= 12 else None
        point = geo.point_for(area) if division is not None and division.level in ("district", "town") else None
        if point is None:
            raise NearInputError("area", _l("Choose a district or town from the list."))
        q.area = area
        area_point = (point[0], point[1])
    else:
        area_point = None

    lat, lon = form["lat"], form["lon"]
    use_area = area_point is not None and (form["source"] == "division" or not (lat or lon))
    if (lat or lon) and not use_area:
        if not (lat and lon):
            raise NearInputError("lat", _l("Location must be numbers"))
        try:
            q.lat, q.lon = geo.parse_point(lat, lon)
        except geo.BadLocation as exc:
            raise NearInputError("lat", exc.message) from None
        q.origin = "gps"
    elif area_point is not None:
        q.lat, q.lon = area_point
        q.origin = "area"
    elif profile is not None and profile.lat is not None and profile.lon is not None:
        q.lat, q.lon = profile.lat, profile.lon
        q.origin = "home"
    return q


def form_only(args) -> NearQuery:
    """A query without a point that only refills the form as sent (to show it again with an error)."""
    getlist = args.getlist if hasattr(args, "getlist") else (lambda k: [args[k]] if k in args else [])
    return NearQuery(form={k: _text(args.get(k)) for k in ("lat", "lon", "area", "source", "radius_km")},
                     skills_only=_flag(getlist("skills_only")), available_only=_flag(getlist("available_only")))


def _has_slot(volunteer) -> bool:
    return db.session.scalar(select(AvailabilitySlot.id).where(AvailabilitySlot.user_id == volunteer.id)
                             .limit(1)) is not None


# The volunteer's skills and whether they have a weekly slot, in one query built once.
_FILTERS = (select(exists(select(AvailabilitySlot.id).where(AvailabilitySlot.user_id == bindparam("uid")))
                   .label("has_slot"), VolunteerSkill.skill, VolunteerSkill.credential_status)
            .select_from(VolunteerProfile)
            .outerjoin(VolunteerSkill, VolunteerSkill.user_id == VolunteerProfile.user_id)
            .where(VolunteerProfile.user_id == bindparam("uid")))


def _volunteer_filters(volunteer, profile, skills_only: bool, available_only: bool) -> tuple[int | None, bool]:
    """(the skills mask to match on or None, whether the volunteer has a weekly slot), in one query.

    The mask is volunteer_mask(profile) (credential skills count only once verified); 0 with skills_only
    but no profile, None without skills_only. has_slot matters only when available_only."""
    if profile is None:
        return (0 if skills_only else None), (_has_slot(volunteer) if available_only else False)
    if not skills_only:
        return None, (_has_slot(volunteer) if available_only else False)
    rows = db.session.execute(_FILTERS, {"uid": profile.user_id}).all()
    if not rows:  # the profile row is gone (never in practice): fall back to the ORM
        return volunteer_mask(profile), (_has_slot(volunteer) if available_only else False)
    mask = skills_mask(skill for _, skill, status in rows if skill is not None and skill in SKILL_BITS and (
        skill not in CREDENTIAL_SKILLS or status == "verified"))
    return mask, bool(rows[0][0])


def _nearby_statement(with_skills: bool, with_window: bool):
    """The near-me box query, built once per filter combination (a statement built per request costs more
    than running it): need_point rows inside :min_lat..:max_lat × :min_lon..:max_lon."""
    key = (with_skills, with_window)
    stmt = _NEARBY.get(key)
    if stmt is None:
        conditions = [NeedPoint.lat.between(bindparam("min_lat"), bindparam("max_lat")),
                      NeedPoint.lon.between(bindparam("min_lon"), bindparam("max_lon"))]
        if with_skills:
            # The same test as the engine: need.skills_mask & ~volunteer_mask == 0 (bits past ALL_SKILLS
            # stand for skills outside the vocabulary, which nobody has); :outside is that complement.
            conditions.append(NeedPoint.skills_mask.op("&")(bindparam("outside", type_=Integer)) == 0)
        if with_window:
            conditions.append(or_(NeedPoint.window_end.is_(None), NeedPoint.window_end >= bindparam("open_on")))
        stmt = _NEARBY[key] = select(NeedPoint.need_id, NeedPoint.lat, NeedPoint.lon).where(and_(*conditions))
    return stmt


_NEARBY: dict = {}


def nearby_ids(lat: float, lon: float, km: float, *, skills_mask: int | None = None,
               open_on: date | None = None) -> list[tuple[int, float]]:
    """Every open need within km of (lat, lon): [(need_id, km)] by distance then need id.

    skills_mask: only needs that require no skill outside it. open_on: only needs whose window has not
    ended by that day (window_end empty or on/after it).
    """
    min_lat, max_lat, min_lon, max_lon = spatial.bounding_box(lat, lon, km)
    params = {"min_lat": min_lat, "max_lat": max_lat, "min_lon": min_lon, "max_lon": max_lon}
    if skills_mask is not None:
        params["outside"] = ALL_SKILLS & ~int(skills_mask) | ~ALL_SKILLS & 0x7FFFFFFF
    if open_on is not None:
        params["open_on"] = open_on
    rows = db.session.execute(_nearby_statement(skills_mask is not None, open_on is not None), params).all()
    if not rows:
        return []
    need_ids, lats, lons = zip(*rows)  # columns as plain tuples: numpy is slow on Row objects
    ids = np.array(need_ids, dtype=np.int64)
    dist = distance.km_many(lat, lon, np.array(lats, dtype=float), np.array(lons, dtype=float))
    keep = dist <= km
    ids, dist = ids[keep], dist[keep]
    order = np.lexsort((ids, dist))
    return [(int(i), float(d)) for i, d in zip(ids[order].tolist(), dist[order].tolist())]


def near_needs(volunteer, q: NearQuery, per_page: int = PER_PAGE, today: date | None = None) -> NearPage:
    """The page q.page of open needs within q.radius_km of q's point, as result dicts:
    {"need": need card, "child": {pseudonym, age_band, gender, town_name}, "km": rounded km, "km_text": it
     as written (units.decimal),
     "lat"/"lon": the privacy-card point, "offer": the volunteer's own offer status or None}.
    Volunteers only see needs as cards (access.VIEWS); anyone else gets an empty page."""
    result = NearPage()
    result.page, result.per_page = q.page, per_page
    if not q.has_point or access.view_of(volunteer, "need") != "card" or access.view_of(volunteer, "child") != "card":
        return result
    profile = volunteer.profile
    mask, has_slot = _volunteer_filters(volunteer, profile, q.skills_only, q.available_only)
    open_on = None
    if q.available_only:
        # "Only when I am available": the need's window has not ended (window_end empty, or today or later)
        # and the volunteer has at least one weekly slot in their profile. Needs carry no weekday, so a
        # volunteer with any free time may fit any need still open; with no slot at all, nothing fits.
        if not has_slot:
            result.no_slots = True
            return result
        open_on = today or date.today()
    found = nearby_ids(q.lat, q.lon, q.radius_km, skills_mask=mask, open_on=open_on)
    result.total = len(found)
    start = (q.page - 1) * per_page
    chunk = found[start:start + per_page]
    result.has_more = start + per_page < len(found)
    if not chunk:
        return result
    ids = [i for i, _ in chunk]
    rows = {row.id: row for row in db.session.execute(_PAGE_ROWS, {"ids": ids, "volunteer_id": volunteer.id})}
    if not rows:
        return result
    towns: dict = {}
    for need_id, km in chunk:
        row = rows.get(need_id)
        if row is None:
            continue
        card = access.project({"id": row.id, "child_ref": row.ref, "dimension": row.dimension,
                               "service_type": row.service_type, "urgency": row.urgency, "rhythm": row.rhythm,
                               "skills": sorted(row.skills.split(",")) if row.skills else [], "window_start": row.window_start,
                               "window_end": row.window_end, "status": "open"}, "need", "card")
        shown = distance.shown_km(km)
        result.append({"need": card, "child": child_essentials(row, towns), "km": shown,
                       "km_text": distance.km_text(shown), "lat": round(row.lat, 5), "lon": round(row.lon, 5),
                       "offer": row.offer})
    return result


# A results page's card columns in one joined query (no ORM objects), built once: the need's skills (codes
# joined by commas) and the volunteer's own offer come along as correlated subqueries. Needs no longer
# open are left out.
_PAGE_ROWS = (
    select(Need.id, Need.child_id, Need.dimension, Need.service_type, Need.urgency, Need.rhythm,
           Need.window_start, Need.window_end, Child.ref, Child.gender, Child.birth_date,
           Child.town_code, Child.district_code, NeedPoint.lat, NeedPoint.lon,
           select(Offer.status).where(Offer.need_id == Need.id, Offer.volunteer_id == bindparam("volunteer_id"))
           .limit(1).scalar_subquery().label("offer"),
           select(func.aggregate_strings(NeedSkill.skill, ",")).where(NeedSkill.need_id == Need.id)
           .scalar_subquery().label("skills"))
    .join(Child, Child.id == Need.child_id).join(NeedPoint, NeedPoint.need_id == Need.id)
    .where(Need.id.in_(bindparam("ids", expanding=True)), Need.status == "open"))


def child_essentials(child, cache: dict | None = None) -> dict:
    """The privacy-card essentials a result shows: pseudonym, age band, gender, town (no name, no point).
    cache: a dict to keep town names in across one page."""
    cache = {} if cache is None else cache
    key = (child.town_code, child.district_code)
    if key not in cache:
        cache[key] = town_name(child.town_code) or town_name(child.district_code)
    return {"ref": child.ref, "pseudonym": pseudonym(child.ref),
            "age_band": age_band(child.birth_date), "gender": child.gender, "town_name": cache[key]}


# The words a results page repeats on every card, translated once per locale (not ~120 gettext calls a
# page): Markup as the template's _() and the lazy vocabulary labels render (neither is escaped again).
_CARD_WORDS = {"offered": "Offered", "see_offers": "A coordinator will answer; see my offers",
               "offer": "Offer to help", "age": "age %(band)s", "on_map": _l("Show number %(num)s on the map"),
               **{f"km_from_{origin}": distance.PHRASES[("card", origin)] for origin in ("home", "gps", "area")}}
_VOCABS = {**{k: VOCABULARIES[k] for k in ("service_types", "dimensions", "urgencies", "rhythms")},
           "genders": GENDERS, "skills": SKILLS}
_labels_cache: dict = {}


def card_labels() -> dict:
    """The translated card words for the current locale: {"offered": Markup, ..., "km_from_<origin>" and
    "age": Markup formats (% {"km": ...} / % {"band": ...}), and per vocabulary {code: Markup label}}."""
    from flask_babel import get_domain, gettext

    translations = get_domain().get_translations()
    cached = _labels_cache.get(id(translations))
    if cached is not None and cached[0] is translations:
        return cached[1]
    # As the template's _(): Markup, then % its variables (none here: a format keeps its placeholder).
    # (The distance phrases are lazy strings of matching.distance: str() translates them.)
    labels = {key: Markup(str(text)) if not isinstance(text, str) else  # nosec B704 # our own translated words
              Markup(gettext(text)) if "%(" in text else Markup(gettext(text)) % {}  # nosec B704 # our own translated words
              for key, text in _CARD_WORDS.items()}
    for name, vocab in _VOCABS.items():
        labels[name] = {code: Markup(str(label)) for code, label in vocab.items()}  # nosec B704 # our own translated words
    _labels_cache[id(translations)] = (translations, labels)
    return labels


def area_choices() -> list[tuple]:
    """[(district, [towns])] for the "choose a district or town" select."""
    return [(d, geo.towns(d.code)) for d in geo.districts()]
