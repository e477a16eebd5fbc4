"""The skill vocabulary (seeds/skills.csv plus ESCO's skills) and resolution of free skill text to its entries.

Loading is stdlib-only (csv) and happens when asked, never at import time. The Dutch vocabulary is
joined with ESCO's skills of entry-level work (seeds/esco_skills.csv): an ESCO skill whose URI a Dutch
entry carries adds its English labels to that entry, every other one becomes an entry of its own, and
every entry knows its ESCO skill groups (same-group skills earn partial credit, ``matching.concepts``).
Resolution first looks the normalised text up exactly among all labels and variants, then falls back to
``rapidfuzz.process.cdist`` over them for the strings that did not hit (first the Dutch vocabulary's own
forms, then ESCO's labels for what is still unresolved), keeping the best entry and its similarity
(0-100) when it reaches the cut-off.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz

from matching import vocabulary_cache
from matching.arrays import expand_ranges
from matching.similarity import WordSpace, build_word_space, word_space_from_arrays
from matching.text import DEFAULT_SCORER, SCORERS, LengthIndex, Normaliser, similar_pairs

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
RESOLVE_CUTOFF = 85.0


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """One vocabulary skill with its Dutch and English labels and variants, and what ESCO adds to it.

    ``variants`` are the vocabulary's own forms (they also teach the normaliser Dutch compounds);
    ``esco_labels`` are ESCO's English preferred and alternative labels of the linked skill, and
    ``skill_groups`` its ESCO skill group URIs.
    """

    id: str
    label_nl: str
    label_en: str
    group: str
    variants: tuple[str, ...]
    esco_uri: str = ""
    esco_labels: tuple[str, ...] = ()
    skill_groups: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        """Return every way of writing the skill: the vocabulary's variants, then ESCO's labels."""
        return self.variants + self.esco_labels if self.esco_labels else self.variants


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
        cache_dir: str | Path | None = None,
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
        # Compound parts and stems are learned from the vocabulary's own (Dutch) forms only: English
        # labels must not teach the Dutch compound splitter parts such as "room" or "line".
        self.normalise = Normaliser(words)
        # Normalising every form (ESCO's labels above all) and the word space are the costly part of a
        # build: kept per process and, with ``cache_dir``, on disk (matching.vocabulary_cache).
        self._cache_dir = cache_dir
        self._cache_key = vocabulary_cache.build_key(self.entries)
        prepared = vocabulary_cache.recall(self._cache_key, cache_dir)
        if prepared is None:
            normalise = self.normalise
            prepared = vocabulary_cache.PreparedForms(
                tuple(normalise(form) for entry in self.entries for form in entry.variants)
                + tuple(normalise(label) for entry in self.entries for label in entry.esco_labels)
            )
            vocabulary_cache.remember(self._cache_key, prepared, cache_dir)
        self._prepared = prepared
        normalised = iter(prepared.normalised)
        exact: dict[str, int] = {}
        # The vocabulary's own forms first (a form an ESCO label shares stays with its Dutch entry).
        for i, entry in enumerate(self.entries):
            for _ in entry.variants:
                norm = next(normalised)
                if norm:
                    exact.setdefault(norm, i)
        own_forms = len(exact)
        for i, entry in enumerate(self.entries):
            for _ in entry.esco_labels:
                norm = next(normalised)
                if norm:
                    exact.setdefault(norm, i)
        choices = list(exact)
        owners = list(exact.values())
        #: choices[:own_forms] are the vocabulary's own forms, the rest ESCO's labels.
        self.own_forms = own_forms
        group_index: dict[str, int] = {}
        group_rows: list[int] = []
        group_cols: list[int] = []
        for i, entry in enumerate(self.entries):
            for group in entry.skill_groups:
                group_rows.append(i)
                group_cols.append(group_index.setdefault(group, len(group_index)))
        self.group_index = group_index
        #: entries x ESCO skill groups, 1 where the entry belongs to the group.
        self.entry_groups = sp.csr_matrix(
            (np.ones(len(group_rows)), (group_rows, group_cols)), shape=(len(self.entries), len(group_index))
        )
        self.exact = exact
        self.choices = choices
        self.choice_owner = np.asarray(owners, dtype=np.int64)
        self._resolved: dict[str, Resolution] = {}
        self._word_space: WordSpace | None = None
        self._word_space_lock = threading.Lock()
        self._length_indexes: dict[tuple[int, int], dict[str, LengthIndex]] = {}
        self._entry_forms: tuple[np.ndarray, np.ndarray] | None = None
        self._by_uri: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def word_space(self) -> WordSpace:
        """Return the word weights and form vectors for graded similarity (built on first use)."""
        if self._word_space is None:
            with self._word_space_lock:
                if self._word_space is None:
                    self._word_space = self._stored_word_space()
        return self._word_space

    def _stored_word_space(self) -> WordSpace:
        """Return the word space from the stored build, or build it and store it with the forms."""
        prepared = self._prepared
        if prepared.words is not None and prepared.weight is not None and prepared.form_vectors is not None:
            return word_space_from_arrays(list(prepared.words), prepared.weight, prepared.form_vectors)
        space = build_word_space(self.choices)
        self._prepared = replace(
            prepared, words=tuple(space.words), weight=space.weight, form_vectors=space.form_vectors
        )
        vocabulary_cache.remember(self._cache_key, self._prepared, self._cache_dir)
        return space

    def form_rows(self, entries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (which of ``entries``, row of ``choices``) for every distinct form of those entries."""
        if self._entry_forms is None:
            order = np.argsort(self.choice_owner, kind="stable")
            indptr = np.zeros(len(self.entries) + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.choice_owner, minlength=len(self.entries)), out=indptr[1:])
            self._entry_forms = (indptr, order.astype(np.int64))
        indptr, order = self._entry_forms
        entries = np.asarray(entries, dtype=np.int64)
        which, at = expand_ranges(indptr[entries], indptr[entries + 1] - indptr[entries])
        return which, order[at]

    def entry_of_uri(self, uri: str) -> int:
        """Return the entry that carries an ESCO skill URI (a Dutch entry linked to it first), or -1."""
        if self._by_uri is None:
            by_uri: dict[str, int] = {}
            for i, entry in enumerate(self.entries):
                if entry.esco_uri:
                    by_uri.setdefault(entry.esco_uri, i)
            self._by_uri = by_uri
        return self._by_uri.get(uri, -1)

    def entry_for(self, taxonomy_id: str) -> int:
        """Return the entry index for a vocabulary id, or -1 when unknown."""
        return self.index_by_id.get(taxonomy_id, -1)

    def resolve(self, texts: Iterable[str]) -> list[Resolution]:
        """Resolve free skill texts to vocabulary entries, caching the answers."""
        texts = list(texts)
        resolved = self._resolved
        new = [text for text in dict.fromkeys(texts) if text not in resolved]
        if new:
            exact = self.exact
            norms = self.normalise.many(new)  # one pass over the distinct tokens
            # One resolution per distinct normalised text: an exact hit, or the best entry of a fuzzy search.
            by_norm: dict[str, Resolution] = {}
            queries: list[str] = []
            for norm in dict.fromkeys(norms):
                hit = exact.get(norm)
                if hit is None:
                    queries.append(norm)
                else:
                    by_norm[norm] = Resolution(norm, hit, 100.0)
            by_norm.update(zip(queries, self._best_entries(queries), strict=True))
            resolved.update(zip(new, map(by_norm.__getitem__, norms), strict=True))
        return list(map(resolved.__getitem__, texts))

    def _best_entries(self, queries: list[str]) -> list[Resolution]:
        """Return the best entry (and similarity) at or above the cut-off for each normalised query.

        The vocabulary's own forms are searched first; only what none of them resolves is compared with
        ESCO's labels (ten times as many), so Dutch text costs what it did and a close Dutch form wins.
        """
        if not queries or not self.choices:
            return [Resolution(q, -1, 0.0) for q in queries]
        cut = self.own_forms
        score, owner = self._search(queries, 0, cut)
        todo = [k for k, value in enumerate(score) if value <= 0 and queries[k]]
        if todo and cut < len(self.choices):
            more_score, more_owner = self._search([queries[k] for k in todo], cut, len(self.choices))
            for k, value, entry in zip(todo, more_score, more_owner, strict=True):
                score[k], owner[k] = value, entry
        return [
            Resolution(q, entry, float(value)) if value > 0 and q else Resolution(q, -1, 0.0)
            for q, entry, value in zip(queries, owner, score, strict=True)
        ]

    def _search(self, queries: list[str], start: int, stop: int) -> tuple[list[int], list[int]]:
        """Return the best score (0 below the cut-off) and owning entry of each query among choices[start:stop].

        Ties go to the first choice, as an argmax over one dense ``cdist`` would. The vocabulary's own forms
        are compared with spaces removed (Dutch compounds) and word-sorted; ESCO's English labels only
        word-sorted (English does not write compounds together), which halves the larger search.
        """
        score, owner = [0] * len(queries), [-1] * len(queries)
        if start >= stop:
            return score, owner
        bands = self._bands(start, stop)
        found = []
        own = start == 0
        if own:
            # Spaces removed, plain ratio: catches compounds written apart or with a typo inside.
            joined = [q.replace(" ", "") for q in queries]
            found.append(similar_pairs(joined, bands["joined"], fuzz.ratio, self.cutoff))
        # The configured scorer on the normalised words. For one-word text token_sort_ratio equals the
        # joined ratio above up to the spaces, so among the own forms it only runs on multi-word text, and
        # as plain ratio on words sorted once up front (what token_sort_ratio does for every pair).
        if self.scorer_name == "token_sort":
            rows = np.asarray([k for k, q in enumerate(queries) if " " in q or not own], dtype=np.int64)
            words = [" ".join(sorted(queries[k].split())) for k in rows.tolist()]
            word_rows, cols, scores = similar_pairs(words, bands["sorted"], fuzz.ratio, self.cutoff)
            found.append((rows[word_rows], cols, scores))
        else:
            found.append(similar_pairs(queries, self.choices[start:stop], self.scorer, self.cutoff))
        rows = np.concatenate([f[0] for f in found])
        cols = np.concatenate([f[1] for f in found])
        scores = np.concatenate([f[2] for f in found]).astype(np.int64)
        if not len(rows):
            return score, owner
        order = np.lexsort((cols, -scores, rows))
        rows, cols, scores = rows[order], cols[order], scores[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        owners = self.choice_owner[cols[first] + start]
        for k, value, entry in zip(
            rows[first].tolist(), scores[first].tolist(), owners.tolist(), strict=True
        ):
            score[k], owner[k] = value, entry
        return score, owner

    def _bands(self, start: int, stop: int) -> dict[str, LengthIndex]:
        """Return the choices[start:stop] word-sorted (and, for the own forms, joined) indexed by length, built once."""
        key = (start, stop)
        bands = self._length_indexes.get(key)
        if bands is None:
            with self._word_space_lock:
                bands = self._length_indexes.get(key)
                if bands is None:
                    choices = self.choices[start:stop]
                    bands = {"sorted": LengthIndex([" ".join(sorted(c.split())) for c in choices])}
                    if start == 0:
                        # Dutch writes compounds together or apart ("heftruck chauffeur", "heftruckchauffeur"):
                        # the own forms are also compared with spaces removed, with plain ratio.
                        bands["joined"] = LengthIndex([c.replace(" ", "") for c in choices])
                    self._length_indexes[key] = bands
        return bands


def load_vocabulary(
    path: str | Path | None = None,
    *,
    esco: str | Path | bool | None = None,
    cache_dir: str | Path | None = None,
) -> Vocabulary:
    """Load the skill vocabulary from a skills.csv file (default: the repository's seeds/).

    ``esco`` adds ESCO's skills (an esco_skills.csv path, or True for seeds/esco_skills.csv); by default
    they are added when the vocabulary itself comes from seeds/ (``path`` not given). ``cache_dir`` keeps
    the costly part of the build on disk (see ``Vocabulary``).
    """
    if esco is None:
        esco = path is None
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
                    esco_uri=(row.get("esco_uri") or "").strip(),
                )
            )
    if esco:
        esco_path = SEEDS_DIR / "esco_skills.csv" if esco is True else Path(esco)
        if esco is not True or esco_path.exists():
            entries = with_esco_skills(entries, load_esco_skills(esco_path))
    return Vocabulary(entries, cache_dir=cache_dir)


