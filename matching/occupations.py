"""Occupation wishes: ESCO occupations (seeds/occupations.csv) and resolution of what people write to them.

A participant's wish ("magazijnier", "heftruckchauffeur", "warehouse worker") and a place's occupation
(an ESCO URI, a label, or else its title) resolve to an occupation by exact lookup among the Dutch
preferred and alternative labels (folded), else by ``token_sort_ratio`` and spaces-removed ``ratio``
(>= 85, typos tolerated) over all of them. Loading happens when asked, never at import time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from matching.text import fold

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
OCCUPATION_CUTOFF = 85.0
#: Longest wish or occupation text accepted (a label is far shorter; more is not a wish).
MAX_OCCUPATION_TEXT = 200
#: Credit for a wish of another occupation in the same ISCO unit group.
SAME_GROUP_CREDIT = 0.5


@dataclass(frozen=True, slots=True)
class Occupation:
    """One ESCO occupation with its Dutch labels and ISCO unit group."""

    uri: str
    label: str
    alt_labels: tuple[str, ...]
    isco_group: str


class Occupations:
    """ESCO occupations with their lookup tables."""

    def __init__(self, occupations: Sequence[Occupation]) -> None:
        self.occupations = tuple(occupations)
        self.by_uri = {o.uri: k for k, o in enumerate(self.occupations)}
        exact: dict[str, int] = {}
        for k, occupation in enumerate(self.occupations):
            for label in (occupation.label, *occupation.alt_labels):
                exact.setdefault(fold(label), k)
        self.exact = exact
        self.choices = list(exact)
        self.choices_sorted = [" ".join(sorted(c.split())) for c in self.choices]
        self.choices_joined = [c.replace(" ", "") for c in self.choices]
        self.owner = np.asarray(list(exact.values()), dtype=np.int64)
        groups: dict[str, int] = {}
        self.group = np.asarray(
            [groups.setdefault(o.isco_group, len(groups)) for o in self.occupations], dtype=np.int64
        )
        self._resolved: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.occupations)

    def resolve(self, texts: Iterable[str]) -> list[int]:
        """Return the occupation index of each text (an ESCO URI or what people write), or -1."""
        texts = list(texts)
        new = [t for t in dict.fromkeys(texts) if t not in self._resolved]
        queries: list[str] = []
        for text in new:
            if text in self.by_uri:
                self._resolved[text] = self.by_uri[text]
                continue
            folded = fold(text)
            hit = self.exact.get(folded)
            if hit is not None:
                self._resolved[text] = hit
            else:
                queries.append(text)
        if queries and self.choices:
            query_texts = [fold(q) for q in queries]
            scores = process.cdist(
                [" ".join(sorted(f.split())) for f in query_texts],
                self.choices_sorted,
                scorer=fuzz.ratio,
                score_cutoff=OCCUPATION_CUTOFF,
                dtype=np.uint8,
                workers=-1,
            )
            joined = process.cdist(
                [f.replace(" ", "") for f in query_texts],
                self.choices_joined,
                scorer=fuzz.ratio,
                score_cutoff=OCCUPATION_CUTOFF,
                dtype=np.uint8,
                workers=-1,
            )
            scores = np.maximum(scores, joined)
            best = scores.argmax(axis=1)
            for text, k, score in zip(
                queries, best.tolist(), scores[np.arange(len(queries)), best].tolist(), strict=True
            ):
                self._resolved[text] = int(self.owner[k]) if score > 0 else -1
        for text in queries:
            self._resolved.setdefault(text, -1)
        return [self._resolved[t] for t in texts]


def load_occupations(path: str | Path | None = None) -> Occupations:
    """Load ESCO occupations from an occupations.csv file (default: the repository's seeds/)."""
    path = Path(path) if path is not None else SEEDS_DIR / "occupations.csv"
    rows: list[Occupation] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            alts = tuple(a.strip() for a in (row.get("alt_labels_nl") or "").split("|") if a.strip())
            rows.append(
                Occupation(row["esco_uri"].strip(), row["label_nl"].strip(), alts, row["isco_group"].strip())
            )
    return Occupations(rows)


@lru_cache(maxsize=1)
def default_occupations() -> Occupations:
    """Return the occupations of seeds/occupations.csv, loaded on first use."""
    return load_occupations()
