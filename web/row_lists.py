"""Repeating form rows: a FieldList that refuses (instead of silently dropping) rows beyond its maximum."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList
from wtforms.utils import unset_value


class RowList(FieldList):
    """A FieldList of repeating rows whose form posts may add rows; more than max_entries is a form error.

    ``overflow_message`` (with ``%(max)d``) says it in the field's own words; the default names "regels".
    """

    def __init__(self, *args, overflow_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.overflow_message = overflow_message

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.overflow_error = None
        if formdata and self.max_entries and len(set(self._extract_indices(self.name, formdata))) > self.max_entries:
            if self.overflow_message is not None:
                self.overflow_error = self.overflow_message % {"max": self.max_entries}
            else:
                self.overflow_error = _l("Je kan hier hoogstens %(max)d regels invullen.", max=self.max_entries)
        super().process(formdata, data=data, extra_filters=extra_filters)

    def validate(self, form, extra_validators=()):
        valid = super().validate(form, extra_validators)
        return valid and self.overflow_error is None

    def blank_row(self) -> dict[str, str]:
        """The values of a new, empty row (select defaults), for the page's add-a-row button."""
        if not self.entries:
            return {}
        return {f.short_name: "" if f.default is None else str(f.default) for f in self.entries[0].form}