@dataclass(frozen=True, slots=True)
class EscoSkill:
    """One ESCO skill: URI, English preferred and alternative labels, skill group URIs."""

    uri: str
    label: str
    alt_labels: tuple[str, ...]
    groups: tuple[str, ...]


def load_esco_skills(path: str | Path | None = None) -> list[EscoSkill]:
    """Read ESCO's skills of entry-level work (default: seeds/esco_skills.csv), once per file version."""
    path = Path(path) if path is not None else SEEDS_DIR / "esco_skills.csv"
    status = path.stat()
    return list(_read_esco_skills(str(path.resolve()), status.st_mtime_ns, status.st_size))


@lru_cache(maxsize=2)
def _read_esco_skills(name: str, modified: int, size: int) -> tuple[EscoSkill, ...]:
    """Read an esco_skills.csv (cached by path, modification time and size)."""
    path = Path(name)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"esco_uri", "label_en", "alt_labels_en", "groups"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        return tuple(
            EscoSkill(
                uri=row["esco_uri"].strip(),
                label=row["label_en"].strip(),
                alt_labels=tuple(a.strip() for a in row["alt_labels_en"].split("|") if a.strip()),
                groups=tuple(g.strip() for g in row["groups"].split("|") if g.strip()),
            )
            for row in reader
            if row["esco_uri"].strip() and row["label_en"].strip()
        )


