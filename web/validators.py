"""Form validators shared by every area: KBO numbers, postal codes, plain text."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeLocalField, DecimalField, IntegerField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput

from web.formatting import input_decimal, parse_decimal
from web.services.geo import lookup_postal_code


def normalise_kbo(value: str | None) -> str:
    """Strip dots, spaces and a 'BE' prefix from an enterprise number."""
    digits = re.sub(r"[\s.]", "", (value or "").upper())
    if digits.startswith("BE"):
        digits = digits[2:]
    if len(digits) == 9 and digits.isdigit():
        digits = "0" + digits
    return digits


def kbo_is_valid(value: str | None) -> bool:
    """Check a Belgian enterprise number: 10 digits, starts with 0 or 1, modulo-97 check digits."""
    digits = normalise_kbo(value)
    if len(digits) != 10 or not digits.isdigit() or digits[0] not in "01":
        return False
    return 97 - int(digits[:8]) % 97 == int(digits[8:])


class KboNumber:
    """WTForms validator for a KBO enterprise number."""

    def __call__(self, form, field):
        if field.data and not kbo_is_valid(field.data):
            raise ValidationError(_l("Dit is geen geldig ondernemingsnummer (KBO). Controleer de 10 cijfers."))


class PostalCode:
    """WTForms validator for an existing Belgian postal code."""

    def __call__(self, form, field):
        if not field.data:
            return
        if lookup_postal_code(field.data) is None:
            raise ValidationError(_l("Deze postcode kennen we niet. Geef een Belgische postcode van 4 cijfers."))


REQUIRED = _l("Dit veld is verplicht.")


class NoMarkup:
    """Refuse text that looks like HTML markup (names and titles are shown as plain text everywhere)."""

    def __call__(self, form, field):
        if field.data and any(ch in field.data for ch in "<>"):
            raise ValidationError(_l("Gebruik geen < of > in dit veld."))


# --- bounds on numbers, ids and dates (hostile input never reaches the database or date arithmetic) ----------

MAX_ID = 2**31 - 1  # every integer column fits (PostgreSQL INTEGER, SQLite)
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
DATE_OUT_OF_RANGE = _l("Kies een datum tussen 1900 en 2100.")
NOT_A_PLAIN_NUMBER = _l("Vul een gewoon getal in.")


def optional_id(value):
    """Coerce a select's value to an id, or None when empty; refuse anything that is not an id a table can hold."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    text = str(value).strip()
    if text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_ID:
        return int(text)
    raise ValueError(str(_l("Kies een waarde uit de lijst.")))


def bounded_id(value):
    """Like ``int`` for a select of ids, within the range a table can hold."""
    result = optional_id(value)
    if result is None:
        raise ValueError(str(_l("Kies een waarde uit de lijst.")))
    return result


#: what a date field accepts: the day-first date people write in Belgium and Britain ("31/01/2027", also with
#: "-" or "."), and ISO ("2027-01-31": what a ``<input type=date>``, a script or an older bookmark sends)
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
#: how a date goes back into a field, in Dutch (dd/mm/jjjj) and English (dd/mm/yyyy) alike
DATE_SHOWN = "%d/%m/%Y"
DATE_PLACEHOLDER = _l("dd/mm/jjjj")


class DayFirstDateField(DateField):
    """A date field as a text box that shows and takes the date as people write it here, dd/mm/jjjj in Dutch and
    dd/mm/yyyy in English, and also takes ISO. A native ``<input type=date>`` shows the date in the format of the browser's own
    language, not the page's: an English (US) browser shows 12/15/2026 on a Dutch page, the US style the site
    avoids everywhere else.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, format=None, render_kw=None, **kwargs):
        render_kw = {"placeholder": DATE_PLACEHOLDER, "autocomplete": "off", "size": 10, **(render_kw or {})}
        super().__init__(label, validators, format=list(format or DATE_INPUT_FORMATS), render_kw=render_kw, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime(DATE_SHOWN) if self.data else ""


class BoundedDateField(DayFirstDateField):
    """A date field that refuses dates outside 1900–2100 (date arithmetic on year 1 or 9999 overflows)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not (MIN_DATE <= self.data <= MAX_DATE):
            self.data = None
            raise ValueError(str(DATE_OUT_OF_RANGE))


class BoundedDateTimeLocalField(DateTimeLocalField):
    """A date-and-time field with the same bounds."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not (MIN_DATE <= self.data.date() <= MAX_DATE):
            self.data = None
            raise ValueError(str(DATE_OUT_OF_RANGE))


class FiniteDecimalField(DecimalField):
    """A decimal field that refuses NaN, sNaN and infinities (they pass ``NumberRange`` or break it)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(str(NOT_A_PLAIN_NUMBER))


class BoundedIntegerField(IntegerField):
    """An integer field that refuses values no integer column holds, whatever the field's own range."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > MAX_ID:
            self.data = None
            raise ValueError(str(NOT_A_PLAIN_NUMBER))


def page_arg(args, name: str = "pagina", last: int = 100_000) -> int:
    """The page number from the query string: 1 when missing or odd, never beyond ``last``."""
    value = (args.get(name) or "").strip()
    return min(int(value), last) if value.isdigit() and 0 < len(value) <= 6 and int(value) > 0 else 1


def _is_non_finite(raw) -> bool:
    """True for a typed or given value that reads as NaN, sNaN or an infinity."""
    try:
        return not Decimal(str(raw).strip()).is_finite()
    except (InvalidOperation, ValueError, TypeError):
        return False


class LocalDecimalField(DecimalField):
    """A number field that accepts a decimal comma or point ("4,50", "4.50", "1.234,50") and shows the
    stored value back with the reader's decimal mark.

    It renders as a text input with ``inputmode=decimal`` (a phone shows the number keys): an ``<input
    type=number>`` drops a value written with a decimal comma ("4,50") and, in an English browser, refuses a
    typed comma, so the comma the server accepts would never reach it.
    """

    widget = TextInput()

    def __init__(self, *args, render_kw=None, **kwargs):
        super().__init__(*args, render_kw={"inputmode": "decimal", **(render_kw or {})}, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0]
        self.raw_data = valuelist
        if _is_non_finite(raw):  # "NaN", "sNaN", "Infinity": the same answer as FiniteDecimalField
            self.data = None
            raise ValueError(str(NOT_A_PLAIN_NUMBER))
        try:
            self.data = parse_decimal(raw) if isinstance(raw, str) else (Decimal(str(raw)) if raw is not None else None)
        except (ValueError, ArithmeticError) as exc:
            self.data = None
            raise ValueError(str(_l("Vul een getal in."))) from exc
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(str(NOT_A_PLAIN_NUMBER))
        if self.data is not None and self.places is not None:
            try:
                self.data = self.data.quantize(Decimal(1).scaleb(-self.places))
            except InvalidOperation as exc:  # more digits than a decimal holds: far outside every range
                self.data = None
                raise ValueError(str(NOT_A_PLAIN_NUMBER)) from exc

    def pre_validate(self, form):
        if self.process_errors:  # an unreadable number: say only that, not also "out of range"
            raise StopValidation()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return input_decimal(self.data)
