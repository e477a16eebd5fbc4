"""The scoring kernel: hard constraints, component values and the one score formula every path uses.

``score = 100 x sum(weight_k x value_k)`` over the components, with weights renormalised per place
over the components that apply (``matching.preparation``). The fast path (``matching.ranking``), the
explanations and the dense test oracle (``matching.reference``) all call ``pair_values`` /
``components`` and ``combine`` here, so they cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matching.geo import EARTH_RADIUS_KM

if TYPE_CHECKING:
    from matching.concepts import Linked

DIRECT_CUTOFF = 85.0
LEVEL_SHORTFALL_PENALTY = 0.3
DISTANCE_REFERENCE_KM = 50.0
NEUTRAL_SECTOR = 0.5
#: Similarity of two different skills of the same ESCO skill group (times how sure both resolutions are).
GROUP_CREDIT = 0.3

EXCL_DUTCH = 1
EXCL_LICENCE = 2
EXCL_HOURS = 4
EXCL_DISTANCE = 8
EXCL_FULL = 16
EXCL_NOT_OPEN = 32
EXCL_DECLINED = 64

#: Component names in the order explanations list them.
COMPONENTS = ("required", "nice", "precision", "distance", "hours", "sector", "occupation")
#: Credit for a place whose occupation shares the ISCO unit group of a wish (the same occupation: 1).
SAME_GROUP_CREDIT = 0.5


def level_factor(have: int, need: int) -> float:
    """Return how much a skill at level ``have`` counts for a requirement of level ``need``."""
    if have >= need:
        return 1.0
    return max(0.0, 1.0 - LEVEL_SHORTFALL_PENALTY * (need - have))


LEVEL_FACTOR = np.array(
    [[level_factor(have, need) if have else 0.0 for need in range(5)] for have in range(5)], dtype=np.float64
)


def distances(linked: Linked, pi: np.ndarray, vi: np.ndarray) -> np.ndarray:
    """Return chord distances (km, float32) between participants and places for broadcastable indices."""
    pxyz, vxyz = linked.parts.xyz, linked.vacs.xyz
    dx = pxyz[0][pi] - vxyz[0][vi]
    dy = pxyz[1][pi] - vxyz[1][vi]
    dz = pxyz[2][pi] - vxyz[2][vi]
    return np.sqrt(dx * dx + dy * dy + dz * dz) * np.float32(EARTH_RADIUS_KM)


def feasible(linked: Linked, pi: np.ndarray, vi: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """Return whether each pair meets every hard constraint except declines."""
    parts, vacs = linked.parts, linked.vacs
    return (
        vacs.open_ok[vi]
        & (parts.dutch[pi] >= vacs.dutch[vi])
        & (parts.licence[pi] | ~vacs.licence[vi])
        & (parts.hours32[pi] >= vacs.hours32[vi])
        & (dist <= parts.max_km32[pi])
    )


def components(
    linked: Linked, pi: np.ndarray, vi: np.ndarray, dist: np.ndarray, precision: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Return the non-coverage component values (float32, 0-1) for index pairs at these distances.

    ``precision`` (float32), when the caller has it already, is used as the pairs' ``profile_use``.
    """
    parts, vacs = linked.parts, linked.vacs
    return {
        "precision": profile_use(linked, pi, vi) if precision is None else precision,
        "distance": np.maximum(np.float32(0), np.float32(1) - dist * parts.inv_ref[pi]),
        "hours": np.minimum(vacs.hours32[vi] * parts.inv_hours[pi], parts.hours32[pi] * vacs.inv_hours[vi]),
        "sector": linked.sector_value[pi, vacs.vac_sector_code[vi]],
        "occupation": occupation_values(linked, pi, vi),
        "occupation_share": np.where(parts.has_wishes[pi], vacs.occupation_share[vi], np.float32(0)),
    }


