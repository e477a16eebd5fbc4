"""The plain dense reference implementation, kept only as a test oracle for the fast path.

It scores one participant against every place (or one place against every participant) as a full
dense block, with the same kernel (``matching.kernel``) and explanations as production, and sorts
with ``numpy.lexsort``. Tests check that ``Engine`` (``matching.ranking.top_pairs``) returns exactly
what this returns; production never calls it (RapidFuzz keeps ``metrics_py`` beside ``metrics_cpp``
the same way).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from matching.concepts import Linked
from matching.engine import Engine
from matching.explanations import explain
from matching.kernel import combine, components, distances, feasible
from matching.models import MatchResult, Participant, Vacancy


def score_dense(linked: Linked) -> tuple[np.ndarray, np.ndarray]:
    """Return (score in hundredths, feasible mask) for every participant x place."""
    n_p, n_v = len(linked.parts.ids), len(linked.vacs.ids)
    coverage = (linked.a_all @ linked.vacs.b_all).toarray().astype(np.float32)
    pi = np.arange(n_p)[:, None]
    vi = np.arange(n_v)[None, :]
    dist = distances(linked, pi, vi)
    score = combine(linked, vi, components(linked, pi, vi, dist), coverage[:, :n_v], coverage[:, n_v:])
    ok = feasible(linked, pi, vi, dist)
    for i, j in linked.declined:
        ok[i, j] = False
    return score, ok


def rank_dense(
    linked: Linked, *, by_participant: bool, top: int | None, include_excluded: bool
) -> list[MatchResult]:
    """Rank the places of the one participant (or the participants of the one place) densely."""
    parts, vacs = linked.parts, linked.vacs
    n_p, n_v = len(parts.ids), len(vacs.ids)
    if not n_p or not n_v:
        return []
    score, ok = (a.ravel() for a in score_dense(linked))
    if by_participant:
        pi, vi, tie = np.zeros(n_v, dtype=np.int64), np.arange(n_v, dtype=np.int64), vacs.rank
    else:
        pi, vi, tie = np.arange(n_p, dtype=np.int64), np.zeros(n_p, dtype=np.int64), parts.rank
    candidates = np.arange(len(score)) if include_excluded else np.flatnonzero(ok)
    order = candidates[np.lexsort((tie[candidates], -score[candidates], ~ok[candidates]))]
    if top is not None:
        order = order[:top]
    return explain(linked, pi[order], vi[order], score[order] / 100.0, ~ok[order]).all()


def rank_places_dense(
    engine: Engine,
    participant: Participant,
    vacancies: Sequence[Vacancy],
    top: int | None = 20,
    declined: Iterable[tuple[Any, Any]] = frozenset(),
    include_excluded: bool = False,
) -> list[MatchResult]:
    """Return what ``engine.rank_places`` should return, computed densely."""
    linked = engine.link([participant], vacancies, declined)
    return rank_dense(linked, by_participant=True, top=top, include_excluded=include_excluded)


def rank_participants_dense(
    engine: Engine,
    vacancy: Vacancy,
    participants: Sequence[Participant],
    top: int | None = 20,
    declined: Iterable[tuple[Any, Any]] = frozenset(),
    include_excluded: bool = False,
) -> list[MatchResult]:
    """Return what ``engine.rank_participants`` should return, computed densely."""
    linked = engine.link(participants, [vacancy], declined)
    return rank_dense(linked, by_participant=False, top=top, include_excluded=include_excluded)
