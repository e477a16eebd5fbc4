"""Occupation wishes: ESCO occupations (seeds/occupations.csv) and resolution of what people write to them.

A participant's wish ("magazijnier", "heftruckchauffeur", "warehouse worker") and a place's occupation
(an ESCO URI, a label, or else its title) resolve to an occupation by exact lookup among the Dutch
preferred and alternative labels (folded), else by ``token_sort_ratio`` and spaces-removed ``ratio``
(>= 85, typos tolerated) over all of them. Loading happens when asked, never at import time.
"""

from __future__ import annotations

import csv
import math
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
SKILL_PREFIX = "http://data.europa.eu/esco/skill/"


@dataclass(frozen=True, slots=True)
class Occupation:
    """One ESCO occupation with its Dutch labels and ISCO unit group."""

    uri: str
    label: str
    alt_labels: tuple[str, ...]
    isco_group: str


class Occupations:
    """ESCO occupations with their lookup tables."""

    def __init__(self, occupations: Sequence[Occupation], *, skills_path: str | Path | None = None) -> None:
        self.occupations = tuple(occupations)
        self._skills_path = Path(skills_path) if skills_path is not None else None
        self._essential: dict[int, tuple[str, ...]] | None = None
        self._specificity: dict[str, float] = {}
        self.by_uri = {o.uri: k for k, o in enumerate(self.occupations)}
        exact: dict[str, int] = {}
        for k, occupation in enumerate(self.occupations):
            for label in (occupation.label, *occupation.alt_labels):
                exact.setdefault(fold(label), k)
        self.exact = exact
        # Every occupation of each label ("beenhouwer" is a label of both "slager" and "slachter").
        all_exact: dict[str, tuple[int, ...]] = {}
        for k, occupation in enumerate(self.occupations):
            for label in dict.fromkeys(fold(label) for label in (occupation.label, *occupation.alt_labels)):
                all_exact[label] = (*all_exact.get(label, ()), k)
        self.all_exact = all_exact
        self.joined_exact: dict[str, tuple[int, ...]] = {}
        for label, ks in all_exact.items():
            self.joined_exact.setdefault(label.replace(" ", ""), ks)
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

    def named(self, text: str) -> tuple[int, ...]:
        """Return every occupation one of whose Dutch labels a text is exactly (folded, spaces ignored)."""
        folded = fold(text)
        hits = self.all_exact.get(folded)
        if hits is None:
            hits = self.joined_exact.get(folded.replace(" ", ""), ())
        return hits

    def essential_skills(self, occupation: int) -> tuple[str, ...]:
        """Return the ESCO URIs of an occupation's essential skills the vocabulary knows (none without the file)."""
        if self._essential is None:
            essential: dict[int, tuple[str, ...]] = {}
            if self._skills_path is not None and self._skills_path.exists():
                with self._skills_path.open(newline="", encoding="utf-8") as handle:
                    for row in csv.DictReader(handle):
                        k = self.by_uri.get(row["esco_uri"].strip())
                        if k is not None:
                            essential[k] = tuple(
                                SKILL_PREFIX + s.strip()
                                for s in row["essential_skills"].split("|")
                                if s.strip()
                            )
            self._essential = essential
            # How specific each skill is to the occupations that need it: ln(N / n) / ln(N) for a skill
            # n of the N occupations need (1 for a skill of one occupation; common skills count little).
            needed: dict[str, int] = {}
            for skills in essential.values():
                for uri in skills:
                    needed[uri] = needed.get(uri, 0) + 1
            total = max(len(essential), 2)
            self._specificity = {uri: math.log(total / n) / math.log(total) for uri, n in needed.items()}
        return self._essential.get(occupation, ())

    def specificity(self, uri: str) -> float:
        """Return how specific an essential skill is to its occupations (0-1; see ``essential_skills``)."""
        if self._essential is None:
            self.essential_skills(-1)
        return self._specificity.get(uri, 0.0)

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
    """Load ESCO occupations from an occupations.csv file (default: the repository's seeds/).

    Their essential skills are read, when first asked, from the occupation_skills.csv beside it.
    """
    path = Path(path) if path is not None else SEEDS_DIR / "occupations.csv"
    rows: list[Occupation] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            alts = tuple(a.strip() for a in (row.get("alt_labels_nl") or "").split("|") if a.strip())
            rows.append(
                Occupation(row["esco_uri"].strip(), row["label_nl"].strip(), alts, row["isco_group"].strip())
            )
    return Occupations(rows, skills_path=path.with_name("occupation_skills.csv"))


@lru_cache(maxsize=1)
def default_occupations() -> Occupations:
    """Return the occupations of seeds/occupations.csv, loaded on first use."""
    return load_occupations()
