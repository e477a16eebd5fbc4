"""Forms of the employer area: organisation, stage place with skills, the cost & expectation sheet, answers."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    FormField,
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
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from web.labels import PAYER_LABELS, SECTOR_LABELS, SKILL_LEVEL_LABELS
from web.models import DUTCH_LEVELS, PAYERS, SECTORS
from web.row_lists import RowList
from web.services.employers import EMPLOYER_SIZES
from web.services.proposals import DECLINE_REASONS
from web.validators import (
    DATE_OUT_OF_RANGE,
    NOT_A_PLAIN_NUMBER,
    REQUIRED,
    BoundedDateField,
    BoundedDateTimeLocalField,
    BoundedIntegerField,
    LocalDecimalField,
    PostalCode,
    bounded_id,
)

TOO_LONG = _l("Maximaal %(max)d tekens.")
NOT_NEGATIVE = _l("Een bedrag kan niet negatief zijn.")
NUMBER = _l("Vul een getal in.")
WHOLE_NUMBER = _l("Vul een geheel getal in.")
DATE_FORMAT = _l("Vul een geldige datum in.")
MAX_SKILL_ROWS = 40
MAX_COST_LINE_ROWS = 30
MAX_CHECKLIST_ROWS = 30
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?]")


class NoHtml:
    """Refuse text that contains HTML tags such as <script>."""

    def __call__(self, form, field):
        if isinstance(field.data, str) and _TAG.search(field.data):
            raise ValidationError(_l("Gebruik geen HTML-code (zoals <script>) in dit veld."))


class NotInPast:
    """Refuse a date before today (an unchanged stored date is left alone)."""

    def __call__(self, form, field):
        if field.data and field.data < date.today() and field.data != getattr(form, "stored_start_date", None):
            raise ValidationError(_l("Deze datum ligt in het verleden. Kies vandaag of later."))


def _bound_error(exc: ValueError) -> bool:
    """True for the bounded fields' own messages (out of range, not finite), which are clearer than a parse error."""
    return str(exc) in (str(DATE_OUT_OF_RANGE), str(NOT_A_PLAIN_NUMBER))


