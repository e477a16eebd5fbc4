"""Forms for login, registration, invitations and password reset."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from web.models import SECTORS
from web.validators import REQUIRED, KboNumber, NoMarkup, PostalCode


def sector_choices():
    from web.labels import sector_label

    return [("", _l("Kies een sector"))] + [(s, sector_label(s)) for s in SECTORS]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(REQUIRED), Length(max=200)])
    next = HiddenField()


class PasswordMixin:
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(REQUIRED), Length(min=10, max=200, message=_l("Kies een wachtwoord van minstens 10 tekens."))],
    )
    password_confirm = PasswordField(
        _l("Herhaal het wachtwoord"), validators=[DataRequired(REQUIRED), EqualTo("password", message=_l("De wachtwoorden zijn niet gelijk."))]
    )


class RegisterEmployerForm(FlaskForm):
    organisation_name = StringField(_l("Naam van de organisatie"), validators=[DataRequired(REQUIRED), Length(max=200, message=_l("Maximaal %(max)d tekens.")), NoMarkup()])
    kbo_number = StringField(_l("Ondernemingsnummer (KBO)"), validators=[DataRequired(REQUIRED), KboNumber()], description=_l("Bijvoorbeeld 0403.170.701"))
    sector = SelectField(_l("Sector"), choices=[], validators=[DataRequired(_l("Kies een sector."))])
    street = StringField(_l("Straat en nummer"), validators=[Optional(), Length(max=200, message=_l("Maximaal %(max)d tekens.")), NoMarkup()])
    postal_code = StringField(_l("Postcode"), validators=[DataRequired(REQUIRED), Length(max=4, message=_l("Een postcode heeft 4 cijfers.")), PostalCode()])
    full_name = StringField(_l("Jouw naam"), validators=[DataRequired(REQUIRED), Length(max=200, message=_l("Maximaal %(max)d tekens.")), NoMarkup()])
    email = EmailField(_l("Jouw e-mailadres"), validators=[DataRequired(REQUIRED), Email(_l("Dit is geen geldig e-mailadres."), check_deliverability=False), Length(max=254)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = sector_choices()


class SetPasswordForm(PasswordMixin, FlaskForm):
    pass


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(REQUIRED), Email(_l("Dit is geen geldig e-mailadres."), check_deliverability=False)])


class ChangePasswordForm(PasswordMixin, FlaskForm):
    current_password = PasswordField(_l("Huidig wachtwoord"), validators=[DataRequired(REQUIRED), Length(max=200)])
