"""Forms of the participant area: an answer on a place, consent, erasure; and the coach's invitation."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from web.services.participant_portal import DECLINE_CHOICES
from web.validators import REQUIRED


class AnswerForm(FlaskForm):
    """'Ik wil dit' or 'Liever niet', with an optional simple reason."""

    reason = RadioField(_l("Liever niet? Zeg waarom (dat hoeft niet)."), choices=[SelectChoice(code, label) for code, label in DECLINE_CHOICES], validators=[Optional()])
    yes = SubmitField(_l("Ik wil dit"))
    no = SubmitField(_l("Liever niet"))


class TakeBackForm(FlaskForm):
    """'Toch niet': no after all, with an optional simple reason."""

    reason = RadioField(_l("Waarom niet meer? (dat hoeft niet)"), choices=[SelectChoice(code, label) for code, label in DECLINE_CHOICES], validators=[Optional()])
    submit = SubmitField(_l("Toch niet"))


class ConsentForm(FlaskForm):
    """What employers may see before an intake."""

    consent_level = RadioField(
        _l("Wat mag een werkgever zien vóór een gesprek?"),
        choices=[
            SelectChoice("skills", _l("Alleen wat ik kan (zonder mijn naam)")),
            SelectChoice("skills_name", _l("Wat ik kan en mijn voornaam")),
        ],
        validators=[DataRequired(REQUIRED)],
    )


class ErasureForm(FlaskForm):
    """Ask for erasure, with an explicit check."""

    confirm = BooleanField(_l("Ja, ik wil dat Stagebrug mijn gegevens wist."), validators=[DataRequired(_l("Vink dit aan als je het zeker weet."))])


class EmptyForm(FlaskForm):
    """A form with only its CSRF token (for one-button actions)."""


class InviteParticipantForm(FlaskForm):
    """The coach invites a participant to log in themselves."""

    email = EmailField(_l("E-mailadres van de deelnemer"), validators=[DataRequired(REQUIRED), Email(_l("Dit is geen geldig e-mailadres.")), Length(max=254)])
    language = SelectField(_l("Taal"), choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")], default="nl")
