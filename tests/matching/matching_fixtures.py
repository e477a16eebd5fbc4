"""Builders for engine tests: the test vocabulary, postal codes and small participant/place factories."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from matching import (
    Engine,
    Geo,
    Participant,
    SkillClaim,
    SkillRequirement,
    Vacancy,
    Vocabulary,
    load_geo,
    load_vocabulary,
)

DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Return the test vocabulary (tests/matching/data/skills.csv), built once per session."""
    return load_vocabulary(DATA / "skills.csv")


@lru_cache(maxsize=1)
def geo() -> Geo:
    """Return the test postal-code table, built once per session."""
    return load_geo(DATA / "postal_codes.csv")


def make_engine(**kwargs) -> Engine:
    """Return an engine on the test vocabulary and postal codes."""
    return Engine(vocabulary=vocabulary(), geo=geo(), **kwargs)


def make_participant(id=1, skills=(("heftruck", 3),), **overrides) -> Participant:
    """Build a participant in Antwerp who can do most entry-level jobs, with the given (name, level) skills."""
    values = dict(
        id=id,
        skills=tuple(SkillClaim(name, level) for name, level in skills),
        postal_code="2000",
        max_distance_km=30,
        hours_per_week=38,
        dutch_level="B1",
        driving_licence=True,
        sectors=(),
    )
    values.update(overrides)
    return Participant(**values)


def make_vacancy(id=10, skills=(("heftruck rijden", True, 2),), **overrides) -> Vacancy:
    """Build an open place in Antwerp with the given (name, required, min_level) skills."""
    values = dict(
        id=id,
        title="Magazijnmedewerker",
        sector="logistiek",
        skills=tuple(SkillRequirement(name, required, level) for name, required, level in skills),
        postal_code="2000",
        hours_per_week=30,
        dutch_level="A2",
        driving_licence_required=False,
        places=1,
        filled=0,
        is_open=True,
    )
    values.update(overrides)
    return Vacancy(**values)
