"""Validation of the values in participant and vacancy records (apart from the maths).

Each check returns the clean value or raises ``InputError`` naming the record and the field.
"""

from __future__ import annotations

import math
from typing import Any

from matching.errors import InputError
from matching.models import DUTCH_LEVELS, SKILL_LEVELS
from matching.occupations import MAX_OCCUPATION_TEXT

DUTCH_INDEX = {level: i for i, level in enumerate(DUTCH_LEVELS)}


def dutch_level(value: Any, kind: str, index: int, record_id: Any) -> int:
    """Return the index of a CEFR level (A1 = 0), or -1 when none is given."""
    if value is None or value == "":
        return -1
    level = DUTCH_INDEX.get(str(value).strip().upper())
    if level is None:
        raise InputError(kind, index, record_id, "dutch_level", f"unknown level {value!r} (expected A1…C2)")
    return level


def number(value: Any, kind: str, index: int, record_id: Any, field: str, *, positive: bool = False) -> float:
    """Return a finite non-negative (or positive) number as a float."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
        or (positive and value == 0)
    ):
        expected = "a positive number" if positive else "a non-negative number"
        raise InputError(kind, index, record_id, field, f"must be {expected}, got {value!r}")
    return float(value)


def skill_level(value: Any, kind: str, index: int, record_id: Any, field: str) -> int:
    """Return a skill level 1-4."""
    if type(value) is int and 1 <= value <= 4:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value not in SKILL_LEVELS:
        raise InputError(kind, index, record_id, field, f"must be an integer 1–4, got {value!r}")
    return value


def skill_name(value: Any, kind: str, index: int, record_id: Any, field: str) -> str:
    """Return a non-empty skill name."""
    if type(value) is str and value and not value.isspace():
        return value
    if not isinstance(value, str) or not value.strip():
        raise InputError(kind, index, record_id, field, f"must be a non-empty skill name, got {value!r}")
    return value


def occupation_texts(value: Any, kind: str, index: int, record_id: Any) -> list[str]:
    """Return a participant's occupation wishes: a list of non-empty strings of at most 200 characters."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InputError(
            kind, index, record_id, "occupations", f"must be a list of strings, got {value!r}"[:200]
        )
    out = []
    for k, wish in enumerate(value):
        out.append(_occupation_text(wish, kind, index, record_id, f"occupations[{k}]"))
    return out


def occupation_of(value: Any, title: str, kind: str, index: int, record_id: Any) -> str:
    """Return a place's occupation (an ESCO URI or a label), its title when none is given."""
    if value is None or value == "":
        return title if isinstance(title, str) else ""
    return _occupation_text(value, kind, index, record_id, "occupation")


def _occupation_text(value: Any, kind: str, index: int, record_id: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(kind, index, record_id, field, f"must be a non-empty string, got {value!r}"[:200])
    if len(value) > MAX_OCCUPATION_TEXT:
        raise InputError(
            kind,
            index,
            record_id,
            field,
            f"must be at most {MAX_OCCUPATION_TEXT} characters, got {len(value)}",
        )
    return value


def count(value: Any, kind: str, index: int, record_id: Any, field: str) -> int:
    """Return a non-negative integer (places, filled)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(kind, index, record_id, field, f"must be a non-negative integer, got {value!r}")
    return value
