"""Near me in words: the filter sheet's one-line summary ("距您家 5 公里内 · 符合我的技能 · 我有空时")."""
from flask_babel import gettext as _

from .. import units
from ..geo import services as geo


def filter_summary(q) -> str:
    """The current near-me filter in words: where from and how far, then the filters that are on."""
    km = units.km(q.radius_km)
    if q.origin == "gps":
        where = _("Within %(km)s of your location", km=km)
    elif q.origin == "area":
        where = _("Within %(km)s of %(area)s", km=km, area=geo.name_of(q.area) or _("the chosen area"))
    elif q.origin == "home":
        where = _("Within %(km)s of your home", km=km)
    else:
        where = _("Choose where to look")
    parts = [where, _("Fits my skills") if q.skills_only else _("All services")]
    if q.available_only:
        parts.append(_("When I am free"))
    return " · ".join(parts)


def has_home(user) -> bool:
    """True when the volunteer saved a home point in their profile (then the filter sheet starts closed)."""
    profile = getattr(user, "profile", None)
    return profile is not None and profile.lat is not None and profile.lon is not None
