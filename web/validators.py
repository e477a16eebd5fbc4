"""Form validators shared by every area: KBO numbers, postal codes, plain text."""
from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField
from wtforms.validators import StopValidation, ValidationError

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


class LocalDecimalField(DecimalField):
    """A number field that accepts a decimal comma or point ("4,50", "4.50", "1.234,50") and shows the
    stored value back with the reader's decimal mark."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0]
        self.raw_data = valuelist
        try:
            self.data = parse_decimal(raw) if isinstance(raw, str) else (Decimal(str(raw)) if raw is not None else None)
        except (ValueError, ArithmeticError) as exc:
            self.data = None
            raise ValueError(str(_l("Vul een getal in."))) from exc
        if self.data is not None and self.places is not None:
            self.data = self.data.quantize(Decimal(1).scaleb(-self.places))

    def pre_validate(self, form):
        if self.process_errors:  # an unreadable number: say only that, not also "out of range"
            raise StopValidation()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return input_decimal(self.data)
