"""Stagebrug matching engine: explainable fuzzy skill matching, hard constraints, rankings, assignment.

Pure Python + numpy/scipy/rapidfuzz; no Flask, no database. See docs/matching.md.
"""

from matching.engine import Engine
from matching.errors import InputError
from matching.geo import Geo, load_geo
from matching.models import (
    Assignment,
    AssignmentResult,
    MatchResult,
    Participant,
    SkillClaim,
    SkillRequirement,
    Vacancy,
    Weights,
)
from matching.vocabulary import SkillEntry, Vocabulary, load_vocabulary

#: Bump whenever scoring changes, so stored scores can be recognised as stale.
ENGINE_VERSION = "1.1.0"

__all__ = [
    "ENGINE_VERSION",
    "Assignment",
    "AssignmentResult",
    "Engine",
    "Geo",
    "InputError",
    "MatchResult",
    "Participant",
    "SkillClaim",
    "SkillEntry",
    "SkillRequirement",
    "Vacancy",
    "Vocabulary",
    "Weights",
    "load_geo",
    "load_vocabulary",
]