def with_esco_skills(entries: Sequence[SkillEntry], skills: Sequence[EscoSkill]) -> list[SkillEntry]:
    """Return the entries joined with ESCO's skills, linked by URI.

    A Dutch entry whose ``esco_uri`` names a skill gets that skill's labels and groups; every other skill
    becomes an entry of its own (id: its URI) with its labels. The web app passes its own entries here.
    """
    by_uri = {skill.uri: skill for skill in skills}
    out: list[SkillEntry] = []
    linked: set[str] = set()
    for entry in entries:
        skill = by_uri.get(entry.esco_uri) if entry.esco_uri else None
        if skill is None:
            out.append(entry)
            continue
        linked.add(skill.uri)
        labels = tuple(label for label in (skill.label, *skill.alt_labels) if label not in entry.variants)
        out.append(replace(entry, esco_labels=labels, skill_groups=skill.groups))
    taken = {entry.id for entry in out}
    for skill in skills:
        if skill.uri in linked or skill.uri in taken:
            continue
        out.append(
            SkillEntry(
                id=skill.uri,
                label_nl="",
                label_en=skill.label,
                group="",
                variants=(),
                esco_uri=skill.uri,
                esco_labels=tuple(dict.fromkeys((skill.label, *skill.alt_labels))),
                skill_groups=skill.groups,
            )
        )
    return out


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """Return the vocabulary from seeds/skills.csv with ESCO's skills, loaded on first use."""
    return load_vocabulary()
