"""The skill vocabulary (seeds/skills.csv) and resolution of free skill text to its entries.

Loading is stdlib-only (csv) and happens when asked, never at import time. Resolution first
looks the normalised text up exactly among all Dutch and English labels and variants, then
falls back to ``rapidfuzz.process.cdist`` over all of them for the strings that did not hit,
keeping the best entry and its similarity (0-100) when it reaches the cut-off.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from matching.similarity import WordSpace, build_word_space
from matching.text import DEFAULT_SCORER, SCORERS, Normaliser

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
RESOLVE_CUTOFF = 85.0


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """One vocabulary skill with its Dutch and English labels and variants."""

    id: str
    label_nl: str
    label_en: str
    group: str
    variants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Resolution:
    """The vocabulary entry a string resolved to (index into entries) and how well, or index -1."""

    normalised: str
    entry: int
    similarity: float


class Vocabulary:
    """Skill entries plus the normaliser and lookup tables built from them."""

    def __init__(
        self,
        entries: Sequence[SkillEntry],
        *,
        scorer: str = DEFAULT_SCORER,
        cutoff: float = RESOLVE_CUTOFF,
    ) -> None:
        if scorer not in SCORERS:
            raise ValueError(f"unknown scorer {scorer!r}; choose one of {', '.join(SCORERS)}")
        self.entries: tuple[SkillEntry, ...] = tuple(entries)
        self.scorer_name = scorer
        self.scorer = SCORERS[scorer]
        self.cutoff = cutoff
        self.index_by_id: dict[str, int] = {}
        for i, entry in enumerate(self.entries):
            if entry.id in self.index_by_id:
                raise ValueError(f"duplicate skill id {entry.id!r}")
            self.index_by_id[entry.id] = i
        words: list[str] = []
        for entry in self.entries:
            words.extend(entry.variants)
        self.normalise = Normaliser(words)
        exact: dict[str, int] = {}
        for i, entry in enumerate(self.entries):
            for variant in entry.variants:
                norm = self.normalise(variant)
                if norm:
                    exact.setdefault(norm, i)
        choices = list(exact)
        owners = list(exact.values())
        # Dutch writes compounds together or apart ("heftruck chauffeur", "heftruckchauffeur"):
        # unresolved text is also compared with spaces removed, with plain ratio (no subset scoring).
        self.choices_joined = [c.replace(" ", "") for c in choices]
        self.choices_sorted = [" ".join(sorted(c.split())) for c in choices]
        self.exact = exact
        self.choices = choices
        self.choice_owner = np.asarray(owners, dtype=np.int64)
        self._resolved: dict[str, Resolution] = {}
        self._word_space: WordSpace | None = None
        self._word_space_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.entries)

    def word_space(self) -> WordSpace:
        """Return the word weights and form vectors for graded similarity (built on first use)."""
        if self._word_space is None:
            with self._word_space_lock:
                if self._word_space is None:
                    self._word_space = build_word_space(self.choices)
        return self._word_space

    def entry_for(self, taxonomy_id: str) -> int:
        """Return the entry index for a vocabulary id, or -1 when unknown."""
        return self.index_by_id.get(taxonomy_id, -1)

    def resolve(self, texts: Iterable[str]) -> list[Resolution]:
        """Resolve free skill texts to vocabulary entries, caching the answers."""
        texts = list(texts)
        resolved = self._resolved
        new = [text for text in dict.fromkeys(texts) if text not in resolved]
        if new:
            normalise, exact = self.normalise, self.exact
            norms = [normalise(text) for text in new]
            hits = [exact.get(norm) for norm in norms]
            queries = list(dict.fromkeys(norm for norm, hit in zip(norms, hits, strict=True) if hit is None))
            by_query = dict(zip(queries, self._best_entries(queries), strict=True))
            for text, norm, hit in zip(new, norms, hits, strict=True):
                resolved[text] = Resolution(norm, hit, 100.0) if hit is not None else by_query[norm]
        return [resolved[text] for text in texts]

    def _best_entries(self, queries: list[str]) -> list[Resolution]:
        """Return the best entry (and similarity) at or above the cut-off for each normalised query."""
        if not queries or not self.choices:
            return [Resolution(q, -1, 0.0) for q in queries]
        # Spaces removed, plain ratio: catches compounds written apart or with a typo inside.
        scores = process.cdist(
            [q.replace(" ", "") for q in queries],
            self.choices_joined,
            scorer=fuzz.ratio,
            score_cutoff=self.cutoff,
            dtype=np.uint8,
            workers=-1,
        )
        # The configured scorer on the normalised words. For one-word text token_sort_ratio equals the
        # joined ratio above up to the spaces, so it only runs on multi-word text, and as plain ratio on
        # words sorted once up front (what token_sort_ratio does for every pair).
        if self.scorer_name == "token_sort":
            rows = [k for k, q in enumerate(queries) if " " in q]
            words = [" ".join(sorted(queries[k].split())) for k in rows]
            choices, scorer = self.choices_sorted, fuzz.ratio
        else:
            rows = list(range(len(queries)))
            words = queries
            choices, scorer = self.choices, self.scorer
        if rows:
            word_scores = process.cdist(
                words, choices, scorer=scorer, score_cutoff=self.cutoff, dtype=np.uint8, workers=-1
            )
            scores[rows] = np.maximum(scores[rows], word_scores)
        best = scores.argmax(axis=1)
        best_score = scores[np.arange(len(queries)), best].tolist()
        owners = self.choice_owner[best].tolist()
        return [
            Resolution(q, owner, float(score)) if score > 0 and q else Resolution(q, -1, 0.0)
            for q, owner, score in zip(queries, owners, best_score, strict=True)
        ]


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Load the skill vocabulary from a skills.csv file (default: the repository's seeds/)."""
    path = Path(path) if path is not None else SEEDS_DIR / "skills.csv"
    entries: list[SkillEntry] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"id", "label_nl", "variants_nl", "label_en", "variants_en"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for row in reader:
            variants: list[str] = []
            for value in (
                row["label_nl"],
                *(row.get("variants_nl") or "").split("|"),
                row.get("label_en") or "",
                *(row.get("variants_en") or "").split("|"),
            ):
                value = value.strip()
                if value and value not in variants:
                    variants.append(value)
            entries.append(
                SkillEntry(
                    id=row["id"].strip(),
                    label_nl=row["label_nl"].strip(),
                    label_en=(row.get("label_en") or "").strip(),
                    group=(row.get("group") or "").strip(),
                    variants=tuple(variants),
                )
            )
    return Vocabulary(entries)


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """Return the vocabulary from seeds/skills.csv, loaded on first use."""
    return load_vocabulary()
