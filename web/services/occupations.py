"""Occupation wishes (beroepswensen) and a place's occupation: suggestions for the autocomplete, resolution to an
ESCO occupation, and the cleaning of a wish list.

The occupations are the engine's (``matching.occupations``: seeds/occupations.csv with the Dutch preferred and
alternative labels of ESCO), so what the autocomplete offers, what a place is stored as and what the engine scores
are one list. Typos are tolerated both when suggesting and when resolving.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from matching.occupations import Occupation, default_occupations
from matching.text import fold

MAX_WISHES = 5
MAX_WISH_LENGTH = 120
SUGGEST_CUTOFF = 80.0  # partial_ratio of the typed text against a label, for typo-tolerant suggestions


@lru_cache(maxsize=1)
def _labels() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every Dutch label (preferred first, then alternative ones) and its folded form, once per process."""
    labels: dict[str, None] = {}
    for occupation in default_occupations().occupations:
        labels.setdefault(occupation.label)
    for occupation in default_occupations().occupations:
        for alt in occupation.alt_labels:
            labels.setdefault(alt)
    texts = tuple(labels)
    return texts, tuple(fold(t) for t in texts)


def _rank(folded: str, query: str) -> int | None:
    if folded.startswith(query):
        return 0
    if f" {query}" in folded or f"-{query}" in folded:
        return 1
    if query in folded:
        return 2
    return None


def suggest_occupations(query: str, limit: int = 12) -> list[str]:
    """Occupation labels for what someone typed, best first: prefix and word matches, then close spellings."""
    q = fold(query or "")
    if len(q) < 2:
        return []
    texts, folded = _labels()
    scored: dict[str, tuple[int, float]] = {}
    for text, low in zip(texts, folded, strict=True):
        rank = _rank(low, q)
        if rank is not None:
            scored.setdefault(text, (rank, 0.0))
    if len(scored) < limit and len(q) >= 4:
        # typos: "magazinier", "heftruckchaufeur" still find "magazijnier", "heftruckchauffeur"; a label longer than
        # the text is compared with its best-matching part (the text may be the start of it), a shorter one whole
        whole = process.cdist([q], folded, scorer=fuzz.ratio, dtype=np.uint8)[0]
        part = process.cdist([q], folded, scorer=fuzz.partial_ratio, dtype=np.uint8)[0]
        longer = np.fromiter((len(f) >= len(q) for f in folded), dtype=bool, count=len(folded))
        score = np.where(longer, np.maximum(whole, part), whole)
        for index in np.flatnonzero(score >= SUGGEST_CUTOFF):
            scored.setdefault(texts[index], (3, -float(score[index])))
    ordered = sorted(scored.items(), key=lambda kv: (kv[1][0], kv[1][1], len(kv[0]), kv[0]))
    return [text for text, _rank_key in ordered[:limit]]


def resolve_occupation(text: str | None) -> Occupation | None:
    """The ESCO occupation a text names (an ESCO URI, a Dutch label, or a close misspelling of one), if any."""
    text = " ".join((text or "").split())
    if not text:
        return None
    occupations = default_occupations()
    index = occupations.resolve([text])[0]
    return occupations.occupations[index] if index >= 0 else None


def occupation_uri(text: str | None) -> str | None:
    """The ESCO URI of the occupation a text names, if any."""
    occupation = resolve_occupation(text)
    return occupation.uri if occupation else None


def clean_wishes(values: Iterable[str | None]) -> list[str]:
    """The wishes as stored: spaces tidied, blanks dropped, the same wish (any case) once, in the given order."""
    wishes: list[str] = []
    seen: set[str] = set()
    for value in values:
        wish = " ".join((value or "").split())
        if wish and wish.casefold() not in seen:
            seen.add(wish.casefold())
            wishes.append(wish)
    return wishes


def recognised_as(wishes: Iterable[str]) -> list[tuple[str, str | None]]:
    """Each wish with the ESCO occupation label it is read as (None when it matches no occupation)."""
    rows = []
    for wish in wishes:
        occupation = resolve_occupation(wish)
        rows.append((wish, occupation.label if occupation else None))
    return rows
