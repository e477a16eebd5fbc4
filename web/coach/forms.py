"""Forms of the coach area: profile with skills, notes, phases, hand-over, evaluation, proposals, CSV import."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from web.labels import PHASE_LABELS, SECTOR_LABELS, SKILL_LEVEL_LABELS
from web.models import DUTCH_LEVELS, PHASES, SECTORS
from web.row_lists import RowList
from web.services.evaluations import DECISION_LABELS, RUBRIC
from web.services.occupations import MAX_WISH_LENGTH, MAX_WISHES, clean_wishes
from web.services.proposals import DECLINE_REASONS
from web.validators import REQUIRED, BoundedDateField, BoundedIntegerField, NoMarkup, PostalCode, bounded_id

MAX_SKILL_ROWS = 40


class SkillRowForm(Form):
    """One skill line: a name (free text, with autocomplete) and a level."""

    name = StringField(_l("Vaardigheid"), validators=[Optional(), Length(max=200), NoMarkup()])
    level = SelectField(_l("Niveau"), choices=[SelectChoice(str(k), v) for k, v in SKILL_LEVEL_LABELS.items()], default="2")


class WishRowForm(Form):
    """One occupation wish: free text in Dutch or English, or a label picked from the ESCO autocomplete."""

    name = StringField(_l("Beroepswens"), validators=[
        Optional(),
        Length(max=MAX_WISH_LENGTH, message=_l("Een beroepswens is hoogstens %(max)d tekens lang.", max=MAX_WISH_LENGTH)),
        NoMarkup(),
    ])


class ProfileForm(FlaskForm):
    first_name = StringField(_l("Voornaam"), validators=[DataRequired(REQUIRED), Length(max=100), NoMarkup()])
    last_name = StringField(_l("Familienaam"), validators=[DataRequired(REQUIRED), Length(max=100), NoMarkup()])
    email = StringField(_l("E-mailadres"), validators=[Optional(), Email(_l("Geef een geldig e-mailadres.")), Length(max=254)])
    phone = StringField(_l("Telefoon"), validators=[Optional(), Length(max=40)])
    postal_code = StringField(_l("Postcode"), validators=[DataRequired(REQUIRED), PostalCode()])
    max_distance_km = BoundedIntegerField(
        _l("Maximale reisafstand (km)"), validators=[InputRequired(REQUIRED), NumberRange(0, 300)], default=25,
    )
    hours_per_week = BoundedIntegerField(_l("Uren per week"), validators=[InputRequired(REQUIRED), NumberRange(1, 50)])
    dutch_level = SelectField(_l("Niveau Nederlands"), choices=[SelectChoice("", _l("Onbekend"))] + [SelectChoice(lvl, lvl) for lvl in DUTCH_LEVELS], validators=[Optional()])
    driving_licence = BooleanField(_l("Rijbewijs B"))
    preferred_sectors = SelectMultipleField(_l("Voorkeursectoren"), choices=[SelectChoice(s, SECTOR_LABELS[s]) for s in SECTORS], validators=[Optional()])
    limitations = TextAreaField(_l("Beperkingen"), validators=[Optional(), Length(max=4000)], description=_l("Alleen zichtbaar voor coaches."))
    support_needs = TextAreaField(_l("Ondersteuningsnoden"), validators=[Optional(), Length(max=4000)], description=_l("Alleen zichtbaar voor coaches."))
    goals = TextAreaField(_l("Doelen"), validators=[Optional(), Length(max=4000)])
    skills = RowList(FormField(SkillRowForm), min_entries=1, max_entries=MAX_SKILL_ROWS)
    occupations = RowList(FormField(WishRowForm), min_entries=1, max_entries=MAX_WISHES,
                          overflow_message=_l("Geef hoogstens %(max)d beroepswensen."))
    wish_max_length = MAX_WISH_LENGTH

    def occupation_list(self) -> list[str]:
        return clean_wishes(row.form.name.data for row in self.occupations)

    def skill_list(self) -> list[tuple[str, int]]:
        return [(row.form.name.data, int(row.form.level.data)) for row in self.skills if (row.form.name.data or "").strip()]

    def profile_data(self) -> dict:
        return {
            "first_name": self.first_name.data, "last_name": self.last_name.data, "email": (self.email.data or "").lower() or None,
            "phone": self.phone.data, "postal_code": self.postal_code.data.strip(), "max_distance_km": self.max_distance_km.data,
            "hours_per_week": self.hours_per_week.data, "dutch_level": self.dutch_level.data or None, "driving_licence": self.driving_licence.data,
            "preferred_sectors": list(self.preferred_sectors.data or []) or None, "limitations": self.limitations.data,
            "support_needs": self.support_needs.data, "goals": self.goals.data, "occupations": self.occupation_list() or None,
        }


class NewParticipantForm(ProfileForm):
    phase = SelectField(_l("Fase"), choices=[SelectChoice(p, PHASE_LABELS[p]) for p in PHASES], default="voortraject")


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Notitie"), validators=[DataRequired(REQUIRED), Length(max=4000)])


class PhaseForm(FlaskForm):
    phase = SelectField(_l("Nieuwe fase"), choices=[SelectChoice(p, PHASE_LABELS[p]) for p in PHASES])
    reason = StringField(_l("Reden"), validators=[DataRequired(REQUIRED), Length(max=500)])


class HoldForm(FlaskForm):
    reason = StringField(_l("Reden van de pauze"), validators=[Optional(), Length(max=500)])


class HandoverForm(FlaskForm):
    coach_id = SelectField(_l("Nieuwe coach"), coerce=bounded_id, choices=[])


class TransitionForm(FlaskForm):
    to_state = HiddenField(validators=[DataRequired()])
    reason = SelectField(_l("Reden"), choices=[SelectChoice("", "—")] + [SelectChoice(r, r) for r in DECLINE_REASONS], validators=[Optional()])
    note = StringField(_l("Interne notitie"), validators=[Optional(), Length(max=2000)],
                       description=_l("Alleen voor coaches: de werkgever ziet dit niet."))
    stage_start = BoundedDateField(_l("Start stage"), validators=[Optional()])
    stage_end = BoundedDateField(_l("Einde stage"), validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV-bestand"), validators=[FileRequired(REQUIRED)])


class OptionalRadioField(RadioField):
    """Radio buttons that may stay unchosen (a draft); a chosen value must still be one of the choices."""

    def pre_validate(self, form):
        if self.data in (None, "", "None"):
            self.data = None
            return
        super().pre_validate(form)


def evaluation_form_class():
    """The evaluation form: one score (1–4, each level described) and a required motivation per rubric item."""

    class EvaluationForm(FlaskForm):
        held_on = BoundedDateField(_l("Datum van het gesprek"), validators=[Optional()], description=_l("Leeg: vandaag."))
        attendees = StringField(_l("Wie nam deel"), validators=[Optional(), Length(max=500)],
                                description=_l("Bijvoorbeeld: deelnemer, coach, werkvloerbegeleider."))
        decision = OptionalRadioField(_l("Beslissing"), choices=[SelectChoice(k, v) for k, v in DECISION_LABELS.items()], validators=[Optional()])
        re_evaluation_on = BoundedDateField(_l("Datum van de nieuwe evaluatie"), validators=[Optional()],
                                     description=_l("Verplicht als de deelnemer nog niet klaar is."))
        summary = TextAreaField(_l("Samenvatting"), validators=[Optional(), Length(max=4000)])

        def scores(self) -> dict:
            return {item: {"score": getattr(self, f"{item}_score").data, "motivation": getattr(self, f"{item}_motivation").data} for item in RUBRIC}

    # a draft saves whatever is filled in: every field is optional here, sign-off says what is missing
    for item, (label, levels) in RUBRIC.items():
        setattr(EvaluationForm, f"{item}_score", OptionalRadioField(label, choices=[SelectChoice(str(k), v) for k, v in levels.items()], validators=[Optional()]))
        setattr(EvaluationForm, f"{item}_motivation", TextAreaField(_l("Motivering"), validators=[Optional(), Length(max=2000)]))
    return EvaluationForm
