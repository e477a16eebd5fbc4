"""Numbers, money, percentages, dates and times as people write them in Belgium (nl-BE) and Britain (en-GB).

The interface language is ``nl`` or ``en``; formatting uses the regional locale behind it, so Dutch pages
print "52,4 %"-style figures with a decimal comma and English dates read "30/01/2027, 19:11" (never US
style). Times are shown in Europe/Brussels time and never with seconds. ``parse_decimal`` reads what a
person types into a number field: a decimal comma or a decimal point, with or without thousands separators.
Every template filter here is registered in ``web.layout``.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers
from flask import has_request_context
from flask_babel import get_locale, get_timezone

#: interface language -> the regional locale used for formatting
REGIONAL_LOCALES = {"nl": "nl_BE", "en": "en_GB"}
DASH = "—"


def regional_locale(language: str | None = None) -> Locale:
    """The formatting locale for an interface language (default: the current request's)."""
    if language is None:
        language = str(get_locale() or "nl") if has_request_context() else "nl"
    language = language.split("_")[0]
    return Locale.parse(REGIONAL_LOCALES.get(language, "nl_BE"))


def _timezone():
    try:
        return get_timezone()
    except RuntimeError:  # outside an app context
        return babel_dates.get_timezone("Europe/Brussels")


def format_number(value, digits: int | None = None, language: str | None = None) -> str:
    """A number with the locale's separators; ``digits`` fixes the decimals, else up to two, trailing zeros dropped."""
    if value is None:
        return DASH
    if digits is None:
        pattern = "#,##0.##"
    else:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=regional_locale(language), decimal_quantization=True)


def format_percent(value, digits: int = 0, language: str | None = None) -> str:
    """A percentage from a value in percent (52.4 -> "52,4%" in Dutch, "52.4%" in English)."""
    if value is None:
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return babel_numbers.format_percent(Decimal(str(value)) / 100, format=pattern, locale=regional_locale(language))


def format_percent_range(low, high, language: str | None = None) -> str:
    """A range of percentages with the sign once ("20–75%")."""
    if low is None:
        return DASH
    if high is None or high == low:
        return format_percent(low, language=language)
    return f"{format_number(low, language=language)}–{format_percent(high, language=language)}"


def format_money(value, language: str | None = None) -> str:
    """An amount in euro with cents ("€ 4,50" in Dutch, "€4.50" in English)."""
    if value is None:
        return DASH
    return babel_numbers.format_currency(value, "EUR", locale=regional_locale(language))


def format_date(value, fmt: str = "medium", language: str | None = None) -> str:
    """A date ("30 jan. 2027" / "30 Jan 2027"; ``short``: "30/01/2027"); a datetime is shown as date and time."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return format_datetime(value, fmt, language=language)
    if isinstance(value, date):
        return babel_dates.format_date(value, "short" if fmt == "short" else ("long" if fmt == "long" else "medium"),
                                       locale=regional_locale(language))
    return str(value)


def format_datetime(value, fmt: str = "medium", language: str | None = None) -> str:
    """A moment in Brussels time without seconds ("30 jan 2027, 19:11"; ``short``: "30/01/2027, 19:11")."""
    if value is None:
        return DASH
    locale = regional_locale(language)
    zone = _timezone()
    if value.tzinfo is not None:
        value = value.astimezone(zone)
    day = babel_dates.format_date(value.date(), "short" if fmt == "short" else "medium", locale=locale)
    time = babel_dates.format_time(value.time(), "short", locale=locale)
    return locale.datetime_formats["short" if fmt == "short" else "medium"].format(time, day)


def format_time(value, language: str | None = None) -> str:
    """A time of day without seconds, in Brussels time."""
    if value is None:
        return DASH
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(_timezone())
    return babel_dates.format_time(value if not isinstance(value, datetime) else value.time(), "short", locale=regional_locale(language))


def format_hours(value, language: str | None = None) -> str:
    """A number of hours ("2,5 uur" / "2.5 hours")."""
    from flask_babel import ngettext

    if value is None:
        return DASH
    return ngettext("%(hours)s uur", "%(hours)s uur", 1 if value == 1 else 2, hours=format_number(value, language=language))


def format_days(value, language: str | None = None) -> str:
    """A number of days ("37 dagen" / "37 days")."""
    from flask_babel import ngettext

    if value is None:
        return DASH
    return ngettext("%(days)s dag", "%(days)s dagen", 1 if value == 1 else 2, days=format_number(value, language=language))


_DIGITS = re.compile(r"^[+-]?[\d.,\s\u00a0\u202f']+$")


def parse_decimal(text: str | None) -> Decimal | None:
    """Read a typed number: "4,50", "4.50", "1.234,50", "1,234.50", "1 234,5" -> Decimal; None when empty.

    With both a comma and a point, the last one is the decimal mark. With one kind used once, it is the
    decimal mark ("4,50" and "4.50" are both four and a half); used more than once, it separates thousands.
    Raises ValueError for anything else.
    """
    if text is None:
        return None
    cleaned = text.strip().replace("€", "").strip()
    if not cleaned:
        return None
    if not _DIGITS.match(cleaned):
        raise ValueError(text)
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", cleaned)
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif cleaned.count(",") > 1 or cleaned.count(".") > 1:
        cleaned = cleaned.replace(",", "").replace(".", "")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def input_decimal(value, language: str | None = None) -> str:
    """A stored number as it goes back into a form field: the locale's decimal mark, no thousands separator."""
    if value is None or value == "":
        return ""
    return babel_numbers.format_decimal(value, format="0.##", locale=regional_locale(language))


def format_choices(values, language: str | None = None) -> str:
    """Alternatives as a sentence says them: "a, b of c" in Dutch, "a, b or c" in English."""
    items = [str(v) for v in values or () if str(v).strip()]
    if not items:
        return DASH
    return babel_lists.format_list(items, style="or", locale=regional_locale(language))


_BULLET = re.compile(r"^\s*[-*\u2022\u2013\u00b7]\s+")


def text_lines(text: str | None) -> list[str]:
    """The lines someone typed in a text area, each trimmed, without empty lines or a leading bullet ("- ", "* ", "• ")."""
    if not text:
        return []
    lines = []
    for raw in str(text).splitlines():
        line = _BULLET.sub("", raw).strip()
        if line:
            lines.append(line)
    return lines


TEMPLATE_FILTERS = {
    "number": format_number,
    "percent": format_percent,
    "percent_range": format_percent_range,
    "euro": format_money,
    "money": format_money,
    "date": format_date,
    "datetime": format_datetime,
    "time": format_time,
    "hours": format_hours,
    "days": format_days,
    "join_or": format_choices,
    "text_lines": text_lines,
}
