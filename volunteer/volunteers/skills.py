"""The fixed skill vocabulary and the weekly availability grid."""
from flask_babel import lazy_gettext as _l

SKILLS = {
    "home_visit": _l("Home visit"),
    "companionship": _l("Companionship"),
    "tutoring": _l("Tutoring"),
    "counselling": _l("Psychological counselling"),
    "rehabilitation": _l("Rehabilitation"),
    "safety_education": _l("Safety education"),
    "driving": _l("Driving / delivery"),
    "photography": _l("Photography"),
    "event_help": _l("Event help"),
}
# These skills count for matching only after a coordinator has verified a credential.
CREDENTIAL_SKILLS = {"counselling", "rehabilitation"}

WEEKDAYS = [_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun")]
PERIODS = {"am": _l("Morning"), "pm": _l("Afternoon"), "eve": _l("Evening")}


def slot_code(weekday: int, period: str) -> str:
    """Return the form value of one availability slot, e.g. '0-am'."""
    return f"{weekday}-{period}"


ALL_SLOTS = [slot_code(d, p) for d in range(7) for p in PERIODS]
