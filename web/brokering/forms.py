"""Forms shared by the coach, employer and participant areas for brokering: meeting slots, moving and cancelling a
meeting, how it went, a message in the conversation, and the coach's motivation when proposing.

Every field another party reads says so in its description ("De werkgever ziet dit").
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from web.services.conversation import MAX_LENGTH as MESSAGE_MAX
from web.services.meetings import (
    MAX_SLOTS,
    OUTCOME_DECLINE_REASONS,
    MeetingError,
    Slot,
    check_slot,
    slot_from_local,
)
from web.services.proposals import MOTIVATION_MAX
from web.validators import DayFirstDateField

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?]")
TOO_LONG = _l("Maximaal %(max)d tekens.")
SEEN_BY_EMPLOYER = _l("De werkgever ziet dit.")
SEEN_BY_COACH_AND_PARTICIPANT = _l("De coach en de deelnemer zien dit.")
SEEN_BY_EVERYONE = _l("De coach, de werkgever en de deelnemer zien dit.")
SEEN_BY_COACH = _l("De coach ziet dit.")

MEETING_ERRORS = {
    "end_before_start": _l("Het einde moet na het begin liggen."),
    "in_past": _l("Dit moment ligt in het verleden. Kies een moment in de toekomst."),
    "too_far": _l("Kies een moment binnen het jaar."),
    "length": _l("Een gesprek duurt minstens 15 minuten en hoogstens 8 uur."),
    "not_now": _l("Je kan pas momenten voorstellen als de kandidaat ja zei."),
    "slots_required": _l("Stel minstens één moment voor."),
    "location_required": _l("Vul een adres of videolink in."),
    "already_confirmed": _l("Er is al een moment vastgelegd voor dit voorstel."),
    "not_an_option": _l("Dit moment kan niet meer gekozen worden."),
    "no_options": _l("Er staan geen voorgestelde momenten open."),
    "not_confirmed": _l("Dit gesprek is niet (meer) vastgelegd."),
    "reason_required": _l("Geef een reden op."),
    "not_yet": _l("Je kan pas zeggen hoe het ging als het gesprek begonnen is."),
    "unknown_outcome": _l("Kies hoe het ging."),
}
OUTCOME_REASON_LABELS = {
    "skills_mismatch": _l("Vaardigheden passen niet"),
    "schedule": _l("Uren of rooster passen niet"),
    "not_interested": _l("Geen klik of geen interesse"),
    "other": _l("Andere reden"),
}


class NoHtml:
    """Refuse text that contains HTML tags such as <script>."""

    def __call__(self, form, field):
        if isinstance(field.data, str) and _TAG.search(field.data):
            raise ValidationError(_l("Gebruik geen HTML-code (zoals <script>) in dit veld."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class FriendlyDateField(DayFirstDateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(_l("Vul een geldige datum in."))) from exc


class FriendlyTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(_l("Vul een geldig uur in (uu:mm)."))) from exc


def _text(label, max_length, *, required=False, area=False, description=None, message=None):
    validators = [DataRequired(message or _l("Dit veld is verplicht."))] if required else [Optional()]
    validators += [Length(max=max_length, message=TOO_LONG), NoHtml()]
    return (TextAreaField if area else StringField)(label, validators=validators, description=description, filters=[_strip])


class _SlotFields:
    """Turns (date, start, end) field triples into checked slots, putting errors on the right field."""

    def _slot(self, prefix: str) -> Slot | None:
        day, start, end = (getattr(self, f"{prefix}_{part}") for part in ("date", "start", "end"))
        if not (day.data or start.data or end.data):
            return None
        missing = [f for f in (day, start, end) if not f.data and not f.errors]
        for f in missing:
            f.errors = list(f.errors) + [str(_l("Vul ook dit in."))]
        if missing or day.errors or start.errors or end.errors:
            return None
        if not (date(2000, 1, 1) <= day.data <= date(2100, 12, 31)):
            day.errors = list(day.errors) + [str(MEETING_ERRORS["too_far"])]
            return None
        slot = slot_from_local(day.data, start.data, end.data)
        try:
            check_slot(slot)
        except MeetingError as error:
            target = end if error.code in ("end_before_start", "length") else day
            target.errors = list(target.errors) + [str(MEETING_ERRORS[error.code])]
            return None
        return slot


class SlotsForm(FlaskForm, _SlotFields):
    """The employer offers 1–3 moments for an intake meeting."""

    slot1_date = FriendlyDateField(_l("Datum"), validators=[InputRequired(_l("Stel minstens één moment voor."))])
    slot1_start = FriendlyTimeField(_l("Van"), validators=[Optional()])
    slot1_end = FriendlyTimeField(_l("Tot"), validators=[Optional()])
    slot2_date = FriendlyDateField(_l("Datum"), validators=[Optional()])
    slot2_start = FriendlyTimeField(_l("Van"), validators=[Optional()])
    slot2_end = FriendlyTimeField(_l("Tot"), validators=[Optional()])
    slot3_date = FriendlyDateField(_l("Datum"), validators=[Optional()])
    slot3_start = FriendlyTimeField(_l("Van"), validators=[Optional()])
    slot3_end = FriendlyTimeField(_l("Tot"), validators=[Optional()])
    location = _text(_l("Adres of videolink"), 500, required=True, description=SEEN_BY_COACH_AND_PARTICIPANT,
                     message=_l("Vul een adres of videolink in."))
    contact_person = _text(_l("Vraag naar"), 200, description=_l("Wie ontvangt de kandidaat? De coach en de deelnemer zien dit."))
    note = _text(_l("Bericht bij de uitnodiging (optioneel)"), 1000, area=True, description=SEEN_BY_COACH_AND_PARTICIPANT)

    def slot_prefixes(self):
        return [f"slot{i}" for i in range(1, MAX_SLOTS + 1)]

    def slots(self) -> list[Slot] | None:
        """The filled-in slots, or None when one of them has an error (the errors sit on the fields)."""
        found, failed = [], False
        for prefix in self.slot_prefixes():
            slot = self._slot(prefix)
            if slot is None:
                failed = failed or any(getattr(self, f"{prefix}_{p}").errors for p in ("date", "start", "end"))
                continue
            found.append(slot)
        if failed:
            return None
        if not found:
            self.slot1_date.errors = list(self.slot1_date.errors) + [str(MEETING_ERRORS["slots_required"])]
            return None
        return found


class RescheduleForm(FlaskForm, _SlotFields):
    """Move a confirmed meeting to another moment, with a reason everyone reads."""

    new_date = FriendlyDateField(_l("Nieuwe datum"), validators=[InputRequired(_l("Kies een datum."))])
    new_start = FriendlyTimeField(_l("Van"), validators=[InputRequired(_l("Kies een uur."))])
    new_end = FriendlyTimeField(_l("Tot"), validators=[InputRequired(_l("Kies een uur."))])
    location = _text(_l("Ander adres of andere videolink (optioneel)"), 500, description=SEEN_BY_EVERYONE)
    reason = _text(_l("Reden"), 500, required=True, description=SEEN_BY_EVERYONE, message=_l("Geef een reden op."))

    def slot(self) -> Slot | None:
        return self._slot("new")


class CancelForm(FlaskForm):
    """Cancel a confirmed meeting, with a reason everyone reads."""

    reason = _text(_l("Reden"), 500, required=True, description=SEEN_BY_EVERYONE, message=_l("Geef een reden op."))


class OutcomeForm(FlaskForm):
    """After the meeting: continue to a stage, or not retained with a reason (the coach reads it)."""

    outcome = RadioField(_l("Hoe ging het?"), choices=[SelectChoice("continue", _l("We gaan verder: we willen een stage afspreken")),
                                                         SelectChoice("not_retained", _l("We gaan niet verder"))],
                         validators=[InputRequired(_l("Kies hoe het ging."))])
    reason = SelectField(_l("Reden (als je niet verder gaat)"), choices=[], validators=[Optional()])
    note = _text(_l("Toelichting voor de coach (optioneel)"), 1000, area=True, description=SEEN_BY_COACH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [SelectChoice("", _l("Kies een reden"))] + [
            SelectChoice(code, OUTCOME_REASON_LABELS[code]) for code in OUTCOME_DECLINE_REASONS
        ]

    def validate_reason(self, field):
        if self.outcome.data == "not_retained" and not field.data:
            raise ValidationError(_l("Geef een reden op."))


class MessageForm(FlaskForm):
    """A message in the conversation about a proposal."""

    body = _text(_l("Bericht"), MESSAGE_MAX, required=True, area=True, message=_l("Schrijf eerst een bericht."))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (pick this slot, ask for other times)."""


class ProposeForm(FlaskForm):
    """The coach's motivation when proposing a place: the employer reads it."""

    motivation = _text(_l("Waarom past deze kandidaat bij deze plaats?"), MOTIVATION_MAX, required=True, area=True,
                       description=_l("De werkgever ziet dit. Schrijf over wat de kandidaat kan en wil, niet over gezondheid of beperkingen."),
                       message=_l("Schrijf kort waarom dit past."))
