"""How an activity reads on a page: its time span in Qingdao time, and the hand-off of its venue to the
map apps (the same URI APIs as a visit's directions, visits/navigation.py)."""
from urllib.parse import urlencode

from babel.dates import format_skeleton
from flask_babel import get_locale, get_timezone, gettext as _

from ..units import day_time
from ..visits.navigation import AMAP_SRC, BAIDU_SRC


def when_text(activity) -> str:
    """"12月8日 09:30–12:00", or both days when it ends on another day (Qingdao time)."""
    starts, ends, tz = activity.starts_at, activity.ends_at, get_timezone()
    if starts.astimezone(tz).date() == ends.astimezone(tz).date():
        return f"{day_time(starts)}–{format_skeleton('Hm', ends, tzinfo=tz, locale=get_locale())}"
    return f"{day_time(starts)} – {day_time(ends)}"


def directions(activity) -> dict:
    """{"amap", "baidu", "label"}: the venue's point as a marker in AMap and Baidu Maps (WGS-84)."""
    return {"label": _("The venue on a map"),
            "amap": "https://uri.amap.com/marker?" + urlencode(
                {"position": f"{activity.lon},{activity.lat}", "name": activity.venue, "src": AMAP_SRC,
                 "coordinate": "wgs84", "callnative": 1}),
            "baidu": "https://api.map.baidu.com/marker?" + urlencode(
                {"location": f"{activity.lat},{activity.lon}", "title": activity.venue, "content": activity.title,
                 "output": "html", "coord_type": "wgs84", "src": BAIDU_SRC})}
