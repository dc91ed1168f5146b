"""Forms of the checks pages: a coordinator's decision (the certificate's date, or a reason to reject)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from ..validation import PlainText
from ..volunteers.forms import DayField


class VerifyForm(FlaskForm):
    """Verify: the date printed on the certificate (it counts from then for the kind's validity)."""

    issued_on = DayField(_l("Date on the certificate"),
                         validators=[InputRequired(message=_l("Enter the date printed on the certificate."))])


class RejectForm(FlaskForm):
    """Reject: why, in words the volunteer can act on."""

    reason = StringField(_l("Why not accepted"), validators=[
        InputRequired(message=_l("Say why, so the volunteer knows what to upload instead.")),
        Length(max=200, message=_l("Use at most 200 characters.")), PlainText()])
