"""The volunteer profile form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, SelectField, SelectMultipleField,
                     StringField, widgets)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..validation import PlainText
from .skills import ALL_SLOTS, SKILLS


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one list-valued field."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        # Unknown values get a translated message instead of WTForms' generic one.
        values = dict(self.choices) if self.choices else {}
        for v in self.data or []:
            if v not in values:
                raise ValidationError(_l("Choose from the list."))


class WholeNumberField(IntegerField):
    """An integer field whose parse error says what to enter, in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number.")) from None


class DayField(DateField):
    """A date field whose parse error says what to enter, in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date such as 1990-03-07.")) from None


class ProfileForm(FlaskForm):
    """Skills, credentials, weekly availability, home location, radius and capacity."""

    skills = MultiCheckboxField(_l("What can you do?"), choices=[(k, v) for k, v in SKILLS.items()])
    credential_counselling = StringField(
        _l("Counselling credential (certificate name and number)"),
        validators=[Optional(), Length(max=200, message=_l("Use at most 200 characters.")), PlainText()])
    credential_rehabilitation = StringField(
        _l("Rehabilitation credential (certificate name and number)"),
        validators=[Optional(), Length(max=200, message=_l("Use at most 200 characters.")), PlainText()])
    slots = MultiCheckboxField(_l("When are you free?"), choices=[(s, s) for s in ALL_SLOTS])
    location_source = HiddenField(default="division")
    lat = StringField(_l("Latitude"), validators=[Optional(), Length(max=20)])
    lon = StringField(_l("Longitude"), validators=[Optional(), Length(max=20)])
    district = SelectField(_l("District"), choices=[], validate_choice=False)
    town = SelectField(_l("Town or street"), choices=[], validate_choice=False)
    radius_km = WholeNumberField(_l("How far will you travel (km)?"), default=5, validators=[
        InputRequired(_l("Enter a distance in km.")),
        NumberRange(1, 50, message=_l("Choose between 1 and 50 km."))])
    max_visits_per_month = WholeNumberField(_l("Most visits per month"), default=4, validators=[
        InputRequired(_l("Enter a number of visits.")),
        NumberRange(0, 31, message=_l("Choose between 0 and 31."))])
    # Real-name details (volunteers/idnumber.py): never pre-filled; empty keeps the stored number.
    id_number = StringField(_l("ID number (居民身份证, 18 characters)"), validators=[Optional(), Length(max=24)])
    id_number_remove = BooleanField(_l("Remove my ID number"))
    birth_date = DayField(_l("Date of birth"), validators=[Optional()])