def occupation_values(linked: Linked, pi: np.ndarray, vi: np.ndarray) -> np.ndarray:
    """Return 1 where the place's occupation is one the participant wishes, 0.5 for one of the same ISCO unit
    group, else 0 (float32, broadcastable indices)."""
    parts, vacs = linked.parts, linked.vacs
    rows, cols = np.broadcast_arrays(pi, vi)
    out = np.zeros(rows.shape, dtype=np.float32)
    if not len(parts.wish_keys) or not rows.size:
        return out
    occupation = vacs.occupation_index[cols]
    group = vacs.occupation_group[cols]
    same = _member(parts.wish_keys, rows * parts.n_occupations + occupation) & (occupation >= 0)
    near = _member(parts.wish_group_keys, rows * parts.n_groups + group) & (group >= 0)
    out[near] = SAME_GROUP_CREDIT
    out[same] = 1.0
    return out


def _member(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    position = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[position] == keys


#: Up to this many participant x place cells ``profile_use`` gathers from a dense copy.
DENSE_PROFILE_USE = 1 << 16
#: Above that, it gathers from dense copies of this many cells (ranges of rows) at a time.
DENSE_PROFILE_ROWS_CELLS = 1 << 21


def profile_use(linked: Linked, pi: np.ndarray, vi: np.ndarray) -> np.ndarray:
    """Return the share of each participant's skills the place uses (float32) for broadcastable indices."""
    rows, cols = np.broadcast_arrays(pi, vi)
    matrix = linked.precision_matrix()
    if isinstance(matrix, np.ndarray):  # the one-participant path keeps it as a dense row
        return matrix[rows, cols].astype(np.float32)
    if not rows.size or not matrix.nnz:
        return np.zeros(rows.shape, dtype=np.float32)
    if matrix.shape[0] * matrix.shape[1] <= DENSE_PROFILE_USE:
        # One participant (or one place): a dense gather costs far less than sparse fancy indexing.
        return matrix.toarray()[rows, cols].astype(np.float32)
    # Many pairs: gathered from dense copies of ranges of rows (scipy's pair-by-pair sampling scans each
    # row's entries, which cost most of a full re-match); the same stored values.
    flat_rows, flat_cols = np.array(rows).reshape(-1), np.array(cols).reshape(-1)
    out = np.empty(len(flat_rows), dtype=np.float32)
    step = max(1, DENSE_PROFILE_ROWS_CELLS // max(matrix.shape[1], 1))
    order = np.argsort(flat_rows, kind="stable")
    first = int(flat_rows[order[0]])
    edges = np.arange(first, int(flat_rows[order[-1]]) + step + 1, step)
    bounds = np.searchsorted(flat_rows[order], edges).tolist()
    for k in range(len(edges) - 1):
        at = order[bounds[k] : bounds[k + 1]]
        if len(at):
            lo = int(edges[k])
            out[at] = matrix[lo : int(edges[k + 1])].toarray()[flat_rows[at] - lo, flat_cols[at]]
    return out.reshape(rows.shape)


def flags(linked: Linked, pi: np.ndarray, vi: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """Return the exclusion bit flags for index pairs."""
    parts, vacs = linked.parts, linked.vacs
    out = vacs.flags[vi].copy()
    out[parts.dutch[pi] < vacs.dutch[vi]] |= EXCL_DUTCH
    out[~parts.licence[pi] & vacs.licence[vi]] |= EXCL_LICENCE
    out[parts.hours32[pi] < vacs.hours32[vi]] |= EXCL_HOURS
    out[dist > parts.max_km32[pi]] |= EXCL_DISTANCE
    if linked.declined:
        for k, pair in enumerate(zip(pi.tolist(), vi.tolist(), strict=True)):
            if pair in linked.declined:
                out[k] |= EXCL_DECLINED
    return out


def combine(
    linked: Linked, vi: np.ndarray, values: dict[str, np.ndarray], required: np.ndarray, nice: np.ndarray
) -> np.ndarray:
    """Return the score in hundredths of a point (int32, 0-10000): the one formula of every path."""
    weight = linked.vacs.wn32
    score = (
        weight["required"][vi] * required
        + weight["nice"][vi] * nice
        + weight["precision"][vi] * values["precision"]
        + weight["distance"][vi] * values["distance"]
        + weight["hours"][vi] * values["hours"]
        + weight["sector"][vi] * values["sector"]
    )
    # With occupation wishes the occupation component joins the others (weights renormalised per pair).
    share = values["occupation_share"]
    score = score * (np.float32(1) - share) + share * values["occupation"]
    return np.rint(np.clip(score, 0, 1) * np.float32(10000)).astype(np.int32)
