"""Numbers with units, and moments, as people read them in their language: Babel formats the numbers
(no needless decimals) and dates, our catalogue gives the unit words (1.5 小时 / 1.5 hours).

    hours(1.5) -> "1.5 小时"     minutes(45) -> "45 分钟"     duration(minutes) -> minutes, or hours from 60
    metres(587) -> "590 米"      km(1.23) -> "1.2 公里"       distance(metres) -> metres, or km from 995 m
    day_time(moment) -> "12月8日 17:30" (the app's time zone, Qingdao)

Each is also a Jinja filter of the same name. Outside a request (jobs) call them inside force_locale.
"""
from babel.dates import format_skeleton
from flask_babel import format_decimal, get_locale, get_timezone, gettext as _, ngettext


def _number(value, digits: int):
    """value rounded to digits decimals, as an int when whole (so 2.0 reads "2")."""
    n = round(float(value), digits)
    return int(n) if n == int(n) else n


def _text(n, digits: int) -> str:
    return format_decimal(n, format="#,##0." + "#" * digits if digits else "#,##0")


def _count(n) -> int:
    """The count for ngettext: gettext picks plural forms by whole numbers only, so Babel's CLDR rule
    decides (1 hour, 1.5 hours)."""
    return 1 if get_locale().plural_form(n) == "one" else 2


def decimal(value, digits: int = 1) -> str:
    """A bare number in the user's locale, to digits decimals at most: "1.2", "2", "1,250"."""
    return _text(_number(value, digits), digits)


def hours(value, digits: int = 1) -> str:
    """Hours to one decimal at most (digits): "1.5 小时", "2 hours"."""
    if value is None:
        return ""
    n = _number(value, digits)
    return ngettext("%(value)s hour", "%(value)s hours", _count(n), value=_text(n, digits))


def minutes(value) -> str:
    """Whole minutes: "45 分钟", "1 minute"."""
    if value is None:
        return ""
    n = _number(value, 0)
    return ngettext("%(value)s minute", "%(value)s minutes", _count(n), value=_text(n, 0))


def duration(total_minutes, digits: int = 1) -> str:
    """A span given in minutes: minutes under an hour, else hours to digits decimals ("45 分钟", "1.5 小时").
    Service hours take digits=2, as certificates and the export count them (105 minutes: 1.75 hours)."""
    if total_minutes is None:
        return ""
    return minutes(total_minutes) if float(total_minutes) < 60 else hours(float(total_minutes) / 60, digits)


def metres(value) -> str:
    """Metres, to 10 m from 100 m on ("42 米", "590 米")."""
    if value is None:
        return ""
    n = _number(value, 0 if float(value) < 100 else -1)
    return _("%(value)s m", value=_text(n, 0))


def km(value) -> str:
    """Kilometres to one decimal at most: "1.2 公里", "5 km"."""
    if value is None:
        return ""
    return _("%(value)s km", value=_text(_number(value, 1), 1))


def distance(value_m) -> str:
    """A distance given in metres: metres under a kilometre, else kilometres ("300 米", "1.2 公里")."""
    if value_m is None:
        return ""
    return metres(value_m) if float(value_m) < 995 else km(float(value_m) / 1000)


def day_time(moment) -> str:
    """An aware moment as a day and 24-hour time in the app's time zone: "12月8日 17:30", "Dec 8, 17:30"."""
    if moment is None:
        return ""
    locale, tz = get_locale(), get_timezone()
    day = format_skeleton("MMMd", moment, tzinfo=tz, locale=locale)
    time = format_skeleton("Hm", moment, tzinfo=tz, locale=locale)
    return str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", time)


FILTERS = {f.__name__: f for f in (hours, minutes, duration, metres, km, distance, day_time)}


def init_app(app) -> None:
    """Register the helpers as Jinja filters."""
    app.jinja_env.filters.update(FILTERS)
