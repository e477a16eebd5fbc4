"""Settings maintained by admins (phase maxima, success definition, retention, place expiry), with defaults."""
from __future__ import annotations

import copy

from sqlmodel import Session

from web.models import Setting, utcnow

SUCCESS_RULES = ("hired_still_employed", "hired")
DEFAULTS: dict[str, object] = {
    # published maxima: voortraject 1 month, jobmatching 3, stage 3, nazorg 3
    "phase_max_days": {"voortraject": 30, "jobmatching": 90, "stage": 90, "nazorg": 90},
    # default: a regular contract signed within the trajectory and still employed at the end of nazorg
    "success_definition": {"rule": "hired_still_employed", "target_pct": 75},
    "retention_days": 730,
    "place_expiry_days": 60,
}


def get_setting(*, session: Session, key: str):
    """Return a setting's value, falling back to its default (a copy, safe to change)."""
    row = session.get(Setting, key)
    default = copy.deepcopy(DEFAULTS.get(key))
    if row is None or row.value is None:
        return default
    if isinstance(default, dict) and isinstance(row.value, dict):
        return {**default, **row.value}
    return row.value


def set_setting(*, session: Session, key: str, value) -> Setting:
    """Store a setting's value."""
    row = session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=value)
    else:
        row.value = value
        row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def phase_max_days(*, session: Session) -> dict[str, int]:
    """The maximum number of days per phase: the coach area's helper when present, else the setting."""
    try:
        from web.services.trajectories import phase_max_days as coach_phase_max_days
    except ImportError:
        return get_setting(session=session, key="phase_max_days")
    try:
        return dict(coach_phase_max_days(session))
    except TypeError:
        return dict(coach_phase_max_days(session=session))
