"""The matching engine: hard constraints, a 0-100 score with explanation, rankings both ways, assignment.

How it stays fast: every distinct skill text is resolved once (exact lookup, then
``rapidfuzz.process.cdist``) to a *concept* (a vocabulary entry, or the string itself when it
resolves to nothing). Participants become a sparse matrix ``A`` (participant x level-concept: best
similarity x level factor) and places a sparse matrix ``B`` (level-concept x place: requirement
weight). Only pairs within reach are scored: places are ordered by distance from each participant
location once, a participant reaches a prefix of that order, and the other hard constraints filter
those pairs. Skill coverage comes from one sparse product per block of participants; top k both ways
from sorting one integer key per pair. Explanations of the kept pairs are computed as arrays; their
Python objects are built when read (see ``Ranking``).
"""

from __future__ import annotations

import gc
import math
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from rapidfuzz import process
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matching.errors import InputError
from matching.geo import EARTH_RADIUS_KM, Geo, default_geo
from matching.models import (
    DUTCH_LEVELS,
    SKILL_LEVELS,
    Assignment,
    AssignmentResult,
    MatchResult,
    Participant,
    Vacancy,
    Weights,
)
from matching.text import fold
from matching.vocabulary import Vocabulary, default_vocabulary

DIRECT_CUTOFF = 85.0
LEVEL_SHORTFALL_PENALTY = 0.3
DISTANCE_REFERENCE_KM = 50.0
MORE_DISTANCE_STEP_KM = 10
NEUTRAL_SECTOR = 0.5

EXCL_DUTCH = 1
EXCL_LICENCE = 2
EXCL_HOURS = 4
EXCL_DISTANCE = 8
EXCL_FULL = 16
EXCL_NOT_OPEN = 32
EXCL_DECLINED = 64

_DUTCH_INDEX = {level: i for i, level in enumerate(DUTCH_LEVELS)}
_COMPONENTS = ("required", "nice", "distance", "hours", "sector")
_NO_SECTORS: frozenset[str] = frozenset()


def level_factor(have: int, need: int) -> float:
    """Return how much a skill at level ``have`` counts for a requirement of level ``need``."""
    if have >= need:
        return 1.0
    return max(0.0, 1.0 - LEVEL_SHORTFALL_PENALTY * (need - have))


_LEVEL_FACTOR = np.array(
    [[level_factor(have, need) if have else 0.0 for need in range(5)] for have in range(5)], dtype=np.float64
)


def id_sort_key(value: Any) -> tuple[int, Any]:
    """Order ids deterministically: integers numerically, then strings."""
    if isinstance(value, bool):
        return (1, str(value))
    if isinstance(value, int):
        return (0, value)
    return (1, str(value))


def _id_ranks(ids: Sequence[Any]) -> np.ndarray:
    order = sorted(range(len(ids)), key=lambda i: id_sort_key(ids[i]))
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[np.asarray(order, dtype=np.int64)] = np.arange(len(ids), dtype=np.int64)
    return ranks


def _object_array(values: list[Any]) -> np.ndarray:
    """Return a 1-D object array of the given Python objects (gathered with fancy indexing)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows with ``counts[k]`` items starting at ``starts[k]``: return (row index, item index)."""
    total = int(counts.sum())
    rows = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, np.repeat(starts, counts) + offsets


def _dutch(value: Any, kind: str, index: int, record_id: Any, *, required: bool) -> int:
    if value is None or value == "":
        if required:
            raise InputError(kind, index, record_id, "dutch_level", "missing (expected A1…C2)")
        return -1
    level = _DUTCH_INDEX.get(str(value).strip().upper())
    if level is None:
        raise InputError(kind, index, record_id, "dutch_level", f"unknown level {value!r} (expected A1…C2)")
    return level


def _number(
    value: Any, kind: str, index: int, record_id: Any, field: str, *, positive: bool = False
) -> float:
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


