"""Frozen dataclasses that go into and come out of the matching engine.

The web application converts its database rows into these objects, calls the engine and
stores or renders what comes back. Nothing here knows about Flask or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

Id = int | str

#: CEFR levels in increasing order; a participant qualifies when their level is at least the place's.
DUTCH_LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2")
SKILL_LEVELS: tuple[int, ...] = (1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class SkillClaim:
    """A skill a participant says they have, with a level from 1 (beginner) to 4 (expert)."""

    name: str
    level: int = 2
    taxonomy_id: str | None = None


@dataclass(frozen=True, slots=True)
class Participant:
    """A participant looking for a stage place, as the engine needs to see them."""

    id: Id
    skills: tuple[SkillClaim, ...]
    postal_code: str
    max_distance_km: float | None
    hours_per_week: float
    dutch_level: str | None
    driving_licence: bool
    sectors: tuple[str, ...] = ()
    occupations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SkillRequirement:
    """A skill a stage place asks for: required or nice to have, with a minimum level."""

    name: str
    required: bool = True
    min_level: int = 1
    taxonomy_id: str | None = None


@dataclass(frozen=True, slots=True)
class Vacancy:
    """A stage place published by an employer."""

    id: Id
    title: str
    sector: str
    skills: tuple[SkillRequirement, ...]
    postal_code: str
    hours_per_week: float
    dutch_level: str | None
    driving_licence_required: bool
    places: int = 1
    filled: int = 0
    is_open: bool = True
    occupation: str | None = None

    @property
    def free_places(self) -> int:
        """Return how many participants this place can still take."""
        if not self.is_open:
            return 0
        return max(0, self.places - self.filled)


@dataclass(frozen=True, slots=True)
class Weights:
    """Relative weights of the score components; they are renormalised over applicable components."""

    required: float = 0.55
    nice: float = 0.15
    precision: float = 0.20
    distance: float = 0.15
    hours: float = 0.10
    sector: float = 0.05
    occupation: float = 0.25

    @classmethod
    def from_value(cls, value: Weights | dict[str, float] | None) -> Weights:
        """Build weights from None (defaults), a mapping of component names, or a Weights."""
        if value is None:
            return cls()
        if isinstance(value, Weights):
            return value
        known = {f.name for f in fields(cls)}
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"unknown weight component(s): {', '.join(sorted(unknown))}")
        weights = cls(**{k: float(v) for k, v in value.items()})
        if any(getattr(weights, name) < 0 for name in known):
            raise ValueError("weights must not be negative")
        if sum(getattr(weights, name) for name in known) <= 0:
            raise ValueError("at least one weight must be positive")
        return weights

    def as_dict(self) -> dict[str, float]:
        """Return the weights as a plain mapping."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class MatchResult:
    """One scored participant–place pair with its language-neutral explanation."""

    participant_id: Id
    vacancy_id: Id
    score: float
    excluded: bool
    explanation: dict[str, Any] = field(compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable mapping."""
        return {
            "participant_id": self.participant_id,
            "vacancy_id": self.vacancy_id,
            "score": self.score,
            "excluded": self.excluded,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class Assignment:
    """A participant proposed for a place by the global assignment."""

    participant_id: Id
    vacancy_id: Id
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable mapping."""
        return {"participant_id": self.participant_id, "vacancy_id": self.vacancy_id, "score": self.score}


@dataclass(frozen=True, slots=True)
class AssignmentResult:
    """Capacity-aware assignment with its summary figures and the naive top-1 comparison."""

    assignments: tuple[Assignment, ...]
    total_score: float
    coverage: float
    assigned: int
    participants: int
    max_per_place: int
    method: str
    naive: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable mapping."""
        return {
            "assignments": [a.to_dict() for a in self.assignments],
            "coverage": self.coverage,
            "total_score": self.total_score,
            "max_per_place": self.max_per_place,
            "assigned": self.assigned,
            "participants": self.participants,
            "method": self.method,
            "naive_top1": self.naive,
        }
