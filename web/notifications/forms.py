"""Forms of the notifications area."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from web.services.notifications import EMAIL_CATEGORIES


class EmailPreferencesForm(FlaskForm):
    """Which categories of notifications a user also wants by e-mail."""

    proposals = BooleanField(EMAIL_CATEGORIES["proposals"])
    meetings = BooleanField(EMAIL_CATEGORIES["meetings"], description=_l("Uitnodigingen voor je agenda krijg je altijd."))
    messages = BooleanField(EMAIL_CATEGORIES["messages"])
    reminders = BooleanField(EMAIL_CATEGORIES["reminders"])
    aftercare = BooleanField(EMAIL_CATEGORIES["aftercare"])
    general = BooleanField(EMAIL_CATEGORIES["general"], description=_l("Bijvoorbeeld nieuws over je account."))

    def category_fields(self):
        return [getattr(self, key) for key in EMAIL_CATEGORIES]