def _unit_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Return points (radians) as 3 x n float32 unit vectors, for chord distances."""
    cos_lat = np.cos(lat)
    return np.stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)]).astype(np.float32)


def _level(value: Any, kind: str, index: int, record_id: Any, field: str) -> int:
    if type(value) is int and 1 <= value <= 4:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value not in SKILL_LEVELS:
        raise InputError(kind, index, record_id, field, f"must be an integer 1–4, got {value!r}")
    return value


def _skill_name(value: Any, kind: str, index: int, record_id: Any, field: str) -> str:
    if type(value) is str and value and not value.isspace():
        return value
    if not isinstance(value, str) or not value.strip():
        raise InputError(kind, index, record_id, field, f"must be a non-empty skill name, got {value!r}")
    return value


@dataclass
class _Participants:
    objs: list[Participant]
    ids: list[Any]
    index: dict[Any, int]
    rank: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    xyz: np.ndarray
    max_km: np.ndarray
    ref_km: np.ndarray
    hours: np.ndarray
    dutch: np.ndarray
    licence: np.ndarray
    sector_sets: list[frozenset[str]]
    hours32: np.ndarray
    inv_hours: np.ndarray
    max_km32: np.ndarray
    inv_ref: np.ndarray
    slot_owner: np.ndarray
    slot_key: list[tuple[str, str | None]]
    slot_level: np.ndarray
    slot_name: list[str]
    slot_name_arr: np.ndarray


@dataclass
class _Vacancies:
    objs: list[Vacancy]
    ids: list[Any]
    index: dict[Any, int]
    rank: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    xyz: np.ndarray
    hours: np.ndarray
    dutch: np.ndarray
    licence: np.ndarray
    flags: np.ndarray
    capacity: np.ndarray
    sector: list[str]
    hours32: np.ndarray
    inv_hours: np.ndarray
    open_ok: np.ndarray
    req_owner: np.ndarray
    req_key: list[tuple[str, str | None]]
    req_min: np.ndarray
    req_required: np.ndarray
    req_name: list[str]
    req_start: np.ndarray
    req_count: np.ndarray
    n_required: np.ndarray
    n_nice: np.ndarray
    # Filled by Engine._index_requirements (cached with the prepared places):
    r_keys: list[tuple[str, str | None]] = field(default_factory=list)
    r_norm: list[str] = field(default_factory=list)
    r_code: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    codes: dict[Any, int] = field(default_factory=dict)
    norm_ids: dict[str, int] = field(default_factory=dict)
    r_norm_id: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    r_sure: np.ndarray = field(default_factory=lambda: np.empty(0))
    r_order: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    r_col: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    col_code: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    col_sure: np.ndarray = field(default_factory=lambda: np.empty(0))
    col_norm_id: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    r_sorted: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    req_concept: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    req_tax: list[str | None] = field(default_factory=list)
    req_tax_arr: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    req_name_arr: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    req_weight: np.ndarray = field(default_factory=lambda: np.empty(0))
    b_all: Any = None
    wn: dict[str, np.ndarray] = field(default_factory=dict)
    wn32: dict[str, np.ndarray] = field(default_factory=dict)
    sector_codes: dict[str, int] = field(default_factory=dict)
    vac_sector_code: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


@dataclass
class _Linked:
    """Participants and places joined through concepts, ready for block scoring."""

    parts: _Participants
    vacs: _Vacancies
    n_concepts: int
    a_all: sp.csr_matrix  # participants x (4 * concepts): best effective similarity per level
    b_all: sp.csr_matrix  # (4 * concepts) x (2 * places): required block then nice block
    best_keys: np.ndarray  # sorted participant * concepts + concept keys a participant has
    best_slot: np.ndarray  # levels x keys: the best slot for that key when that level is asked
    best_val: np.ndarray  # levels x keys: its similarity
    req_concept: np.ndarray
    req_tax: list[str | None]
    req_weight: np.ndarray
    wn: dict[str, np.ndarray]  # normalised component weight per place
    wn32: dict[str, np.ndarray]
    sector_value: np.ndarray  # participants x sector codes
    vac_sector_code: np.ndarray
    declined: set[tuple[int, int]]


@dataclass
class _Reach:
    """Places ordered by distance from each distinct participant location (flattened rows of n_v).

    ``order[loc * n_v + t]`` is the t-th nearest place from location ``loc`` and ``dist`` its
    distance; participant ``i`` (at ``p_loc[i]``) reaches the first ``within[i]`` of them.
    """

    p_loc: np.ndarray
    order: np.ndarray
    dist: np.ndarray
    within: np.ndarray


class Engine:
    """Score, rank and assign participants and stage places."""

    def __init__(
        self,
        vocabulary: Vocabulary | None = None,
        geo: Geo | None = None,
        weights: Weights | dict[str, float] | None = None,
        *,
        direct_cutoff: float = DIRECT_CUTOFF,
        block_rows: int = 1024,
        assignment_candidates: int = 30,
        dense_assignment_limit: int = 2_000_000,
        threads: int | None = None,
    ) -> None:
        self._vocabulary = vocabulary
        self._geo = geo
        self.weights = Weights.from_value(weights)
        self.direct_cutoff = direct_cutoff
        self.block_rows = block_rows
        self.assignment_candidates = assignment_candidates
        self.dense_assignment_limit = dense_assignment_limit
        self.threads = threads if threads is not None else min(4, os.cpu_count() or 1)
        self._vacancy_cache: tuple[list[Vacancy], _Vacancies] | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        """Return the skill vocabulary, loading the seeds on first use."""
        if self._vocabulary is None:
            self._vocabulary = default_vocabulary()
        return self._vocabulary

    @property
    def geo(self) -> Geo:
        """Return the postal-code table, loading the seeds on first use."""
        if self._geo is None:
            self._geo = default_geo()
        return self._geo

    # ------------------------------------------------------------------ public API

    def rank_places(
        self,
        participant: Participant,
        vacancies: Sequence[Vacancy],
        top: int | None = 20,
        declined: Iterable[tuple[Any, Any]] = frozenset(),
        include_excluded: bool = False,
    ) -> list[MatchResult]:
        """Return the best stage places for one participant, best first."""
        linked = self._link([participant], vacancies, declined)
        return self._rank_one(linked, by_participant=True, top=top, include_excluded=include_excluded)

    def rank_participants(
        self,
        vacancy: Vacancy,
        participants: Sequence[Participant],
        top: int | None = 20,
        declined: Iterable[tuple[Any, Any]] = frozenset(),
        include_excluded: bool = False,
    ) -> list[MatchResult]:
        """Return the best participants for one stage place, best first."""
        linked = self._link(participants, [vacancy], declined)
        return self._rank_one(linked, by_participant=False, top=top, include_excluded=include_excluded)

    def rank_all(
        self,
        participants: Sequence[Participant],
        vacancies: Sequence[Vacancy],
        top: int = 20,
        declined: Iterable[tuple[Any, Any]] = frozenset(),
    ) -> dict[str, Ranking]:
        """Return the top places per participant and the top participants per place (excluded pairs left out).

        Both are read-only mappings id -> list of MatchResult, best first. Scores, rankings and the
        content of every explanation are computed here; the MatchResult objects of an id are built when
        that id is first read (``items()`` and ``values()`` build them all at once).
        """
        with _gc_paused():  # many small acyclic objects while resolving: no cyclic GC rescans
            linked = self._link(participants, vacancies, declined)
        rows, cols = self._top_pairs(linked, top, top)
        pi, vi, score = _merge_pairs(rows, cols)
        explained = self._explain(linked, pi, vi, score)
        parts, vacs = linked.parts, linked.vacs
        width = len(vacs.ids)
        merged_key = pi * width + vi  # sorted: _merge_pairs returns unique keys in order
        row_p, row_v, _ = rows
        col_p, col_v, _ = cols
        return {
            "by_participant": Ranking(
                parts.ids,
                parts.index,
                np.searchsorted(row_p, np.arange(len(parts.ids) + 1)),
                np.searchsorted(merged_key, row_p * width + row_v),
                explained,
            ),
            "by_vacancy": Ranking(
                vacs.ids,
                vacs.index,
                np.searchsorted(col_v, np.arange(len(vacs.ids) + 1)),
                np.searchsorted(merged_key, col_p * width + col_v),
                explained,
            ),
        }

    def assign(
        self,
        participants: Sequence[Participant],
        vacancies: Sequence[Vacancy],
        declined: Iterable[tuple[Any, Any]] = frozenset(),
    ) -> AssignmentResult:
        """Propose at most one place per participant, respecting free places, maximising total score."""
        linked = self._link(participants, vacancies, declined)
        parts, vacs = linked.parts, linked.vacs
        n_p, n_v = len(parts.ids), len(vacs.ids)
        capacity = vacs.capacity
        n_slots = int(capacity.sum())
        dense = n_p * max(n_slots, 1) <= self.dense_assignment_limit
        k_rows = n_v if dense else self.assignment_candidates
        k_cols = (
            0 if dense else int(min(n_p, max(self.assignment_candidates, 3 * int(capacity.max(initial=0)))))
        )
        rows, cols = self._top_pairs(linked, k_rows, k_cols)
        pi, vi, score = _merge_pairs(rows, cols)
        score_int = np.rint(score * 100).astype(np.int64)
        naive = _naive_top1(rows, n_p, capacity)
        if n_slots == 0 or len(pi) == 0:
            chosen_p = chosen_v = np.empty(0, dtype=np.int64)
            method = "none"
        else:
            slot_vac = np.repeat(np.arange(n_v, dtype=np.int64), capacity)
            slot_start = np.cumsum(capacity) - capacity
            edge_rows, slot_idx = _expand(slot_start[vi], capacity[vi])
            edge_p = pi[edge_rows]
            edge_w = score_int[edge_rows]
            if dense:
                method = "linear_sum_assignment"
                forbidden = -(10**9)
                weight = np.full((n_p, n_slots + n_p), forbidden, dtype=np.int64)
                weight[edge_p, slot_idx] = edge_w
                weight[np.arange(n_p), n_slots + np.arange(n_p)] = 0
                r, c = linear_sum_assignment(weight, maximize=True)
                keep = c < n_slots
                chosen_p, chosen_slot = r[keep], c[keep]
            else:
                method = "min_weight_full_bipartite_matching"
                top_cost = 10_001
                graph = sp.csr_matrix(
                    (
                        np.concatenate([top_cost - edge_w, np.full(n_p, top_cost, dtype=np.int64)]).astype(
                            np.float64
                        ),
                        (
                            np.concatenate([edge_p, np.arange(n_p, dtype=np.int64)]),
                            np.concatenate([slot_idx, n_slots + np.arange(n_p, dtype=np.int64)]),
                        ),
                    ),
                    shape=(n_p, n_slots + n_p),
                )
                r, c = min_weight_full_bipartite_matching(graph)
                keep = c < n_slots
                chosen_p, chosen_slot = r[keep], c[keep]
            chosen_v = slot_vac[chosen_slot]
        pair_score = dict(zip(zip(pi.tolist(), vi.tolist(), strict=True), score.tolist(), strict=True))
        chosen = sorted(
            zip(chosen_p.tolist(), chosen_v.tolist(), strict=True), key=lambda pv: parts.rank[pv[0]]
        )
        assignments = tuple(Assignment(parts.ids[p], vacs.ids[v], pair_score[(p, v)]) for p, v in chosen)
        total = round(sum(a.score for a in assignments), 2)
        per_place = np.bincount(chosen_v, minlength=n_v) if len(chosen_v) else np.zeros(1, dtype=np.int64)
        return AssignmentResult(
            assignments=assignments,
            total_score=total,
            coverage=round(len(assignments) / n_p, 4) if n_p else 0.0,
            assigned=len(assignments),
            participants=n_p,
            max_per_place=int(per_place.max(initial=0)),
            method=method,
            naive=naive,
        )

    # ------------------------------------------------------------------ preparation

    def _prepare_participants(self, participants: Sequence[Participant]) -> _Participants:
        geo = self.geo
        objs = list(participants)
        ids = [p.id for p in objs]
        index: dict[Any, int] = {}
        hours = np.empty(len(objs))
        max_km = np.empty(len(objs))
        dutch = np.empty(len(objs), dtype=np.int64)
        licence = np.empty(len(objs), dtype=bool)
        sector_sets: list[frozenset[str]] = []
        skill_count = np.empty(len(objs), dtype=np.int64)
        slot_key: list[tuple[str, str | None]] = []
        slot_level: list[int] = []
        coordinates = geo.coordinates
        kind = "participant"
        for i, p in enumerate(objs):
            if p.id in index:
                raise InputError(kind, i, p.id, "id", "duplicate id")
            index[p.id] = i
            if p.postal_code not in coordinates and str(p.postal_code).strip() not in geo:
                raise InputError(kind, i, p.id, "postal_code", f"unknown postal code {p.postal_code!r}")
            hours[i] = _number(p.hours_per_week, kind, i, p.id, "hours_per_week", positive=True)
            if p.max_distance_km is None:
                max_km[i] = np.inf
            else:
                max_km[i] = _number(p.max_distance_km, kind, i, p.id, "max_distance_km")
            dutch[i] = _dutch(p.dutch_level, kind, i, p.id, required=False)
            licence[i] = bool(p.driving_licence)
            sector_sets.append(frozenset(filter(None, map(fold, p.sectors))) if p.sectors else _NO_SECTORS)
            skill_count[i] = len(p.skills)
            for claim in p.skills:
                name, level = claim.name, claim.level
                if (
                    type(name) is not str
                    or not name
                    or name.isspace()
                    or type(level) is not int
                    or not 1 <= level <= 4
                ):
                    k = p.skills.index(claim)
                    _skill_name(name, kind, i, p.id, f"skills[{k}].name")
                    _level(level, kind, i, p.id, f"skills[{k}].level")
                slot_key.append((name, claim.taxonomy_id))
                slot_level.append(level)
        lat, lon = geo.radians(p.postal_code for p in objs)
        ref_km = np.where(np.isfinite(max_km), np.maximum(max_km, 1.0), DISTANCE_REFERENCE_KM)
        return _Participants(
            objs=objs,
            ids=ids,
            index=index,
            rank=_id_ranks(ids),
            lat=lat,
            lon=lon,
            xyz=_unit_xyz(lat, lon),
            max_km=max_km,
            ref_km=ref_km,
            hours=hours,
            dutch=dutch,
            licence=licence,
            sector_sets=sector_sets,
            hours32=hours.astype(np.float32),
            inv_hours=(1.0 / hours).astype(np.float32),
            max_km32=max_km.astype(np.float32),
            inv_ref=(1.0 / ref_km).astype(np.float32),
            slot_owner=np.repeat(np.arange(len(objs), dtype=np.int64), skill_count),
            slot_key=slot_key,
            slot_level=np.asarray(slot_level, dtype=np.int64),
            slot_name=[name for name, _ in slot_key],
            slot_name_arr=_object_array([name for name, _ in slot_key]),
        )

    def _prepare_vacancies(self, vacancies: Sequence[Vacancy]) -> _Vacancies:
        # Places change rarely between calls: reuse the last preparation when the places are the same
        # objects or equal ones (frozen dataclasses compare by value, which is cheap next to preparing).
        cached = self._vacancy_cache
        if cached is not None and len(cached[0]) == len(vacancies):
            if all(a is b for a, b in zip(cached[0], vacancies, strict=True)):
                return cached[1]
            if tuple(cached[0]) == tuple(vacancies):
                # an equal new list replaces the old one: the next call with these objects is an identity check,
                # and the old objects are not kept alive by the cache
                self._vacancy_cache = (list(vacancies), cached[1])
                return cached[1]
        geo = self.geo
        objs = list(vacancies)
        n = len(objs)
        ids = [v.id for v in objs]
        index: dict[Any, int] = {}
        hours = np.empty(n)
        dutch = np.empty(n, dtype=np.int64)
        licence = np.empty(n, dtype=bool)
        flags = np.zeros(n, dtype=np.int64)
        capacity = np.zeros(n, dtype=np.int64)
        sector: list[str] = []
        req_owner: list[int] = []
        req_key: list[tuple[str, str | None]] = []
        req_min: list[int] = []
        req_required: list[bool] = []
        req_name: list[str] = []
        n_required = np.zeros(n, dtype=np.int64)
        n_nice = np.zeros(n, dtype=np.int64)
        kind = "vacancy"
        for j, v in enumerate(objs):
            if v.id in index:
                raise InputError(kind, j, v.id, "id", "duplicate id")
            index[v.id] = j
            if str(v.postal_code).strip() not in geo:
                raise InputError(kind, j, v.id, "postal_code", f"unknown postal code {v.postal_code!r}")
            hours[j] = _number(v.hours_per_week, kind, j, v.id, "hours_per_week", positive=True)
            dutch[j] = _dutch(v.dutch_level, kind, j, v.id, required=False)
            licence[j] = bool(v.driving_licence_required)
            places = v.places
            if isinstance(places, bool) or not isinstance(places, int) or places < 0:
                raise InputError(kind, j, v.id, "places", f"must be a non-negative integer, got {places!r}")
            if isinstance(v.filled, bool) or not isinstance(v.filled, int) or v.filled < 0:
                raise InputError(kind, j, v.id, "filled", f"must be a non-negative integer, got {v.filled!r}")
            if not v.is_open:
                flags[j] |= EXCL_NOT_OPEN
            elif v.filled >= places:
                flags[j] |= EXCL_FULL
            else:
                capacity[j] = places - v.filled
            sector.append(fold(v.sector or ""))
            for k, req in enumerate(v.skills):
                name = req.name
                if type(name) is not str or not name or name.isspace():
                    _skill_name(name, kind, j, v.id, f"skills[{k}].name")
                req_owner.append(j)
                req_key.append((name, req.taxonomy_id))
                level = req.min_level
                if type(level) is not int or not 1 <= level <= 4:
                    _level(level, kind, j, v.id, f"skills[{k}].min_level")
                req_min.append(level)
                req_required.append(bool(req.required))
                req_name.append(name)
                if req.required:
                    n_required[j] += 1
                else:
                    n_nice[j] += 1
        lat, lon = geo.radians(v.postal_code for v in objs)
        req_count = n_required + n_nice
        prepared = _Vacancies(
            objs=objs,
            ids=ids,
            index=index,
            rank=_id_ranks(ids),
            lat=lat,
            lon=lon,
            xyz=_unit_xyz(lat, lon),
            hours=hours,
            dutch=dutch,
            licence=licence,
            flags=flags,
            capacity=capacity,
            sector=sector,
            hours32=hours.astype(np.float32),
            inv_hours=(1.0 / hours).astype(np.float32),
            open_ok=flags == 0,
            req_owner=np.asarray(req_owner, dtype=np.int64),
            req_key=req_key,
            req_min=np.asarray(req_min, dtype=np.int64),
            req_required=np.asarray(req_required, dtype=bool),
            req_name=req_name,
            req_start=np.cumsum(req_count) - req_count,
            req_count=req_count,
            n_required=n_required,
            n_nice=n_nice,
        )
        self._index_requirements(prepared)
        self._vacancy_cache = (objs, prepared)
        return prepared

    def _index_requirements(self, vacs: _Vacancies) -> None:
        """Resolve the places' requirement texts and build the place-side matrices (cached with the places)."""
        n_v = len(vacs.ids)
        # Every distinct normalised requirement text (with its taxonomy id) is a column ("concept").
        r_raw = list(dict.fromkeys(vacs.req_key))
        r_pos, r_keys, r_res = self._distinct_normalised(r_raw)
        r_entry, r_sure, r_tax = self._concepts(r_keys, r_res)
        codes: dict[Any, int] = {}
        vacs.r_keys = r_keys
        vacs.r_norm = [res.normalised for res in r_res]
        vacs.r_code = np.asarray(
            [-1 if e is None else codes.setdefault(e, len(codes)) for e in r_entry], dtype=np.int64
        )
        vacs.codes = codes
        norm_ids: dict[str, int] = {}
        vacs.r_norm_id = np.asarray(
            [norm_ids.setdefault(n, len(norm_ids)) for n in vacs.r_norm], dtype=np.int64
        )
        vacs.norm_ids = norm_ids
        vacs.r_sure = np.asarray(r_sure, dtype=np.float64)

        # Columns ("concepts"): texts that resolve exactly to the same vocabulary entry behave alike for
        # every participant, so they share one column; fuzzily resolved and unresolved texts keep their own.
        columns: dict[tuple[str, int], int] = {}
        r_col = np.empty(len(r_keys), dtype=np.int64)
        col_code: list[int] = []
        col_sure: list[float] = []
        col_norm_id: list[int] = []
        for k, (code, sure, norm_id) in enumerate(
            zip(vacs.r_code.tolist(), r_sure, vacs.r_norm_id.tolist(), strict=True)
        ):
            key = ("entry", code) if code >= 0 and sure == 1.0 else ("text", k)
            col = columns.get(key)
            if col is None:
                col = columns[key] = len(col_code)
                col_code.append(code)
                col_sure.append(sure)
                col_norm_id.append(-2 if key[0] == "entry" else norm_id)
            r_col[k] = col
        vacs.r_col = r_col
        vacs.col_code = np.asarray(col_code, dtype=np.int64)
        vacs.col_sure = np.asarray(col_sure, dtype=np.float64)
        vacs.col_norm_id = np.asarray(col_norm_id, dtype=np.int64)
        vacs.r_order = np.argsort(vacs.col_code, kind="stable")
        vacs.r_sorted = vacs.col_code[vacs.r_order]

        # Requirement weights per concept, level and component.
        n_concepts = len(col_code)
        req_concept = r_col[np.asarray([r_pos[key] for key in vacs.req_key], dtype=np.int64)]
        vacs.req_concept = req_concept
        vacs.req_tax = [r_tax[r_pos[key]] for key in vacs.req_key]
        vacs.req_tax_arr = _object_array(vacs.req_tax)
        vacs.req_name_arr = _object_array(vacs.req_name)
        count = np.where(vacs.req_required, vacs.n_required[vacs.req_owner], vacs.n_nice[vacs.req_owner])
        vacs.req_weight = 1.0 / np.maximum(count, 1)
        b_rows = (vacs.req_min - 1) * n_concepts + req_concept
        b_cols = vacs.req_owner + np.where(vacs.req_required, 0, n_v)
        vacs.b_all = sp.csr_matrix(
            (vacs.req_weight, (b_rows, b_cols)), shape=(len(SKILL_LEVELS) * n_concepts, 2 * n_v)
        )

        # Component weights renormalised over the components that apply to each place.
        w = self.weights
        raw = {
            "required": np.where(vacs.n_required > 0, w.required, 0.0),
            "nice": np.where(vacs.n_nice > 0, w.nice, 0.0),
            "distance": np.full(n_v, w.distance),
            "hours": np.full(n_v, w.hours),
            "sector": np.full(n_v, w.sector),
        }
        total = sum(raw.values())
        total = np.where(total > 0, total, 1.0)
        vacs.wn = {name: value / total for name, value in raw.items()}
        vacs.wn32 = {name: value.astype(np.float32) for name, value in vacs.wn.items()}
        vacs.sector_codes = {name: k for k, name in enumerate(sorted(set(vacs.sector)))}
        vacs.vac_sector_code = np.asarray([vacs.sector_codes[s] for s in vacs.sector], dtype=np.int64)

    def _link(
        self,
        participants: Sequence[Participant],
        vacancies: Sequence[Vacancy],
        declined: Iterable[tuple[Any, Any]],
    ) -> _Linked:
        parts = self._prepare_participants(participants)
        vacs = self._prepare_vacancies(vacancies)
        vocab = self.vocabulary
        cutoff = self.direct_cutoff
        scorer = vocab.scorer

        r_keys, r_norm, r_code = vacs.r_keys, vacs.r_norm, vacs.r_code
        r_sorted, r_order = vacs.r_sorted, vacs.r_order

        # Every distinct normalised participant skill text is a row of the similarity table.
        p_raw = list(dict.fromkeys(parts.slot_key))
        p_pos, p_keys, p_res = self._distinct_normalised(p_raw)
        p_norm = [res.normalised for res in p_res]
        p_entry, p_sure, _ = self._concepts(p_keys, p_res)

        # Same vocabulary entry (or same unknown taxonomy id): the product of how sure both resolutions are;
        # 1 for identical text. Joined with sorted arrays rather than Python loops.
        codes, norm_ids = vacs.codes, vacs.norm_ids
        p_code = np.asarray([-1 if e is None else codes.get(e, -1) for e in p_entry], dtype=np.int64)
        p_norm_id = np.asarray([norm_ids.get(n, -1) for n in p_norm], dtype=np.int64)
        lo = np.searchsorted(r_sorted, p_code, "left")
        hi = np.searchsorted(r_sorted, p_code, "right")
        p_rows, pos = _expand(lo, np.where(p_code >= 0, hi - lo, 0))
        r_cols = r_order[pos]
        same = np.where(
            p_norm_id[p_rows] == vacs.col_norm_id[r_cols],
            1.0,
            np.asarray(p_sure)[p_rows] * vacs.col_sure[r_cols],
        )
        emb_parts_p = [p_rows]
        emb_parts_c = [r_cols]
        emb_parts_v = [same]
        # Direct fuzzy similarity where at least one side is not a vocabulary entry.
        p_loose = p_code < 0
        r_loose = r_code < 0
        for p_sel, r_sel in (
            (np.flatnonzero(p_loose), np.arange(len(r_keys))),
            (np.flatnonzero(~p_loose), np.flatnonzero(r_loose)),
        ):
            if not len(p_sel) or not len(r_sel):
                continue
            scores = process.cdist(
                [p_norm[k] for k in p_sel],
                [r_norm[k] for k in r_sel],
                scorer=scorer,
                score_cutoff=cutoff,
                dtype=np.uint8,
                workers=-1,
            )
            a, b = np.nonzero(scores)
            emb_parts_p.append(p_sel[a])
            emb_parts_c.append(vacs.r_col[r_sel[b]])
            emb_parts_v.append(scores[a, b] / 100.0)
        n_concepts = len(vacs.col_code)

        emb_p_arr = np.concatenate(emb_parts_p).astype(np.int64)
        emb_c_arr = np.concatenate(emb_parts_c).astype(np.int64)
        emb_v_arr = np.concatenate(emb_parts_v).astype(np.float64)
        order = np.lexsort((-emb_v_arr, emb_c_arr, emb_p_arr))
        emb_p_arr, emb_c_arr, emb_v_arr = emb_p_arr[order], emb_c_arr[order], emb_v_arr[order]
        first = np.ones(len(emb_p_arr), dtype=bool)
        first[1:] = (emb_p_arr[1:] != emb_p_arr[:-1]) | (emb_c_arr[1:] != emb_c_arr[:-1])
        emb_p_arr, emb_c_arr, emb_v_arr = emb_p_arr[first], emb_c_arr[first], emb_v_arr[first]
        emb_count = np.bincount(emb_p_arr, minlength=len(p_keys)).astype(np.int64)
        emb_start = np.cumsum(emb_count) - emb_count

        # Join participant skill slots with their string embeddings.
        slot_string = np.asarray([p_pos[key] for key in parts.slot_key], dtype=np.int64).reshape(-1)
        slot_rows, ent = _expand(emb_start[slot_string], emb_count[slot_string])
        ent_owner = parts.slot_owner[slot_rows]
        ent_level = parts.slot_level[slot_rows]
        ent_concept = emb_c_arr[ent]
        ent_val = emb_v_arr[ent]
        ent_key = ent_owner * n_concepts + ent_concept

        n_p = len(parts.ids)
        # Per (participant, concept): at each required level, the best skill (highest effective
        # similarity, first slot on ties). One sort by (key, slot); each group's best per level in O(n).
        order = np.argsort(ent_key * max(len(parts.slot_level), 1) + slot_rows)
        ent_key, slot_rows, ent_val, ent_level = (
            ent_key[order],
            slot_rows[order],
            ent_val[order],
            ent_level[order],
        )
        new_group = np.ones(len(ent_key), dtype=bool)
        new_group[1:] = ent_key[1:] != ent_key[:-1]
        starts = np.flatnonzero(new_group)
        group_of = np.cumsum(new_group) - 1
        keys = ent_key[starts]
        owner, concept = keys // n_concepts, keys % n_concepts
        # a_all row i holds, for each level block, the same concepts: build the CSR arrays directly.
        per_row = np.bincount(owner, minlength=n_p)
        row_start = np.cumsum(per_row) - per_row
        in_row = np.arange(len(keys)) - row_start[owner]
        n_levels = len(SKILL_LEVELS)
        a_data = np.empty(n_levels * len(keys))
        a_indices = np.empty(n_levels * len(keys), dtype=np.int64)
        best_slot = np.empty((n_levels, len(keys)), dtype=np.int64)
        best_val = np.empty((n_levels, len(keys)))
        for need in SKILL_LEVELS:
            eff = ent_val * _LEVEL_FACTOR[ent_level, need]
            if len(eff):
                top = np.maximum.reduceat(eff, starts)
                at_top = np.flatnonzero(eff == top[group_of])
                first = np.ones(len(at_top), dtype=bool)
                first[1:] = group_of[at_top[1:]] != group_of[at_top[:-1]]
                pick = at_top[first]
            else:
                top = eff
                pick = np.empty(0, dtype=np.int64)
            best_slot[need - 1] = slot_rows[pick]
            best_val[need - 1] = ent_val[pick]
            at = n_levels * row_start[owner] + (need - 1) * per_row[owner] + in_row
            a_data[at] = top
            a_indices[at] = (need - 1) * n_concepts + concept
        a_indptr = np.zeros(n_p + 1, dtype=np.int64)
        np.cumsum(n_levels * per_row, out=a_indptr[1:])
        a_all = sp.csr_matrix((a_data, a_indices, a_indptr), shape=(n_p, n_levels * n_concepts))

        wn = vacs.wn
        sector_codes = vacs.sector_codes
        vac_sector_code = vacs.vac_sector_code
        # Sector preference: 1 when the place's sector is preferred, 0 when not, neutral without preferences.
        sector_value = np.full((n_p, max(len(sector_codes), 1)), NEUTRAL_SECTOR, dtype=np.float32)
        with_prefs = [i for i, prefs in enumerate(parts.sector_sets) if prefs]
        if with_prefs:
            # With preferences: 1 for a preferred sector, 0 for another, neutral for a place without one.
            no_sector = np.asarray([not name for name in sector_codes], dtype=bool)
            sector_value[with_prefs] = np.where(no_sector, np.float32(NEUTRAL_SECTOR), np.float32(0.0))
            liked = [
                (i, sector_codes[name])
                for i in with_prefs
                for name in parts.sector_sets[i]
                if name in sector_codes
            ]
            if liked:
                rows, codes = zip(*liked, strict=True)
                sector_value[list(rows), list(codes)] = 1.0

        declined_idx: set[tuple[int, int]] = set()
        for pair in declined:
            p_id, v_id = pair
            i = parts.index.get(p_id)
            j = vacs.index.get(v_id)
            if i is not None and j is not None:
                declined_idx.add((i, j))

        return _Linked(
            parts=parts,
            vacs=vacs,
            n_concepts=n_concepts,
            a_all=a_all,
            b_all=vacs.b_all,
            best_keys=keys,
            best_slot=best_slot,
            best_val=best_val,
            req_concept=vacs.req_concept,
            req_tax=vacs.req_tax,
            req_weight=vacs.req_weight,
            wn=wn,
            wn32=vacs.wn32,
            sector_value=sector_value,
            vac_sector_code=vac_sector_code,
            declined=declined_idx,
        )

    def _distinct_normalised(
        self, raw: list[tuple[str, str | None]]
    ) -> tuple[dict[tuple[str, str | None], int], list[tuple[str, str | None]], list[Any]]:
        """Collapse texts that normalise alike: return raw key -> index, distinct (normalised, tax) keys, resolutions."""
        resolutions = self.vocabulary.resolve(name for name, _ in raw)
        index: dict[tuple[str, str | None], int] = {}
        pos: dict[tuple[str, str | None], int] = {}
        distinct: list[Any] = []
        for key, res in zip(raw, resolutions, strict=True):
            norm_key = (res.normalised, key[1])
            k = index.get(norm_key)
            if k is None:
                k = index[norm_key] = len(distinct)
                distinct.append(res)
            pos[key] = k
        return pos, list(index), distinct

    def _concepts(
        self, keys: list[tuple[str, str | None]], resolutions: list[Any]
    ) -> tuple[list[Any], list[float], list[str | None]]:
        """Return per (text, taxonomy id): its concept (entry index, ("tax", id) or None), certainty, vocabulary id."""
        vocab = self.vocabulary
        entries: list[Any] = []
        sure: list[float] = []
        tax_ids: list[str | None] = []
        for (_, tax), res in zip(keys, resolutions, strict=True):
            entry = vocab.entry_for(tax) if tax is not None else -1
            if entry >= 0:
                entries.append(entry), sure.append(1.0), tax_ids.append(tax)
            elif tax is not None:
                entries.append(("tax", tax)), sure.append(1.0), tax_ids.append(tax)
            elif res.entry >= 0:
                entries.append(res.entry), sure.append(res.similarity / 100.0)
                tax_ids.append(vocab.entries[res.entry].id)
            else:
                entries.append(None), sure.append(0.0), tax_ids.append(None)
        return entries, sure, tax_ids

    # ------------------------------------------------------------------ scoring

    def _values(self, linked: _Linked, pi: np.ndarray, vi: np.ndarray) -> dict[str, np.ndarray]:
        """Return distance, non-skill component values and the feasibility mask for broadcastable indices."""
        parts, vacs = linked.parts, linked.vacs
        pxyz, vxyz = parts.xyz, vacs.xyz
        dx = pxyz[0][pi] - vxyz[0][vi]
        dy = pxyz[1][pi] - vxyz[1][vi]
        dz = pxyz[2][pi] - vxyz[2][vi]
        dist = np.sqrt(dx * dx + dy * dy + dz * dz) * np.float32(EARTH_RADIUS_KM)
        have = parts.hours32[pi]
        need = vacs.hours32[vi]
        ok = (
            vacs.open_ok[vi]
            & (parts.dutch[pi] >= vacs.dutch[vi])
            & (parts.licence[pi] | ~vacs.licence[vi])
            & (have >= need)
            & (dist <= parts.max_km32[pi])
        )
        return {"dist": dist, **self._components(linked, pi, vi, dist), "ok": ok}

    @staticmethod
    def _components(
        linked: _Linked, pi: np.ndarray, vi: np.ndarray, dist: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Return the non-skill component values (float32, 0-1) for index pairs at these distances."""
        parts, vacs = linked.parts, linked.vacs
        return {
            "distance": np.maximum(np.float32(0), np.float32(1) - dist * parts.inv_ref[pi]),
            "hours": np.minimum(
                vacs.hours32[vi] * parts.inv_hours[pi], parts.hours32[pi] * vacs.inv_hours[vi]
            ),
            "sector": linked.sector_value[pi, linked.vac_sector_code[vi]],
        }

    def _flags(self, linked: _Linked, pi: np.ndarray, vi: np.ndarray, dist: np.ndarray) -> np.ndarray:
        """Return the exclusion bit flags for index pairs."""
        parts, vacs = linked.parts, linked.vacs
        flags = vacs.flags[vi].copy()
        flags[parts.dutch[pi] < vacs.dutch[vi]] |= EXCL_DUTCH
        flags[~parts.licence[pi] & vacs.licence[vi]] |= EXCL_LICENCE
        flags[parts.hours32[pi] < vacs.hours32[vi]] |= EXCL_HOURS
        flags[dist > parts.max_km32[pi]] |= EXCL_DISTANCE
        if linked.declined:
            declined = {(int(p), int(v)) for p, v in linked.declined}
            for k, pair in enumerate(zip(pi.tolist(), vi.tolist(), strict=True)):
                if pair in declined:
                    flags[k] |= EXCL_DECLINED
        return flags

    @staticmethod
    def _combine(
        linked: _Linked, vi: np.ndarray, values: dict[str, np.ndarray], required, nice
    ) -> np.ndarray:
        """Return the score in hundredths of a point (int32, 0-10000)."""
        wn = linked.wn32
        score = (
            wn["required"][vi] * required
            + wn["nice"][vi] * nice
            + wn["distance"][vi] * values["distance"]
            + wn["hours"][vi] * values["hours"]
            + wn["sector"][vi] * values["sector"]
        )
        return np.rint(np.clip(score, 0, 1) * np.float32(10000)).astype(np.int32)

    def _score_block(
        self, linked: _Linked, start: int, stop: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (score in hundredths, feasible mask, distance km) for participants start:stop x all places."""
        n_v = len(linked.vacs.ids)
        coverage = (linked.a_all[start:stop] @ linked.b_all).toarray().astype(np.float32)
        pi = np.arange(start, stop)[:, None]
        vi = np.arange(n_v)[None, :]
        values = self._values(linked, pi, vi)
        score = self._combine(linked, vi, values, coverage[:, :n_v], coverage[:, n_v:])
        ok = values["ok"]
        for i, j in linked.declined:
            if start <= i < stop:
                ok[i - start, j] = False
        return score, ok, values["dist"]

    def _reach(self, linked: _Linked) -> _Reach:
        """Return every place ordered by distance from each distinct participant location (see _Reach)."""
        parts, vacs = linked.parts, linked.vacs
        n_v = len(vacs.ids)
        _, p_first, p_loc = np.unique(
            np.stack([parts.lat, parts.lon], axis=1), axis=0, return_index=True, return_inverse=True
        )
        _, v_first, v_loc = np.unique(
            np.stack([vacs.lat, vacs.lon], axis=1), axis=0, return_index=True, return_inverse=True
        )
        p_loc, v_loc = p_loc.reshape(-1), v_loc.reshape(-1)
        # The float32 operations of Engine._values on the same coordinates: bit-identical distances.
        pxyz, vxyz = parts.xyz[:, p_first], vacs.xyz[:, v_first]
        dx = pxyz[0][:, None] - vxyz[0][None, :]
        dy = pxyz[1][:, None] - vxyz[1][None, :]
        dz = pxyz[2][:, None] - vxyz[2][None, :]
        loc_dist = np.sqrt(dx * dx + dy * dy + dz * dz) * np.float32(EARTH_RADIUS_KM)
        # Places grouped by their location; per participant location, the locations nearest first. Built
        # in chunks of locations into int32/float32 arrays, so the peak stays near 8 bytes per cell.
        by_loc = np.argsort(v_loc, kind="stable").astype(np.int32)
        loc_count = np.bincount(v_loc, minlength=len(v_first))
        loc_start = np.cumsum(loc_count) - loc_count
        n_locs = len(p_first)
        order = np.empty(n_locs * n_v, dtype=np.int32)
        dist = np.empty(n_locs * n_v, dtype=np.float32)
        chunk = max(1, 1_000_000 // max(n_v, 1))
        for lo in range(0, n_locs, chunk):
            hi = min(n_locs, lo + chunk)
            loc_order = np.argsort(loc_dist[lo:hi], axis=1, kind="stable")
            sorted_dist = np.take_along_axis(loc_dist[lo:hi], loc_order, axis=1).reshape(-1)
            loc_order = loc_order.reshape(-1)
            _, member = _expand(loc_start[loc_order], loc_count[loc_order])
            order[lo * n_v : hi * n_v] = by_loc[member]
            dist[lo * n_v : hi * n_v] = np.repeat(sorted_dist, loc_count[loc_order])
        dist_rows = dist.reshape(n_locs, n_v)
        # Each participant reaches a prefix of their location's list: the places within their distance.
        within = np.empty(len(parts.ids), dtype=np.int64)
        by_p = np.argsort(p_loc, kind="stable")
        bounds = np.searchsorted(p_loc[by_p], np.arange(len(p_first) + 1)).tolist()
        for u in range(len(p_first)):
            members = by_p[bounds[u] : bounds[u + 1]]
            within[members] = np.searchsorted(dist_rows[u], parts.max_km32[members], side="right")
        return _Reach(p_loc=p_loc, order=order, dist=dist, within=within)

    def _top_pairs(
        self, linked: _Linked, k_rows: int, k_cols: int
    ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Return kept feasible (participant, place, score): top k_rows per participant, k_cols per place.

        Only pairs within the participant's distance are generated (prefixes of the places ordered by
        distance from their location); the other hard constraints filter those, and only the feasible
        pairs are scored. Top k both ways comes from sorting one integer key per pair that holds the
        owner, the score (descending) and the id rank (ascending, the deterministic tie-break).
        """
        parts, vacs = linked.parts, linked.vacs
        n_p, n_v = len(parts.ids), len(vacs.ids)
        k_rows = min(k_rows, n_v)
        k_cols = min(k_cols, n_p)
        empty = np.empty(0, dtype=np.int64)
        nothing = (empty, empty, np.empty(0))
        if not n_p or not n_v or not (k_rows or k_cols):
            return nothing, nothing
        reach = self._reach(linked)
        declined = np.sort(np.asarray([i * n_v + j for i, j in linked.declined], dtype=np.int64))
        v_rank, p_rank = vacs.rank, parts.rank
        span_v = 10_001 * n_v
        span_p = 10_001 * n_p

        # Dutch level and licence as one of 14 participant classes; per place, a bit mask of the classes
        # it accepts (none when it is full or not open). Hours are compared as they are.
        p_class = ((parts.dutch + 1) * 2 + parts.licence).astype(np.uint16)
        class_dutch = np.arange(2 * (len(DUTCH_LEVELS) + 1)) // 2 - 1
        class_licence = np.arange(2 * (len(DUTCH_LEVELS) + 1)) % 2 == 1
        accepts = (
            vacs.open_ok[:, None]
            & (class_dutch[None, :] >= vacs.dutch[:, None])
            & (class_licence[None, :] | ~vacs.licence[:, None])
        )
        place_mask = (accepts.astype(np.uint16) << np.arange(accepts.shape[1], dtype=np.uint16)).sum(
            axis=1, dtype=np.uint16
        )

        def block(start: int) -> tuple[np.ndarray | None, np.ndarray | None]:
            stop = min(n_p, start + self.block_rows)
            counts = reach.within[start:stop]
            local, flat = _expand(reach.p_loc[start:stop] * n_v, counts)
            vi = reach.order[flat]
            ok = ((place_mask[vi] >> np.repeat(p_class[start:stop], counts)) & 1).astype(bool)
            ok &= np.repeat(parts.hours32[start:stop], counts) >= vacs.hours32[vi]
            keep = np.flatnonzero(ok)
            vi, local, dist = vi[keep].astype(np.int64), local[keep], reach.dist[flat[keep]]
            pi = local + start
            if len(declined):
                fresh = ~np.isin(pi * n_v + vi, declined)
                pi, vi, local, dist = pi[fresh], vi[fresh], local[fresh], dist[fresh]
            coverage = linked.a_all[start:stop] @ linked.b_all
            coverage.data = coverage.data.astype(np.float32)  # the float32 the score uses, half the memory
            coverage = coverage.toarray().reshape(-1)
            values = self._components(linked, pi, vi, dist)
            at = local * (2 * n_v) + vi
            required, nice = coverage[at], coverage[at + n_v]
            del coverage
            drop = (10_000 - self._combine(linked, vi, values, required, nice)).astype(np.int64)
            row_keys = col_keys = None
            if k_rows:
                row_keys = _first_per_group(
                    np.sort(pi * span_v + drop * n_v + v_rank[vi]), span_v, k_rows, stop - start, start
                )
            if k_cols:
                col_keys = _first_per_group(
                    np.sort(vi * span_p + drop * n_p + p_rank[pi]), span_p, k_cols, n_v
                )
            return row_keys, col_keys

        starts = range(0, n_p, self.block_rows)
        if self.threads > 1 and len(starts) > 1:
            # numpy and scipy release the GIL in these array operations: blocks run side by side.
            with ThreadPoolExecutor(max_workers=self.threads) as pool:
                blocks = list(pool.map(block, starts))
        else:
            blocks = [block(start) for start in starts]
        v_by_rank = np.argsort(v_rank)
        p_by_rank = np.argsort(p_rank)
        rows = cols = nothing
        if k_rows:
            keys = np.concatenate([b[0] for b in blocks])  # blocks are in participant order
            rest = keys % span_v
            rows = (keys // span_v, v_by_rank[rest % n_v], (10_000 - rest // n_v) / 100.0)
        if k_cols:
            keys = _first_per_group(np.sort(np.concatenate([b[1] for b in blocks])), span_p, k_cols, n_v)
            rest = keys % span_p
            cols = (p_by_rank[rest % n_p], keys // span_p, (10_000 - rest // n_p) / 100.0)
        return rows, cols

    def _rank_one(
        self, linked: _Linked, *, by_participant: bool, top: int | None, include_excluded: bool
    ) -> list[MatchResult]:
        parts, vacs = linked.parts, linked.vacs
        n_p, n_v = len(parts.ids), len(vacs.ids)
        if not n_p or not n_v:
            return []
        blocks = [
            self._score_block(linked, start, min(n_p, start + self.block_rows))
            for start in range(0, n_p, self.block_rows)
        ]
        score = np.concatenate([b[0] for b in blocks], axis=0).ravel()
        ok = np.concatenate([b[1] for b in blocks], axis=0).ravel()
        if by_participant:
            pi = np.zeros(n_v, dtype=np.int64)
            vi = np.arange(n_v, dtype=np.int64)
            tie = vacs.rank
        else:
            pi = np.arange(n_p, dtype=np.int64)
            vi = np.zeros(n_p, dtype=np.int64)
            tie = parts.rank
        candidates = np.arange(len(score)) if include_excluded else np.flatnonzero(ok)
        order = candidates[np.lexsort((tie[candidates], -score[candidates], ~ok[candidates]))]
        if top is not None:
            order = order[:top]
        return self._explain(linked, pi[order], vi[order], score[order] / 100.0, ~ok[order]).all()

    # ------------------------------------------------------------------ explanations

    def _explain(
        self,
        linked: _Linked,
        pi: np.ndarray,
        vi: np.ndarray,
        score: np.ndarray,
        excluded: np.ndarray | None = None,
    ) -> _Explained:
        """Compute the explanations of the given pairs as arrays (objects are built when read)."""
        parts, vacs = linked.parts, linked.vacs
        n_pairs = len(pi)
        values = self._values(linked, pi, vi)
        dist = values["dist"]
        if excluded is None or not excluded.any():
            flags = np.zeros(n_pairs, dtype=np.int64)
        else:
            flags = self._flags(linked, pi, vi, dist)

        # Per requirement of each pair: the participant's best skill for that concept at that level.
        pair_of, req = _expand(vacs.req_start[vi], vacs.req_count[vi])
        n_concepts = linked.n_concepts
        keys = pi[pair_of] * n_concepts + linked.req_concept[req]
        need_level = vacs.req_min[req]
        table = linked.best_keys
        if len(table):
            pos = np.minimum(np.searchsorted(table, keys), len(table) - 1)
            hit = table[pos] == keys
            slot = np.where(hit, linked.best_slot[need_level - 1, pos], -1)
            val = np.where(hit, linked.best_val[need_level - 1, pos], 0.0)
        else:
            slot = np.full(len(req), -1, dtype=np.int64)
            val = np.zeros(len(req))
        matched_row = slot >= 0
        have_level = np.zeros(len(req), dtype=np.int64)
        have_level[matched_row] = parts.slot_level[slot[matched_row]]
        eff = val * _LEVEL_FACTOR[have_level, need_level]
        weight = linked.req_weight[req]
        is_required = vacs.req_required[req]
        # One bincount for both components: bin 2 * pair for required, 2 * pair + 1 for nice-to-have.
        both = np.bincount(2 * pair_of + ~is_required, eff * weight, minlength=2 * n_pairs).reshape(
            n_pairs, 2
        )
        required_value, nice_value = both[:, 0], both[:, 1]
        wn = {name: value[vi] for name, value in linked.wn.items()}

        # Improvements: the requirement (or 10 km more travel) that would add the most points.
        comp_weight = np.where(is_required, wn["required"][pair_of], wn["nice"][pair_of])
        # Gains in tenths of a point: rint(x * 10) is how np.round(x, 1) rounds.
        gain10 = np.rint(100.0 * comp_weight * weight * (1.0 - eff) * 10.0).astype(np.int64)
        improvable = np.flatnonzero((~matched_row | (have_level < need_level)) & (gain10 > 0))
        finite = np.isfinite(parts.max_km[pi])
        ref = 1.0 / parts.inv_ref[pi].astype(np.float64)
        dist64 = dist.astype(np.float64)
        distance_gain10 = np.where(
            finite & (flags & EXCL_DISTANCE == 0),
            np.rint(
                100.0
                * wn["distance"]
                * (
                    np.clip(1.0 - dist64 / (ref + MORE_DISTANCE_STEP_KM), 0, 1)
                    - np.clip(1.0 - dist64 / ref, 0, 1)
                )
                * 10.0
            ).astype(np.int64),
            0,
        )
        farther = np.flatnonzero(distance_gain10 > 0)
        # Per pair, its two largest gains (ties: the distance first, then requirement order), from one
        # sorted integer key: pair, then gain descending, then row (the distance counts as row -1).
        top_gain = int(max(gain10.max(initial=0), distance_gain10.max(initial=0))) + 1
        # A requirement row is keyed by its position within its pair (bounded by the longest list of
        # requirements), so the key stays far inside int64 however many pairs are explained.
        pair_first_row = np.cumsum(vacs.req_count[vi]) - vacs.req_count[vi]
        slots = int(vacs.req_count.max(initial=0)) + 1
        cand_key = np.sort(
            np.concatenate(
                [
                    (pair_of[improvable] * top_gain + (top_gain - 1 - gain10[improvable])) * slots
                    + (improvable - pair_first_row[pair_of[improvable]])
                    + 1,
                    (farther * top_gain + (top_gain - 1 - distance_gain10[farther])) * slots,
                ]
            )
        )
        cand_key = _first_per_group(cand_key, top_gain * slots, 2, n_pairs)
        cand_pair = cand_key // (top_gain * slots)
        cand_gain = (top_gain - 1 - (cand_key // slots) % top_gain) / 10.0
        position = cand_key % slots - 1
        cand_row = np.where(position >= 0, pair_first_row[cand_pair] + position, -1)
        is_row = cand_row >= 0
        cand_req = np.full(len(cand_row), -1, dtype=np.int64)
        cand_req[is_row] = req[cand_row[is_row]]
        cand_code = np.full(len(cand_row), 2, dtype=np.int64)
        cand_code[is_row] = (slot[cand_row[is_row]] >= 0).astype(np.int64)

        # Matched and missing requirement rows, each grouped by pair (a pair's rows are one range).
        m_rows = np.flatnonzero(matched_row)
        x_rows = np.flatnonzero(~matched_row)
        ends = np.arange(n_pairs + 1)
        m_req = req[m_rows]
        return _Explained(
            linked=linked,
            pi=pi,
            vi=vi,
            score=np.round(score, 2),
            flags=flags,
            dist_km=np.round(dist64, 1),
            components={
                "required": (required_value, wn["required"] > 0),
                "nice": (nice_value, wn["nice"] > 0),
                "distance": (values["distance"].astype(np.float64), None),
                "hours": (values["hours"].astype(np.float64), None),
                "sector": (values["sector"].astype(np.float64), None),
            },
            weights=wn,
            m_start=np.searchsorted(pair_of[m_rows], ends),
            m_req=m_req,
            m_slot=slot[m_rows],
            m_similarity=np.rint(val[m_rows] * 100).astype(np.int64),
            m_level=have_level[m_rows],
            x_start=np.searchsorted(pair_of[x_rows], ends),
            x_req=req[x_rows],
            i_start=np.searchsorted(cand_pair, ends),
            i_req=cand_req,
            i_code=cand_code,
            i_gain=cand_gain,
        )

    @staticmethod
    def _exclusions(linked: _Linked, p: int, v: int, flag: int, km: float) -> list[dict[str, Any]]:
        """Return the language-neutral reasons why a pair is excluded."""
        parts, vacs = linked.parts, linked.vacs
        out: list[dict[str, Any]] = []
        if flag & EXCL_DUTCH:
            have = int(parts.dutch[p])
            out.append(
                {
                    "code": "dutch_level",
                    "need": DUTCH_LEVELS[int(vacs.dutch[v])],
                    "have": DUTCH_LEVELS[have] if have >= 0 else None,
                }
            )
        if flag & EXCL_DISTANCE:
            out.append({"code": "distance", "km": km, "max_km": float(parts.max_km[p])})
        if flag & EXCL_LICENCE:
            out.append({"code": "licence"})
        if flag & EXCL_HOURS:
            out.append({"code": "hours", "need": float(vacs.hours[v]), "have": float(parts.hours[p])})
        if flag & EXCL_FULL:
            out.append({"code": "place_full"})
        if flag & EXCL_NOT_OPEN:
            out.append({"code": "not_open"})
        if flag & EXCL_DECLINED:
            out.append({"code": "declined"})
        return out


class _Explained:
    """Explanations of a list of pairs, held as arrays; MatchResult objects are built for the rows read.

    Every figure of an explanation is computed in Engine._explain. Building the Python objects is
    done per batch of rows on first read and cached, so equal rows return the same object.
    """

    def __init__(self, *, linked: _Linked, **arrays: Any) -> None:
        self.linked = linked
        self.__dict__.update(arrays)
        self._built: list[MatchResult | None] = [None] * len(arrays["pi"])
        self._missing: dict[int, dict[str, Any]] = {}
        self._complete = False
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._built)

    def all(self) -> list[MatchResult]:
        """Return every row's MatchResult, in row order."""
        if not self._complete:
            with self._lock:
                if not self._complete:
                    missing = np.fromiter((r is None for r in self._built), bool, len(self._built))
                    self._build(np.flatnonzero(missing))
                    self._complete = True
        return list(self._built)  # type: ignore[arg-type]

    def results(self, rows: Sequence[int]) -> list[MatchResult]:
        """Return the MatchResults of the given rows, building the ones not built yet in one batch."""
        built = self._built
        if not self._complete:
            with self._lock:  # one builder at a time, so each row gets exactly one object
                todo = [r for r in dict.fromkeys(rows) if built[r] is None]
                if todo:
                    self._build(np.asarray(todo, dtype=np.int64))
        return [built[r] for r in rows]  # type: ignore[misc]

    def _build(self, sel: np.ndarray) -> None:
        if not len(sel):
            return
        linked = self.linked
        parts, vacs = linked.parts, linked.vacs
        req_name, req_tax = vacs.req_name, linked.req_tax
        # Many small acyclic dicts: keep the cyclic GC from rescanning them (and for a large batch, hand
        # them to the oldest generation at once).
        with _gc_paused(freeze=len(sel) >= 10_000):
            m_slices, m_idx = _ranges(self.m_start, sel)
            m_req = self.m_req[m_idx]
            matched_objs = [
                {
                    "requirement": name,
                    "requirement_id": tax,
                    "skill": skill,
                    "similarity": sim,
                    "level": lv,
                    "min_level": need,
                    "required": required,
                }
                for name, tax, skill, sim, lv, need, required in zip(
                    vacs.req_name_arr[m_req].tolist(),
                    vacs.req_tax_arr[m_req].tolist(),
                    parts.slot_name_arr[self.m_slot[m_idx]].tolist(),
                    self.m_similarity[m_idx].tolist(),
                    self.m_level[m_idx].tolist(),
                    vacs.req_min[m_req].tolist(),
                    vacs.req_required[m_req].tolist(),
                    strict=True,
                )
            ]
            # A missing requirement reads the same for every participant: one shared dict per requirement.
            x_slices, x_idx = _ranges(self.x_start, sel)
            missing_req = self.x_req[x_idx].tolist()
            missing_dicts = self._missing
            for rq in set(missing_req).difference(missing_dicts):
                missing_dicts[rq] = {
                    "requirement": req_name[rq],
                    "requirement_id": req_tax[rq],
                    "required": bool(vacs.req_required[rq]),
                    "min_level": int(vacs.req_min[rq]),
                }
            missing_objs = [missing_dicts[rq] for rq in missing_req]
            i_slices, i_idx = _ranges(self.i_start, sel)
            codes_by_kind = ("add_skill", "raise_level")
            req_min = vacs.req_min
            improvement_objs = [
                {"code": "more_distance", "km": MORE_DISTANCE_STEP_KM, "gain": g}
                if kind == 2
                else {
                    "code": codes_by_kind[kind],
                    "skill": req_name[rq],
                    "level": int(req_min[rq]),
                    "gain": g,
                }
                for rq, kind, g in zip(
                    self.i_req[i_idx].tolist(),
                    self.i_code[i_idx].tolist(),
                    self.i_gain[i_idx].tolist(),
                    strict=True,
                )
            ]

            def component(name: str) -> list:
                """Return one {value, weight, points} dict per row; equal ones are shared (read-only)."""
                value, applies = self.components[name]
                value = value[sel]
                w = self.weights[name][sel]
                v_int = np.rint(value * 1000).astype(np.int64)  # 0..1000
                w_int = np.rint(w * 10000).astype(np.int64)  # 0..10000
                p_int = np.rint(100.0 * w * value * 100).astype(np.int64)  # 0..10000
                unique, inverse = np.unique((v_int << 28) | (w_int << 14) | p_int, return_inverse=True)
                objs = [
                    {"value": vi / 1000, "weight": wi / 10000, "points": pi / 100}
                    for vi, wi, pi in zip(
                        (unique >> 28).tolist(),
                        ((unique >> 14) & 0x3FFF).tolist(),
                        (unique & 0x3FFF).tolist(),
                        strict=True,
                    )
                ]
                inverse = inverse.reshape(-1).tolist()
                if applies is None:
                    return [objs[i] for i in inverse]
                return [objs[i] if ok else None for i, ok in zip(inverse, applies[sel].tolist(), strict=True)]

            components = [
                {"required": r, "nice": n, "distance": d, "hours": h, "sector": t}
                if r is not None and n is not None
                else {
                    key: c
                    for key, c in (("required", r), ("nice", n), ("distance", d), ("hours", h), ("sector", t))
                    if c is not None
                }
                for r, n, d, h, t in zip(
                    component("required"),
                    component("nice"),
                    component("distance"),
                    component("hours"),
                    component("sector"),
                    strict=True,
                )
            ]
            pi_l, vi_l = self.pi[sel].tolist(), self.vi[sel].tolist()
            flags_l = self.flags[sel].tolist()
            dist_km = self.dist_km[sel].tolist()
            score_l = self.score[sel].tolist()
            p_ids, v_ids = parts.ids, vacs.ids
            exclusions = [
                Engine._exclusions(linked, p, v, f, km) if f else []
                for p, v, f, km in zip(pi_l, vi_l, flags_l, dist_km, strict=True)
            ]
            built = self._built
            for row, p, v, sc, f, km, excl, comp, (m0, m1), (x0, x1), (i0, i1) in zip(
                sel.tolist(),
                pi_l,
                vi_l,
                score_l,
                flags_l,
                dist_km,
                exclusions,
                components,
                m_slices,
                x_slices,
                i_slices,
                strict=True,
            ):
                built[row] = MatchResult(
                    p_ids[p],
                    v_ids[v],
                    sc,
                    bool(f),
                    {
                        "score": sc,
                        "components": comp,
                        "matched": matched_objs[m0:m1],
                        "missing": missing_objs[x0:x1],
                        "distance_km": km,
                        "exclusions": excl,
                        "improvements": improvement_objs[i0:i1],
                    },
                )


def _ranges(starts: np.ndarray, sel: np.ndarray) -> tuple[list[tuple[int, int]], np.ndarray]:
    """For rows ``sel`` whose items are ``starts[r]:starts[r + 1]``: (slice bounds per row, item indices)."""
    lo = starts[sel]
    counts = starts[sel + 1] - lo
    _, items = _expand(lo, counts)
    ends = np.cumsum(counts)
    return list(zip((ends - counts).tolist(), ends.tolist(), strict=True)), items


class Ranking(Mapping):
    """Results per participant (or per place), best first: a read-only mapping id -> list of MatchResult.

    Returned by Engine.rank_all. Reading an id builds its MatchResults (cached); ``items()`` and
    ``values()`` build all of them in one batch first. Equal to a dict with the same lists.
    """

    def __init__(
        self,
        ids: list[Any],
        index: dict[Any, int],
        bounds: np.ndarray,
        rows: np.ndarray,
        explained: _Explained,
    ) -> None:
        self._ids = ids
        self._index = index
        self._bounds = bounds.tolist()
        self._rows = rows.tolist()
        self._explained = explained

    def __getitem__(self, key: Any) -> list[MatchResult]:
        i = self._index[key]
        return self._explained.results(self._rows[self._bounds[i] : self._bounds[i + 1]])

    def __iter__(self) -> Iterator[Any]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: object) -> bool:
        try:
            return key in self._index
        except TypeError:
            return False

    def items(self):  # noqa: ANN201 - the Mapping view type
        """Return the (id, results) view, building every result at once first."""
        self._explained.all()
        return super().items()

    def values(self):  # noqa: ANN201 - the Mapping view type
        """Return the results view, building every result at once first."""
        self._explained.all()
        return super().values()

    def __repr__(self) -> str:
        return f"Ranking({len(self._ids)} ids, {len(self._explained)} explained pairs)"


_GC_LOCK = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused(*, freeze: bool = True) -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects (nested and thread-safe).

    With ``freeze``, the objects just built (results the caller keeps) move to the oldest generation at once
    when the last pause ends, rather than a young collection traversing them.
    """
    global _gc_pauses, _gc_was_enabled
    with _GC_LOCK:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                if freeze:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()


def _top_k_desc(key: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Return indices of the k largest keys along ``axis``, largest first (keys are unique per line)."""
    size = key.shape[axis]
    if k <= 0:
        shape = list(key.shape)
        shape[axis] = 0
        return np.empty(shape, dtype=np.int64)
    if axis == 0:
        return _top_k_desc(np.ascontiguousarray(key.T), k, axis=1).T
    if k < size:
        part = np.argpartition(-key, k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(size)[None, :], key.shape).copy()
    order = np.argsort(-np.take_along_axis(key, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _first_per_group(keys: np.ndarray, span: int, k: int, groups: int, first_group: int = 0) -> np.ndarray:
    """Return the first k sorted keys of each group (group = key // span, in first_group..+groups)."""
    bounds = np.searchsorted(keys, np.arange(first_group, first_group + groups + 1, dtype=np.int64) * span)
    keys = keys[bounds[0] : bounds[-1]]
    if len(keys) <= k:
        return keys
    first = np.repeat(bounds[:-1] - bounds[0], np.diff(bounds))
    return keys[np.arange(len(keys)) - first < k]


def _merge_pairs(
    rows: tuple[np.ndarray, np.ndarray, np.ndarray], cols: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the distinct (participant, place, score) triples kept in either direction."""
    p = np.concatenate([rows[0], cols[0]])
    v = np.concatenate([rows[1], cols[1]])
    s = np.concatenate([rows[2], cols[2]])
    if not len(p):
        return p, v, s
    width = int(v.max()) + 1
    _, first = np.unique(p * width + v, return_index=True)  # sorted by participant, then place
    return p[first], v[first], s[first]


def _naive_top1(
    rows: tuple[np.ndarray, np.ndarray, np.ndarray], n_p: int, capacity: np.ndarray
) -> dict[str, Any]:
    """Summarise "everyone gets their own top 1": total, coverage, congestion, people turned away."""
    p, v, s = rows
    if len(p):
        first = np.ones(len(p), dtype=bool)
        first[1:] = p[1:] != p[:-1]
        top_v, top_s = v[first], s[first]
    else:
        top_v, top_s = np.empty(0, dtype=np.int64), np.empty(0)
    aimed = np.bincount(top_v, minlength=len(capacity)) if len(capacity) else np.zeros(0, dtype=np.int64)
    served = np.minimum(aimed, capacity)
    return {
        "total_score": round(float(top_s.sum()), 2),
        "coverage": round(len(top_v) / n_p, 4) if n_p else 0.0,
        "max_per_place": int(aimed.max(initial=0)),
        "turned_away": int((aimed - served).sum()),
        "feasible_coverage": round(float(served.sum()) / n_p, 4) if n_p else 0.0,
    }
