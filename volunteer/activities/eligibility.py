"""Who may sign up for an activity: each required skill (a credential skill once verified, as matching
counts it) and the minimum age on the activity's day in Qingdao, from the profile's birth date.

    problem(volunteer_id, activity) -> ActivityError | None   # the first rule not met, for the page
    check(volunteer_id, activity)                             # raises that error (services.sign_up)
"""
from datetime import date
from zoneinfo import ZoneInfo

from babel.lists import format_list
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from ..extensions import db
from ..volunteers.models import VolunteerProfile, VolunteerSkill
from ..volunteers.skills import CREDENTIAL_SKILLS, SKILLS
from .errors import ActivityError

LOCAL = ZoneInfo("Asia/Shanghai")


class MissingSkills(ActivityError):
    """The volunteer lacks a required skill (or its credential is not verified yet)."""


class BirthDateNeeded(ActivityError):
    """The activity has a minimum age and the profile has no birth date: the page links to the profile."""


class TooYoung(ActivityError):
    """The volunteer is under the activity's minimum age on its day."""


def _missing_text(codes: tuple[str, ...]) -> str:
    names = format_list([str(SKILLS.get(c, c)) for c in codes], locale=get_locale())
    if any(c in CREDENTIAL_SKILLS for c in codes):
        return _("This activity asks for: %(skills)s. Add them to your profile; counselling and rehabilitation "
                 "count once a coordinator has verified your credential.", skills=names)
    return _("This activity asks for: %(skills)s. Add them to your profile to sign up.", skills=names)


def age_on(born: date, day: date) -> int:
    """Whole years from born to day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def problem(volunteer_id: int, activity) -> ActivityError | None:
    """The first rule of the activity this volunteer does not meet, or None."""
    required = activity.skill_codes
    if required:
        rows = db.session.execute(select(VolunteerSkill.skill, VolunteerSkill.credential_status).where(
            VolunteerSkill.user_id == volunteer_id, VolunteerSkill.skill.in_(required))).all()
        have = {s for s, status in rows if s not in CREDENTIAL_SKILLS or status == "verified"}
        missing = tuple(c for c in required if c not in have)
        if missing:
            return MissingSkills(LazyString(_missing_text, missing))
    if activity.min_age:
        born = db.session.scalar(select(VolunteerProfile.birth_date).where(VolunteerProfile.user_id == volunteer_id))
        if born is None:
            return BirthDateNeeded(_l("This activity is for volunteers aged %(age)s or older: add your date of "
                                      "birth to your profile first.", age=activity.min_age))
        if age_on(born, activity.starts_at.astimezone(LOCAL).date()) < activity.min_age:
            return TooYoung(_l("This activity is for volunteers aged %(age)s or older.", age=activity.min_age))
    return None


def check(volunteer_id: int, activity) -> None:
    """Raise the first rule not met (MissingSkills, BirthDateNeeded, TooYoung)."""
    error = problem(volunteer_id, activity)
    if error is not None:
        raise error
