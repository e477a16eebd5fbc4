"""Forms of the admin area: invitations, roles, reference data, settings, audit search, monitoring filters."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from web.labels import SKILL_GROUP_LABELS
from web.validators import (
    REQUIRED,
    BoundedDateField,
    BoundedIntegerField,
    LocalDecimalField,
    NoMarkup,
    optional_id,
)

WHOLE_NUMBER = _l("Vul een geheel getal in.")
NUMBER = _l("Vul een getal in.")
VALID_DATE = _l("Vul een geldige datum in (jjjj-mm-dd).")
CODE_PATTERN = Regexp(r"^[a-z0-9][a-z0-9_-]*$", message=_l("Gebruik alleen kleine letters, cijfers, - en _."))


def staff_role_choices():
    from web.labels import role_label

    return [("coach", role_label("coach")), ("admin", role_label("admin"))]


def language_choices():
    return [("nl", _l("Nederlands")), ("en", _l("Engels"))]


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(REQUIRED), Email(_l("Vul een geldig e-mailadres in.")), Length(max=254)])
    full_name = StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=200), NoMarkup()])
    role = SelectField(_l("Rol"), choices=staff_role_choices, validators=[DataRequired(REQUIRED)])
    language = SelectField(_l("Taal"), choices=language_choices, default="nl")
    team_id = SelectField(_l("Team"), coerce=optional_id, validate_choice=False)
    is_team_lead = BooleanField(_l("Teamverantwoordelijke"), description=_l("Ziet de monitoring van het eigen team."))


class RoleForm(FlaskForm):
    role = SelectField(_l("Rol"), choices=staff_role_choices, validators=[DataRequired(REQUIRED)])
    team_id = SelectField(_l("Team"), coerce=optional_id, validate_choice=False)
    is_team_lead = BooleanField(_l("Teamverantwoordelijke"))


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for one-button actions."""


class ReviewForm(FlaskForm):
    """The admin's review of a new organisation: approve, ask for more, or refuse, with a message."""

    action = SelectField(_l("Beslissing"), choices=[SelectChoice("approve", _l("Aanvaarden")), SelectChoice("more_info", _l("Meer informatie vragen")),
                                                   SelectChoice("refuse", _l("Weigeren"))], validators=[DataRequired(REQUIRED)])
    message = TextAreaField(_l("Bericht aan de organisatie"), validators=[Optional(), Length(max=2000)],
                            description=_l("Verplicht als je meer informatie vraagt of weigert. De eigenaar krijgt het als melding."))


class SkillTermForm(FlaskForm):
    id = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=80), CODE_PATTERN],
                     description=_l("Vaste sleutel, bijvoorbeeld heftruck-rijden. Niet meer te wijzigen."))
    label_nl = StringField(_l("Naam (Nederlands)"), validators=[DataRequired(REQUIRED), Length(max=200), NoMarkup()])
    variants_nl = TextAreaField(_l("Varianten (Nederlands)"), validators=[Optional(), Length(max=4000)],
                                description=_l("Synoniemen en schrijfwijzen, één per regel of gescheiden door komma's."))
    label_en = StringField(_l("Naam (Engels)"), validators=[DataRequired(REQUIRED), Length(max=200), NoMarkup()])
    variants_en = TextAreaField(_l("Varianten (Engels)"), validators=[Optional(), Length(max=4000)])
    group = SelectField(_l("Groep"), choices=[SelectChoice(code, label) for code, label in SKILL_GROUP_LABELS.items()],
                        validators=[DataRequired(REQUIRED)])
    esco_uri = URLField(_l("ESCO-link"), validators=[Optional(), URL(message=_l("Vul een geldige link in.")), Length(max=200)])
    active = BooleanField(_l("Actief"), default=True)

    @staticmethod
    def term_data(term) -> dict:
        """A stored vocabulary entry as the form shows it (variants one per line)."""
        return {
            "id": term.id, "label_nl": term.label_nl, "label_en": term.label_en, "group": term.group, "esco_uri": term.esco_uri,
            "active": term.active, "variants_nl": "\n".join(term.variants_nl or []), "variants_en": "\n".join(term.variants_en or []),
        }

    def term_values(self) -> dict:
        """The entry's fields as ``save_skill_term`` stores them: labels trimmed, a blank link as None."""
        values = {k: getattr(self, k).data for k in ("label_nl", "label_en", "group", "active", "variants_nl", "variants_en")}
        values["label_nl"], values["label_en"] = values["label_nl"].strip(), values["label_en"].strip()
        values["esco_uri"] = self.esco_uri.data or None
        return values


class PremiumForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=60), CODE_PATTERN])
    name_nl = StringField(_l("Naam (Nederlands)"), validators=[DataRequired(REQUIRED), Length(max=200), NoMarkup()])
    name_en = StringField(_l("Naam (Engels)"), validators=[DataRequired(REQUIRED), Length(max=200), NoMarkup()])
    conditions_nl = TextAreaField(_l("Voorwaarden (Nederlands)"), validators=[Optional(), Length(max=5000)])
    conditions_en = TextAreaField(_l("Voorwaarden (Engels)"), validators=[Optional(), Length(max=5000)])
    amount = LocalDecimalField(_l("Bedrag (euro)"), places=2, validators=[Optional(), NumberRange(min=0, message=_l("Het bedrag mag niet negatief zijn."))],
                          render_kw={"inputmode": "decimal"})
    percentage_min = LocalDecimalField(_l("Percentage minimum"), validators=[Optional(), NumberRange(min=0, max=100, message=_l("Kies een percentage van 0 tot 100."))])
    percentage_max = LocalDecimalField(_l("Percentage maximum"), validators=[Optional(), NumberRange(min=0, max=100, message=_l("Kies een percentage van 0 tot 100."))])
    unit = StringField(_l("Eenheid"), validators=[Optional(), Length(max=40)], description=_l("Bijvoorbeeld: per maand, % van het referteloon."))
    source_url = URLField(_l("Bron (link)"), validators=[Optional(), URL(message=_l("Vul een geldige link in.")), Length(max=500)])
    valid_from = BoundedDateField(_l("Geldig vanaf"), validators=[Optional()])
    valid_to = BoundedDateField(_l("Geldig tot"), validators=[Optional()])

    def premium_values(self) -> dict:
        """The premium's fields as the admin service stores them: numbers as floats, blank text as None."""
        from web.services.admin import PREMIUM_FIELDS

        values = {}
        for key in PREMIUM_FIELDS:
            value = getattr(self, key).data
            if hasattr(value, "as_integer_ratio") and not isinstance(value, float):
                value = float(value)
            values[key] = value.strip() if isinstance(value, str) else value
            if values[key] == "":
                values[key] = None
        return values

    def validate_percentage_max(self, field):
        if field.data is not None and self.percentage_min.data is not None and field.data < self.percentage_min.data:
            raise ValidationError(_l("Het maximum moet minstens het minimum zijn."))

    def validate_valid_to(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("De einddatum moet na de begindatum liggen."))


def _days(label, low, high):
    return BoundedIntegerField(label, validators=[InputRequired(REQUIRED), NumberRange(min=low, max=high, message=_l("Kies een aantal dagen van %(min)s tot %(max)s."))],
                        render_kw={"inputmode": "numeric"})


def success_rule_choices():
    return [
        ("hired_still_employed", _l("Gewoon contract getekend binnen het traject én nog aan het werk aan het einde van de nazorg")),
        ("hired", _l("Gewoon contract getekend binnen het traject")),
    ]


class SettingsForm(FlaskForm):
    voortraject = _days(_l("Voortraject (dagen)"), 1, 730)
    jobmatching = _days(_l("Jobmatching (dagen)"), 1, 730)
    stage = _days(_l("Stage (dagen)"), 1, 730)
    nazorg = _days(_l("Nazorg (dagen)"), 1, 730)
    success_rule = SelectField(_l("Wanneer is een traject geslaagd?"), choices=success_rule_choices, validators=[DataRequired(REQUIRED)])
    target_pct = BoundedIntegerField(_l("Doelstelling doorstroomresultaat (%)"),
                              validators=[InputRequired(REQUIRED), NumberRange(min=1, max=100, message=_l("Kies een percentage van 1 tot 100."))])
    retention_days = _days(_l("Bewaartermijn na einde traject (dagen)"), 30, 3650)
    place_expiry_days = _days(_l("Stageplaats blijft online (dagen)"), 7, 365)

    #: where each field's value lives in the stored settings (``current_settings``): (setting, key within it)
    STORED_AS = {
        "voortraject": ("phase_max_days", "voortraject"), "jobmatching": ("phase_max_days", "jobmatching"),
        "stage": ("phase_max_days", "stage"), "nazorg": ("phase_max_days", "nazorg"),
        "success_rule": ("success_definition", "rule"), "target_pct": ("success_definition", "target_pct"),
        "retention_days": ("retention_days", None), "place_expiry_days": ("place_expiry_days", None),
    }

    @classmethod
    def settings_data(cls, current: dict) -> dict:
        """The stored settings as the form shows them, one field per value."""
        data = {}
        for name, (key, inner) in cls.STORED_AS.items():
            value = current.get(key)
            data[name] = (value or {}).get(inner) if inner else value
        return data

    def settings_values(self) -> dict:
        """The form's values as ``save_settings`` stores them."""
        from web.models import PHASES

        return {
            "phase_max_days": {phase: getattr(self, phase).data for phase in PHASES},
            "success_definition": {"rule": self.success_rule.data, "target_pct": self.target_pct.data},
            "retention_days": self.retention_days.data,
            "place_expiry_days": self.place_expiry_days.data,
        }


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Zoeken"), validators=[Optional(), Length(max=200)], description=_l("Naam of e-mailadres, actie, object of detail."))
    actor = StringField(_l("Wie"), validators=[Optional(), Length(max=200)], description=_l("Naam of e-mailadres van wie het deed."))
    action = SelectField(_l("Actie"), validate_choice=False, validators=[Optional()])
    date_from = BoundedDateField(_l("Van"), validators=[Optional()])
    date_to = BoundedDateField(_l("Tot en met"), validators=[Optional()])


class MonitoringFilterForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = BoundedDateField(_l("Van"), validators=[Optional()])
    date_to = BoundedDateField(_l("Tot en met"), validators=[Optional()])
    team_id = SelectField(_l("Coachteam"), coerce=optional_id, validate_choice=False)
    company_id = SelectField(_l("Sociale-economiebedrijf"), coerce=optional_id, validate_choice=False)
    sector = SelectField(_l("Sector"), validate_choice=False)
