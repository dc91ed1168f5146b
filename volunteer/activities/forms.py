"""The activity form (Flask-WTF): what, when (Qingdao time), where (a pin on the map, or a district and
town), how many volunteers, which skills and age, how many children. Its values become the data of
services.create / services.edit (place() resolves the point); the services check them again."""
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from .. import access
from ..children.validation import InvalidInput
from ..geo import services as geo
from ..needs.models import SERVICE_TYPES
from ..validation import PlainText
from ..volunteers.forms import MultiCheckboxField, WholeNumberField
from ..volunteers.skills import SKILLS

LOCAL = ZoneInfo("Asia/Shanghai")
# Group activities first; one-to-one services (home-visit survey, case work) are visits, not activities.
TYPES = ("group_service", "community_activity", "camp", "safety_education", "tutoring", "companionship",
         "counselling", "rehabilitation")
FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read as Qingdao time (an aware datetime), with a message people understand."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=FORMAT, tz=LOCAL,
                         invalid_value_message=_l("Enter a date and a time, e.g. 2026-12-08 09:30."), **kwargs)


class ActivityForm(FlaskForm):
    """One activity's fields; district and town choices are set by the view (the organiser's area)."""

    title = StringField(_l("Title"), validators=[
        InputRequired(_l("Enter a title.")), Length(max=80, message=_l("Use at most 80 characters.")), PlainText()])
    service_type = SelectField(_l("Type"), choices=[(t, SERVICE_TYPES[t]) for t in TYPES], validate_choice=False)
    starts_at = LocalDateTimeField(_l("Starts"), validators=[InputRequired(_l("Enter when it starts."))])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[InputRequired(_l("Enter when it ends."))])
    signup_deadline = LocalDateTimeField(_l("Sign-up closes"), validators=[Optional()])
    venue = StringField(_l("Venue"), validators=[
        InputRequired(_l("Enter the venue.")), Length(max=120, message=_l("Use at most 120 characters.")),
        PlainText()])
    district = SelectField(_l("District"), choices=[], validate_choice=False)
    town = SelectField(_l("Town or street"), choices=[], validate_choice=False)
    lat = HiddenField()
    lon = HiddenField()
    places = WholeNumberField(_l("Volunteer places"), default=10, validators=[
        InputRequired(_l("Enter how many volunteers can come.")),
        NumberRange(1, 1000, message=_l("Choose between 1 and 1000."))])
    skills = MultiCheckboxField(_l("Skills needed"), choices=[(k, v) for k, v in SKILLS.items()])
    min_age = WholeNumberField(_l("Minimum age of volunteers"), validators=[
        Optional(), NumberRange(0, 100, message=_l("Choose between 0 and 100."))])
    children_expected = WholeNumberField(_l("Children expected"), default=0, validators=[
        Optional(), NumberRange(0, 10000, message=_l("Choose between 0 and 10000."))])

    # The services check these too; here they show with the form's other messages at once.
    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_signup_deadline(self, field):
        if field.data and self.starts_at.data and field.data > self.starts_at.data:
            raise ValidationError(_l("The sign-up deadline must be before the start."))


def division_choices(form, user) -> None:
    """The districts (and the chosen district's towns) user may organise in: a coordinator's area, or the
    whole city for city-wide staff and organisation admins."""
    prefix = access.scope_prefix(user) if user.is_staff else ""
    prefix = prefix or ""

    def ours(code):
        return code.startswith(prefix) or prefix.startswith(code)

    blank = [("", _l("— choose —"))]
    form.district.choices = blank + [(d.code, d.name) for d in geo.districts() if ours(d.code)]
    if len(form.district.choices) == 2 and not form.district.data:
        form.district.data = form.district.choices[1][0]  # one district: chosen already
    district = form.district.data or ""
    form.town.choices = blank + ([(t.code, t.name) for t in geo.towns(district) if ours(t.code)] if district else [])


def place(form) -> dict:
    """{lat, lon, district_code, town_code} from a pin on the map (its district wins) or else the chosen town
    or district's centre; InvalidInput naming the field otherwise."""
    district, town = form.district.data or "", form.town.data or ""
    if town:
        t = geo.get(town)
        if t is None or t.level != "town" or (district and t.parent_code != district):
            raise InvalidInput({"town_code": _l("Choose a town or street in the chosen district.")})
        district = district or t.parent_code
    if (form.lat.data or "").strip() or (form.lon.data or "").strip():
        try:
            lat, lon = geo.parse_point(form.lat.data, form.lon.data)
        except geo.BadLocation as exc:
            raise InvalidInput({"lat": str(exc)}) from None
        found = geo.district_code_at(lat, lon)
        if found is None:
            raise InvalidInput({"lat": _l("This place is outside Qingdao's districts.")})
        if town and not town.startswith(found):
            town = ""  # the pin wins over a town of another district
        return {"lat": round(lat, 6), "lon": round(lon, 6), "district_code": found, "town_code": town or None}
    if not district or geo.get(district) is None:
        raise InvalidInput({"district_code": _l("Put the venue on the map, or choose its district.")})
    point = geo.point_for(town or district)
    if point is None:
        raise InvalidInput({"lat": _l("Put the venue on the map.")})
    return {"lat": point[0], "lon": point[1], "district_code": district, "town_code": town or None}


def data_of(form) -> dict:
    """The services' data from a validated form (the deadline defaults to the start)."""
    return {"title": form.title.data, "service_type": form.service_type.data, "starts_at": form.starts_at.data,
            "ends_at": form.ends_at.data, "signup_deadline": form.signup_deadline.data or form.starts_at.data,
            "venue": form.venue.data, **place(form), "places": form.places.data, "skills": form.skills.data or [],
            "min_age": form.min_age.data, "children_expected": form.children_expected.data or 0}


# services' error keys -> the form's fields
FIELDS = {"title": "title", "service_type": "service_type", "starts_at": "starts_at", "ends_at": "ends_at",
          "signup_deadline": "signup_deadline", "venue": "venue", "lat": "lat", "district_code": "district",
          "town_code": "town", "places": "places", "skills": "skills", "min_age": "min_age",
          "children_expected": "children_expected"}


def show_errors(form, errors: dict) -> None:
    """Put the services' messages on the form's fields."""
    for key, message in errors.items():
        field = getattr(form, FIELDS.get(key, "title"))
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(message)


def fill(form, activity) -> None:
    """The form's values from an activity (times in Qingdao, naive as the input shows them)."""
    def local(moment):
        return moment.astimezone(LOCAL)

    form.title.data, form.service_type.data, form.venue.data = activity.title, activity.service_type, activity.venue
    form.starts_at.data, form.ends_at.data = local(activity.starts_at), local(activity.ends_at)
    form.signup_deadline.data = local(activity.signup_deadline)
    form.district.data, form.town.data = activity.district_code, activity.town_code or ""
    form.lat.data, form.lon.data = f"{activity.lat:.6f}", f"{activity.lon:.6f}"
    form.places.data, form.skills.data = activity.places, activity.skill_codes
    form.min_age.data, form.children_expected.data = activity.min_age, activity.children_expected
