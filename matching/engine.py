"""The matching engine's facade: ``Engine`` ties the parts together and keeps the per-process caches.

The parts, in the order a call goes through them:

* ``matching.validation`` and ``matching.preparation``: records become validated arrays (the places'
  side, with their resolved requirement texts and matrices, is cached here between calls);
* ``matching.concepts`` (with ``matching.similarity``): skill texts joined to requirement columns;
* ``matching.kernel``: the hard constraints and the one score formula;
* ``matching.ranking``: reach and the top k both ways (the one production path for many participants);
* ``matching.one_participant``: the same top k for one participant, on the dense places row (equal output);
* ``matching.explanations``: explanations as arrays, dicts built when read;
* ``matching.assignment``: the capacity-aware assignment.

``matching.reference`` holds the dense implementation the tests compare the fast path with.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from matching import assignment
from matching.arrays import gc_paused, group_starts
from matching.concepts import OCCUPATION_SKILL_CREDIT, SYNONYM_CREDIT, Linked, link
from matching.explanations import explain
from matching.geo import Geo, default_geo
from matching.kernel import DIRECT_CUTOFF, GROUP_CREDIT
from matching.models import AssignmentResult, MatchResult, Participant, Vacancy, Weights
from matching.occupations import Occupations, default_occupations
from matching.one_participant import link_one, top_one
from matching.preparation import PreparedParticipants, PreparedPlaces, prepare_participants, prepare_places
from matching.ranking import Ranking, merge_pairs_with_positions, reach, top_pairs
from matching.vocabulary import Vocabulary, default_vocabulary

# a list of participants at least this long is kept prepared for the next call with the same objects
PARTICIPANT_CACHE_MIN = 1_000
# from this many participants on, joining them with the places uses a second thread (see ``link``)
THREADED_LINK_MIN = 1_000


class Engine:
    """Score, rank and assign participants and stage places."""

    def __init__(
        self,
        vocabulary: Vocabulary | None = None,
        geo: Geo | None = None,
        weights: Weights | dict[str, float] | None = None,
        occupations: Occupations | None = None,
        *,
        direct_cutoff: float = DIRECT_CUTOFF,
        graded: bool = True,
        group_credit: float = GROUP_CREDIT,
        synonym_credit: float = SYNONYM_CREDIT,
        occupation_credit: float = OCCUPATION_SKILL_CREDIT,
        block_rows: int = 1024,
        assignment_candidates: int = 30,
        dense_assignment_limit: int = 2_000_000,
        threads: int | None = None,
    ) -> None:
        self._vocabulary = vocabulary
        self._geo = geo
        self._occupations = occupations
        self.weights = Weights.from_value(weights)
        self.direct_cutoff = direct_cutoff
        self.graded = graded
        self.group_credit = group_credit
        self.synonym_credit = synonym_credit
        self.occupation_credit = occupation_credit
        self.block_rows = block_rows
        self.assignment_candidates = assignment_candidates
        self.dense_assignment_limit = dense_assignment_limit
        self.threads = threads if threads is not None else min(4, os.cpu_count() or 1)
        self._vacancy_cache: tuple[list[Vacancy], PreparedPlaces] | None = None
        self._participant_cache: tuple[list[Participant], PreparedParticipants] | None = None

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

    @property
    def occupations(self) -> Occupations:
        """Return the ESCO occupations for wishes, loading the seeds on first use."""
        if self._occupations is None:
            self._occupations = default_occupations()
        return self._occupations

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
        linked, coverage, precision = self.link_one(participant, vacancies, declined)
        k = len(linked.vacs.ids) if top is None else top
        rows, _ = top_one(linked, coverage, precision, k, 0, include_excluded=include_excluded)
        return self._explained_list(linked, rows)

    def rank_participants(
        self,
        vacancy: Vacancy,
        participants: Sequence[Participant],
        top: int | None = 20,
        declined: Iterable[tuple[Any, Any]] = frozenset(),
        include_excluded: bool = False,
    ) -> list[MatchResult]:
        """Return the best participants for one stage place, best first."""
        linked = self.link(participants, [vacancy], declined)
        k = len(linked.parts.ids) if top is None else top
        _, cols = top_pairs(
            linked,
            0,
            k,
            include_excluded=include_excluded,
            block_rows=self.block_rows,
            threads=self.threads,
        )
        return self._explained_list(linked, cols)

    def rank_all(
        self,
        participants: Sequence[Participant],
        vacancies: Sequence[Vacancy],
        top: int = 20,
        declined: Iterable[tuple[Any, Any]] = frozenset(),
        include_excluded: bool = False,
        vacancy_top: int | None = None,
    ) -> dict[str, Ranking]:
        """Return the top places per participant and the top participants per place.

        Both are read-only mappings id -> list of MatchResult, best first. Excluded pairs are left
        out unless ``include_excluded``, which lists them after the feasible ones (as the stored
        suggestions need). ``vacancy_top`` (default ``top``) limits the per-place side; 0 leaves it empty.
        The MatchResult objects of an id are built when that id is first read (``items()`` and
        ``values()`` build them all at once).
        """
        k_cols = top if vacancy_top is None else vacancy_top
        if len(participants) == 1:  # one participant (the web app's refresh of one): the dense row
            linked, coverage, precision = self.link_one(participants[0], vacancies, declined)
            rows, cols = top_one(linked, coverage, precision, top, k_cols, include_excluded=include_excluded)
        else:
            linked = self.link(participants, vacancies, declined)
            rows, cols = top_pairs(
                linked,
                top,
                k_cols,
                include_excluded=include_excluded,
                block_rows=self.block_rows,
                threads=self.threads,
            )
        (pi, vi, score, excluded, precision), row_at, col_at = merge_pairs_with_positions(rows, cols)
        explained = explain(linked, pi, vi, score, excluded, precision, threads=self.threads)
        parts, vacs = linked.parts, linked.vacs
        return {
            "by_participant": Ranking(
                parts.ids, parts.index, group_starts(rows[0], len(parts.ids)), row_at, explained
            ),
            "by_vacancy": Ranking(
                vacs.ids, vacs.index, group_starts(cols[1], len(vacs.ids)), col_at, explained
            ),
        }

    def assign(
        self,
        participants: Sequence[Participant],
        vacancies: Sequence[Vacancy],
        declined: Iterable[tuple[Any, Any]] = frozenset(),
    ) -> AssignmentResult:
        """Propose at most one place per participant, respecting free places, maximising total score."""
        return assignment.assign(
            self.link(participants, vacancies, declined),
            candidates=self.assignment_candidates,
            dense_limit=self.dense_assignment_limit,
            block_rows=self.block_rows,
            threads=self.threads,
        )

    # ------------------------------------------------------------------ parts

    def join_settings(self) -> dict[str, Any]:
        """How skill texts are joined to requirement columns: the same settings for every path."""
        return {
            "direct_cutoff": self.direct_cutoff,
            "graded": self.graded,
            "group_credit": self.group_credit,
            "synonym_credit": self.synonym_credit,
            "occupations": self.occupations,
            "occupation_credit": self.occupation_credit,
        }

    def link(
        self,
        participants: Sequence[Participant],
        vacancies: Sequence[Vacancy],
        declined: Iterable[tuple[Any, Any]] = frozenset(),
    ) -> Linked:
        """Prepare both sides and join them through their skill concepts (places cached)."""
        with gc_paused():  # many small acyclic objects while resolving: no cyclic GC rescans
            parts = self.prepared_participants(participants)
            vacs = self.prepared_places(vacancies)
            if self.threads < 2 or len(parts.ids) < THREADED_LINK_MIN:
                return link(parts, vacs, declined, self.vocabulary, **self.join_settings())
            # Many participants: the places by distance (numpy, which releases the GIL) are ordered on a
            # second thread while the texts are resolved (mostly Python).
            with ThreadPoolExecutor(max_workers=1) as pool:
                distance = pool.submit(reach, parts, vacs)
                linked = link(
                    parts, vacs, declined, self.vocabulary, threads=self.threads, **self.join_settings()
                )
                linked.reach = distance.result()
            return linked

    def link_one(
        self,
        participant: Participant,
        vacancies: Sequence[Vacancy],
        declined: Iterable[tuple[Any, Any]] = frozenset(),
    ) -> tuple[Linked, np.ndarray, np.ndarray]:
        """Prepare one participant and join it with the (cached) places as dense rows (see one_participant)."""
        with gc_paused():
            parts = prepare_participants([participant], self.geo, self.occupations)
            vacs = self.prepared_places(vacancies)
            return link_one(
                parts,
                vacs,
                declined,
                self.vocabulary,
                **self.join_settings(),
            )

    def prepared_places(self, vacancies: Sequence[Vacancy]) -> PreparedPlaces:
        """Return the prepared places, reusing the last preparation for the same or equal places."""
        # Places change rarely between calls. Frozen dataclasses compare by value, which is cheap next to
        # preparing; an equal new list replaces the cached one, so the next call with it is an identity hit.
        cached = self._vacancy_cache
        objs = list(vacancies)
        if cached is not None and len(cached[0]) == len(objs):
            same = all(map(operator.is_, cached[0], objs))  # lengths are equal (checked above)
            if same:
                return cached[1]
            if tuple(cached[0]) == tuple(objs):
                self._vacancy_cache = (objs, cached[1])
                return cached[1]
        prepared = prepare_places(objs, self.geo, self.vocabulary, self.weights, self.occupations)
        self._vacancy_cache = (objs, prepared)
        return prepared

    def prepared_participants(self, participants: Sequence[Participant]) -> PreparedParticipants:
        """Return the prepared participants, reusing the last preparation when called with the same objects.

        A place refresh scores one place against every participant; a caller that keeps its participant list
        (the web app keeps one per process) then prepares them once. Other lists are prepared each call.
        """
        objs = list(participants)
        cached = self._participant_cache
        if cached is not None and len(cached[0]) == len(objs) and all(map(operator.is_, cached[0], objs)):
            return cached[1]
        prepared = prepare_participants(objs, self.geo, self.occupations)
        if len(objs) >= PARTICIPANT_CACHE_MIN:
            self._participant_cache = (objs, prepared)
        return prepared

    @staticmethod
    def _explained_list(linked: Linked, pairs: Any) -> list[MatchResult]:
        pi, vi, score, excluded, precision = pairs
        return explain(linked, pi, vi, score, excluded, precision).all()