class DutchIntegerField(BoundedIntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            if _bound_error(exc):
                raise
            raise ValueError(str(WHOLE_NUMBER)) from exc


class DutchDecimalField(LocalDecimalField):
    """A decimal comma or point, shown back with the reader's decimal mark."""


class DutchDateTimeField(BoundedDateTimeLocalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            if _bound_error(exc):
                raise
            raise ValueError(str(_l("Vul een geldige datum en tijd in."))) from exc


class DutchDateField(BoundedDateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            if _bound_error(exc):
                raise
            raise ValueError(str(DATE_FORMAT)) from exc


def text(label, max_length=500, description=None, area=False, required=False):
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    validators += [Length(max=max_length, message=TOO_LONG), NoHtml()]
    cls = TextAreaField if area else StringField
    return cls(label, validators=validators, description=description, filters=[_strip])


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


MAX_AMOUNT = 1_000_000


def money(label, description=None):
    return DutchDecimalField(
        label, places=2, description=description,
        validators=[Optional(), NumberRange(min=0, message=NOT_NEGATIVE),
                    NumberRange(max=MAX_AMOUNT, message=_l("Kies een bedrag tot %(max)s euro."))],
    )


def payer_choices():
    return [(p, PAYER_LABELS[p]) for p in PAYERS]


# --- organisation -------------------------------------------------------------------------------


class OrganisationForm(FlaskForm):
    name = text(_l("Naam van de organisatie"), 200, required=True)
    sector = SelectField(_l("Sector"), choices=[], validators=[DataRequired(_l("Kies een sector."))])
    street = text(_l("Straat en nummer"), 200)
    postal_code = StringField(_l("Postcode"), validators=[DataRequired(REQUIRED), Length(max=4, message=_l("Een postcode heeft 4 cijfers.")), PostalCode()])
    contact_name = text(_l("Contactpersoon"), 200)
    contact_email = EmailField(_l("E-mailadres van de contactpersoon"), validators=[Optional(), Email(_l("Dit is geen geldig e-mailadres."), check_deliverability=False), Length(max=254)])
    contact_phone = StringField(_l("Telefoon"), validators=[Optional(), Length(max=40, message=TOO_LONG), NoHtml()])
    size = SelectField(_l("Grootte van de organisatie"), choices=[], validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = choices([("", _l("Kies een sector"))] + [(s, SECTOR_LABELS[s]) for s in SECTORS])
        self.size.choices = choices([("", _l("Kies een grootte"))] + [(s, _l("%(size)s werknemers", size=s)) for s in EMPLOYER_SIZES])


class InviteColleagueForm(FlaskForm):
    full_name = text(_l("Naam van je collega"), 200, required=True)
    email = EmailField(_l("E-mailadres van je collega"), validators=[DataRequired(REQUIRED), Email(_l("Dit is geen geldig e-mailadres."), check_deliverability=False), Length(max=254)])


# --- stage place --------------------------------------------------------------------------------


class SkillRowForm(Form):
    name = StringField(_l("Vaardigheid"), validators=[Optional(), Length(max=200, message=TOO_LONG), NoHtml()], filters=[_strip])
    required = SelectField(_l("Belang"), choices=choices([("1", _l("Vereist")), ("0", _l("Mooi meegenomen"))]), default="1")
    min_level = SelectField(_l("Minimumniveau"), choices=[], default="2")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_level.choices = choices([(str(k), v) for k, v in SKILL_LEVEL_LABELS.items()])


class PlaceForm(FlaskForm):
    title = text(_l("Titel van de stageplaats"), 200, description=_l("Begin te typen: we stellen beroepstitels voor. Je mag ook een eigen titel gebruiken."))
    occupation = text(_l("Beroep"), 120, description=_l(
        "Kies het beroep uit de lijst (ESCO). Deelnemers die dit beroep graag willen doen, zien je plaats hoger. Leeg: we leiden het beroep af uit de titel."))
    description = text(_l("Beschrijving"), 5000, area=True, description=_l("Wat houdt de job in? Schrijf in eenvoudige taal."))
    tasks = text(_l("Taken"), 5000, area=True)
    sector = SelectField(_l("Sector"), choices=[], validators=[Optional()])
    postal_code = StringField(_l("Postcode van de werkplek"), validators=[Optional(), Length(max=4, message=_l("Een postcode heeft 4 cijfers.")), PostalCode()])
    hours_per_week = DutchIntegerField(_l("Uren per week"), validators=[Optional(), NumberRange(min=1, max=50, message=_l("Kies tussen %(min)s en %(max)s uur per week."))])
    schedule = text(_l("Uurrooster"), 500, description=_l("Bijvoorbeeld: maandag tot donderdag, 8 tot 16 uur."))
    start_date = DutchDateField(_l("Startdatum"), validators=[Optional(), NotInPast()])
    duration_weeks = DutchIntegerField(_l("Duur (weken)"), validators=[Optional(), NumberRange(min=1, max=52, message=_l("Kies tussen %(min)s en %(max)s weken."))])
    places = DutchIntegerField(_l("Aantal plaatsen"), default=1, validators=[InputRequired(REQUIRED), NumberRange(min=1, max=50, message=_l("Kies tussen %(min)s en %(max)s plaatsen."))])
    dutch_level = SelectField(_l("Nodig niveau Nederlands"), choices=[], validators=[Optional()])
    driving_licence = BooleanField(_l("Rijbewijs B nodig"))
    physical_demands = text(_l("Fysieke belasting"), 1000, area=True, description=_l("Bijvoorbeeld: veel staan, tillen tot 15 kg."))
    skills = RowList(FormField(SkillRowForm), min_entries=0, max_entries=MAX_SKILL_ROWS)

    def __init__(self, *args, stored_start_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_start_date = stored_start_date
        self.sector.choices = choices([("", _l("Kies een sector"))] + [(s, SECTOR_LABELS[s]) for s in SECTORS])
        self.dutch_level.choices = choices([("", _l("Geen vereiste"))] + [(lvl, lvl) for lvl in DUTCH_LEVELS])

    def place_values(self) -> dict:
        return {
            "title": self.title.data or "",
            "occupation": self.occupation.data or None,
            "description": self.description.data or None,
            "tasks": self.tasks.data or None,
            "sector": self.sector.data or None,
            "postal_code": (self.postal_code.data or "").strip() or None,
            "hours_per_week": self.hours_per_week.data,
            "schedule": self.schedule.data or None,
            "start_date": self.start_date.data,
            "duration_weeks": self.duration_weeks.data,
            "places": self.places.data,
            "dutch_level": self.dutch_level.data or None,
            "driving_licence": bool(self.driving_licence.data),
            "physical_demands": self.physical_demands.data or None,
        }

    def skill_values(self) -> list[dict]:
        return [
            {"name": row.form.name.data, "required": row.form.required.data == "1", "min_level": int(row.form.min_level.data or 1)}
            for row in self.skills
        ]


# --- the cost & expectation sheet -------------------------------------------------------------


class CostLineForm(Form):
    kind = SelectField(_l("Soort"), choices=[], default="other")
    label = StringField(_l("Omschrijving"), validators=[Optional(), Length(max=200, message=TOO_LONG), NoHtml()], filters=[_strip])
    amount = money(_l("Bedrag (€)"))
    period = SelectField(_l("Per"), choices=[], default="once")
    payer = SelectField(_l("Wie betaalt"), choices=[], default="stage_employer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([("onboarding", _l("Onthaal en opleiding")), ("clothing", _l("Werkkledij en veiligheidsuitrusting")),
                                     ("travel", _l("Verplaatsingsvergoeding")), ("other", _l("Andere kost"))])
        self.period.choices = choices([("once", _l("eenmalig")), ("week", _l("per week")), ("month", _l("per maand"))])
        self.payer.choices = choices(payer_choices())

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.label.data and self.amount.data is None and not self.amount.errors:
            self.amount.errors = [*self.amount.errors, _l("Vul een bedrag in (0 mag).")]
            valid = False
        return valid


class ChecklistRowForm(Form):
    document = StringField(_l("Document"), validators=[Optional(), Length(max=200, message=TOO_LONG), NoHtml()], filters=[_strip])
    signer = StringField(_l("Wie tekent"), validators=[Optional(), Length(max=200, message=TOO_LONG), NoHtml()], filters=[_strip])
    due = StringField(_l("Tegen wanneer"), validators=[Optional(), Length(max=100, message=TOO_LONG), NoHtml()], filters=[_strip])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SheetForm(FlaskForm):
    wage_mode = SelectField(_l("Doorgerekend deel van het loon"), choices=[], default="none")
    wage_amount = money(_l("Bedrag (€)"), description=_l("Per uur of per maand, zoals hierboven gekozen."))
    wage_payer = SelectField(_l("Wie betaalt het loon"), choices=[], default="stage_employer")
    mentor_name = text(_l("Naam van de mentor"), 200)
    mentor_hours_per_week = DutchDecimalField(_l("Tijd van de mentor (uur per week)"), places=1, validators=[Optional(), NumberRange(min=0, max=40, message=_l("Kies tussen %(min)s en %(max)s uur per week."))])
    mentor_hourly_cost = money(_l("Kost van de mentor per uur (€)"))
    mentor_payer = SelectField(_l("Wie betaalt de mentortijd"), choices=[], default="stage_employer")
    lines = RowList(FormField(CostLineForm), min_entries=0, max_entries=MAX_COST_LINE_ROWS)
    coach_visits = text(_l("Bezoeken van de doorstroomcoach"), 500, description=_l("Bijvoorbeeld: elke twee weken een bezoek op de werkvloer."))
    se_support = text(_l("Steun van de sociale-economiewerkgever"), 5000, area=True)
    premiums = MultiCheckboxField(_l("Premies die kunnen gelden na aanwerving"), choices=[], coerce=bounded_id, validate_choice=False)
    first_day_plan = text(_l("Plan voor de eerste dag"), 5000, area=True)
    feedback_moments = text(_l("Feedbackmomenten"), 5000, area=True)
    employer_tasks_schedule = text(_l("Taken en uurrooster die je aanbiedt"), 5000, area=True)
    participant_tasks = text(_l("Taken van de deelnemer"), 5000, area=True)
    participant_pace = text(_l("Verwacht tempo"), 5000, area=True)
    participant_hours = text(_l("Verwachte uren"), 500)
    participant_language = text(_l("Verwachte taal"), 500)
    safety_rules = text(_l("Veiligheidsregels"), 5000, area=True)
    intention = SelectField(_l("Na de stage"), choices=[], validators=[Optional()])
    contract_type = text(_l("Soort contract"), 100, description=_l("Bijvoorbeeld: contract van onbepaalde duur, 30 uur."))
    checklist = RowList(FormField(ChecklistRowForm), min_entries=0, max_entries=MAX_CHECKLIST_ROWS)
    confirm_unusual = BooleanField(_l("Ja, deze bedragen en uren kloppen"))

    def __init__(self, *args, premium_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.wage_mode.choices = choices([("none", _l("Geen")), ("hour", _l("Per uur")), ("month", _l("Per maand"))])
        self.wage_payer.choices = choices(payer_choices())
        self.mentor_payer.choices = choices(payer_choices())
        self.premiums.choices = choices(list(premium_choices))
        self.intention.choices = choices([("", _l("Nog niet beslist")), ("hire", _l("Aanwerven")), ("probably", _l("Waarschijnlijk aanwerven")), ("no", _l("Niet aanwerven"))])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.wage_mode.data in ("hour", "month") and self.wage_amount.data is None and not self.wage_amount.errors:
            self.wage_amount.errors = [*self.wage_amount.errors, _l("Vul het bedrag in, of kies 'Geen'.")]
            valid = False
        return valid

    def sheet_values(self) -> dict:
        return {
            "wage_mode": self.wage_mode.data,
            "wage_amount": float(self.wage_amount.data) if self.wage_amount.data is not None else None,
            "wage_payer": self.wage_payer.data,
            "mentor_name": self.mentor_name.data or None,
            "mentor_hours_per_week": float(self.mentor_hours_per_week.data) if self.mentor_hours_per_week.data is not None else None,
            "mentor_hourly_cost": float(self.mentor_hourly_cost.data) if self.mentor_hourly_cost.data is not None else None,
            "mentor_payer": self.mentor_payer.data,
            "coach_visits": self.coach_visits.data or None,
            "se_support": self.se_support.data or None,
            "first_day_plan": self.first_day_plan.data or None,
            "feedback_moments": self.feedback_moments.data or None,
            "employer_tasks_schedule": self.employer_tasks_schedule.data or None,
            "participant_tasks": self.participant_tasks.data or None,
            "participant_pace": self.participant_pace.data or None,
            "participant_hours": self.participant_hours.data or None,
            "participant_language": self.participant_language.data or None,
            "safety_rules": self.safety_rules.data or None,
            "intention": self.intention.data or None,
            "contract_type": self.contract_type.data or None,
        }

    def field_for(self, name: str):
        """The field behind a check's name ("wage_amount", "lines-2-amount")."""
        if name.startswith("lines-"):
            _prefix, index, attr = name.split("-", 2)
            return getattr(self.lines[int(index)].form, attr)
        return getattr(self, name, None)

    def line_values(self) -> list[dict]:
        return [
            {"kind": r.form.kind.data, "label": r.form.label.data, "amount": r.form.amount.data or 0, "period": r.form.period.data,
             "payer": r.form.payer.data}
            for r in self.lines
        ]

    def checklist_values(self) -> list[dict]:
        return [{"document": r.form.document.data, "signer": r.form.signer.data, "due": r.form.due.data} for r in self.checklist]


# --- answers to proposals -----------------------------------------------------------------------


class InterestedForm(FlaskForm):
    note = text(_l("Bericht voor de coach (optioneel)"), 2000, area=True, description=_l("De coach ziet dit."))


class DeclineForm(FlaskForm):
    reason = SelectField(_l("Reden"), choices=[], validators=[DataRequired(_l("Kies een reden."))])
    note = text(_l("Toelichting"), 2000, area=True, description=_l("De coach ziet dit."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from web.employer.texts import DECLINE_REASON_LABELS

        self.reason.choices = choices([("", _l("Kies een reden"))] + [(r, DECLINE_REASON_LABELS[r]) for r in DECLINE_REASONS])
