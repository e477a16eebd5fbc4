"""Capacity-aware assignment: at most one place per participant, free places respected, total score maximal.

Each place is expanded into one column per free place and every participant gets a private
"unassigned" column of weight 0. Small instances are solved exactly with
``scipy.optimize.linear_sum_assignment``; large ones on the candidate graph (each participant's top
places plus each place's top participants) with ``min_weight_full_bipartite_matching``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matching.arrays import expand_ranges
from matching.models import Assignment, AssignmentResult
from matching.ranking import Pairs, merge_pairs, top_pairs

if TYPE_CHECKING:
    from matching.concepts import Linked


def assign(
    linked: Linked,
    *,
    candidates: int,
    dense_limit: int,
    block_rows: int,
    threads: int,
) -> AssignmentResult:
    """Propose at most one place per participant, respecting free places, maximising total score."""
    parts, vacs = linked.parts, linked.vacs
    n_p, n_v = len(parts.ids), len(vacs.ids)
    capacity = vacs.capacity
    n_slots = int(capacity.sum())
    dense = n_p * max(n_slots, 1) <= dense_limit
    k_rows = n_v if dense else candidates
    k_cols = 0 if dense else int(min(n_p, max(candidates, 3 * int(capacity.max(initial=0)))))
    rows, cols = top_pairs(linked, k_rows, k_cols, block_rows=block_rows, threads=threads)
    pi, vi, score, _, _ = merge_pairs(rows, cols)
    score_int = np.rint(score * 100).astype(np.int64)
    naive = naive_top1(rows, n_p, capacity)
    if n_slots == 0 or len(pi) == 0:
        chosen_p = chosen_v = np.empty(0, dtype=np.int64)
        method = "none"
    else:
        slot_vac = np.repeat(np.arange(n_v, dtype=np.int64), capacity)
        slot_start = np.cumsum(capacity) - capacity
        edge_rows, slot_idx = expand_ranges(slot_start[vi], capacity[vi])
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
    chosen = sorted(zip(chosen_p.tolist(), chosen_v.tolist(), strict=True), key=lambda pv: parts.rank[pv[0]])
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


def naive_top1(rows: Pairs, n_p: int, capacity: np.ndarray) -> dict[str, Any]:
    """Summarise "everyone gets their own top 1": total, coverage, congestion, people turned away."""
    p, v, s, _, _ = rows
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
