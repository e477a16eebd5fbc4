"""Forms of the account area: a new API token, revoking one, and the calendar feed switches."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from web.services.api_tokens import DEFAULT_LIFETIME_DAYS, MAX_LIFETIME_DAYS
from web.validators import REQUIRED, NoMarkup


class NewTokenForm(FlaskForm):
    name = StringField(_l("Naam van de sleutel"), validators=[DataRequired(REQUIRED), Length(max=100), NoMarkup()],
                       description=_l("Bijvoorbeeld: ons rekruteringssysteem."))
    scope = RadioField(_l("Rechten"), choices=[SelectChoice("read", _l("Alleen lezen")), SelectChoice("read_write", _l("Lezen en schrijven"))],
                       default="read", validators=[InputRequired(REQUIRED)])
    lifetime_days = IntegerField(_l("Geldig (dagen)"), default=DEFAULT_LIFETIME_DAYS,
                                 validators=[InputRequired(REQUIRED), NumberRange(1, MAX_LIFETIME_DAYS, message=_l("Kies tussen %(min)s en %(max)s dagen."))])


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change something."""
