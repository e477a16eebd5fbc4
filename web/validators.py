"""Form validators shared by every area: KBO numbers, postal codes, plain text."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

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
