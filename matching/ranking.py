"""Reach and ranking: which places each participant can reach, the top k both ways, the result mapping.

``top_pairs`` is the production path for many participants: ``Engine.rank_participants``, ``rank_all``
and ``assign`` take their pairs from it; one participant (``Engine.rank_places``, a one-participant
``rank_all``) goes through ``matching.one_participant``, which returns exactly the same pairs on the dense
places row (``matching.reference`` keeps a dense oracle for tests; tests check all three agree).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from matching.arrays import expand_ranges, first_per_group, first_per_group_positions
from matching.geo import EARTH_RADIUS_KM
from matching.kernel import combine, components
from matching.models import DUTCH_LEVELS, MatchResult

if TYPE_CHECKING:
    from matching.concepts import Linked
    from matching.explanations import Explained
    from matching.preparation import PreparedParticipants, PreparedPlaces


@dataclass
class Reach:
    """Places ordered by distance from each distinct participant location (flattened rows of n_v).

    ``order[loc * n_v + t]`` is the t-th nearest place from location ``loc`` and ``dist`` its
    distance; participant ``i`` (at ``p_loc[i]``) reaches the first ``within[i]`` of them.
    """

    p_loc: np.ndarray
    order: np.ndarray
    dist: np.ndarray
    within: np.ndarray


def reach(parts: PreparedParticipants, vacs: PreparedPlaces) -> Reach:
    """Return every place ordered by distance from each distinct participant location (see Reach)."""
    n_v = len(vacs.ids)
    _, p_first, p_loc = np.unique(
        np.stack([parts.lat, parts.lon], axis=1), axis=0, return_index=True, return_inverse=True
    )
    if vacs.locations is None:  # the places' side depends on the places only: kept with them
        _, v_first, v_loc = np.unique(
            np.stack([vacs.lat, vacs.lon], axis=1), axis=0, return_index=True, return_inverse=True
        )
        vacs.locations = (v_first, v_loc.reshape(-1))
    v_first, v_loc = vacs.locations
    p_loc = p_loc.reshape(-1)
    # The float32 operations of kernel.distances on the same coordinates: bit-identical distances.
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
        _, member = expand_ranges(loc_start[loc_order], loc_count[loc_order])
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
    return Reach(p_loc=p_loc, order=order, dist=dist, within=within)


#: (participant, place, score, excluded, share of the profile used as float32) of kept pairs
Pairs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def top_pairs(
    linked: Linked,
    k_rows: int,
    k_cols: int,
    *,
    include_excluded: bool = False,
    block_rows: int = 1024,
    threads: int = 1,
) -> tuple[Pairs, Pairs]:
    """Return kept (participant, place, score, excluded) pairs: top k_rows per participant, k_cols per place.

    Without ``include_excluded`` only pairs within the participant's distance are generated (prefixes
    of the places ordered by distance from their location); the other hard constraints filter those,
    and only the feasible pairs are scored. With it every pair is scored and excluded pairs rank after
    all feasible ones. Top k both ways comes from sorting one integer key per pair that holds the owner,
    whether it is excluded, the score (descending) and the id rank (ascending, the deterministic
    tie-break). Both lists are sorted by owner, best first.
    """
    parts, vacs = linked.parts, linked.vacs
    n_p, n_v = len(parts.ids), len(vacs.ids)
    k_rows = min(k_rows, n_v)
    k_cols = min(k_cols, n_p)
    empty = np.empty(0, dtype=np.int64)
    nothing = (empty, empty, np.empty(0), np.empty(0, dtype=bool), np.empty(0, dtype=np.float32))
    if not n_p or not n_v or not (k_rows or k_cols):
        return nothing, nothing
    places_by_distance = linked.reach if linked.reach is not None else reach(parts, vacs)
    within = np.full(n_p, n_v, dtype=np.int64) if include_excluded else places_by_distance.within
    declined = np.sort(np.asarray([i * n_v + j for i, j in linked.declined], dtype=np.int64))
    v_rank, p_rank = vacs.rank, parts.rank
    levels = 2 * 10_001  # excluded x score in hundredths (descending)
    span_v = levels * n_v
    span_p = levels * n_p

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

    v_by_rank = np.argsort(v_rank)
    p_by_rank = np.argsort(p_rank)
    owner_text, text_use = linked.owner_text, linked.text_use
    assert owner_text is not None and text_use is not None  # set by concepts.link

    # Each thread densifies its blocks into the same two buffers (fresh ones would be faulted in anew each time).
    local_buffers = threading.local()

    def dense_buffers(rows: int) -> tuple[np.ndarray, np.ndarray]:
        held = getattr(local_buffers, "held", None)
        if held is None:
            held = local_buffers.held = (
                np.empty((block_rows, 2 * n_v), dtype=np.float32),
                np.empty((block_rows, n_v), dtype=np.float32),
            )
        return held[0][:rows], held[1][:rows]

    def block(
        start: int,
    ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        stop = min(n_p, start + block_rows)
        counts = within[start:stop]
        local, flat = expand_ranges(places_by_distance.p_loc[start:stop] * n_v, counts)
        vi = places_by_distance.order[flat].astype(np.int64)
        dist = places_by_distance.dist[flat]
        ok = ((place_mask[vi] >> np.repeat(p_class[start:stop], counts)) & 1).astype(bool)
        ok &= np.repeat(parts.hours32[start:stop], counts) >= vacs.hours32[vi]
        if include_excluded:
            ok &= dist <= np.repeat(parts.max_km32[start:stop], counts)
        else:
            keep = np.flatnonzero(ok)
            vi, local, dist, ok = vi[keep], local[keep], dist[keep], ok[keep]
        pi = local + start
        if len(declined):
            fresh = ~np.isin(pi * n_v + vi, declined)
            if include_excluded:
                ok &= fresh
            else:
                pi, vi, local, dist, ok = pi[fresh], vi[fresh], local[fresh], dist[fresh], ok[fresh]
        buffers = dense_buffers(stop - start)
        coverage = linked.a_all[start:stop] @ vacs.b_all
        coverage.data = coverage.data.astype(np.float32)  # the float32 the score uses, half the memory
        coverage = coverage.toarray(out=buffers[0]).reshape(-1)
        # The share of each participant's profile a place uses: the same rows of the same product as the
        # whole participants x places matrix (Linked.precision_matrix), for this block only.
        used = owner_text[start:stop] @ text_use
        used.data = used.data.astype(np.float32)
        used = used.toarray(out=buffers[1]).reshape(-1)
        precision = used[local * n_v + vi]
        values = components(linked, pi, vi, dist, precision)
        at = local * (2 * n_v) + vi
        required, nice = coverage[at], coverage[at + n_v]
        del coverage
        drop = (10_000 - combine(linked, vi, values, required, nice)).astype(np.int64)
        drop += np.where(ok, 0, 10_001)
        row_keys = col_keys = row_precision = col_precision = None
        if k_rows:
            row_keys = first_per_group(
                np.sort(pi * span_v + drop * n_v + v_rank[vi]), span_v, k_rows, stop - start, start
            )
            kept_v = v_by_rank[row_keys % n_v]
            row_precision = used[(row_keys // span_v - start) * n_v + kept_v]
        if k_cols:
            col_keys = first_per_group(np.sort(vi * span_p + drop * n_p + p_rank[pi]), span_p, k_cols, n_v)
            kept_p = p_by_rank[col_keys % n_p]
            col_precision = used[(kept_p - start) * n_v + col_keys // span_p]
        return row_keys, col_keys, row_precision, col_precision

    starts = range(0, n_p, block_rows)
    if threads > 1 and len(starts) > 1:
        # numpy and scipy release the GIL in these array operations: blocks run side by side.
        with ThreadPoolExecutor(max_workers=threads) as pool:
            blocks = list(pool.map(block, starts))
    else:
        blocks = [block(start) for start in starts]
    rows = cols = nothing
    if k_rows:
        keys = np.concatenate([b[0] for b in blocks])  # blocks are in participant order
        rest = keys % span_v
        drop = rest // n_v
        rows = (
            keys // span_v,
            v_by_rank[rest % n_v],
            (10_000 - drop % 10_001) / 100.0,
            drop > 10_000,
            np.concatenate([b[2] for b in blocks]),
        )
    if k_cols:
        keys = np.concatenate([b[1] for b in blocks])
        order = np.argsort(keys)  # distinct keys (they hold the participant): any sort gives one order
        keys = keys[order]
        kept = first_per_group_positions(keys, span_p, k_cols, n_v)
        keys = keys[kept]
        rest = keys % span_p
        drop = rest // n_p
        cols = (
            p_by_rank[rest % n_p],
            keys // span_p,
            (10_000 - drop % 10_001) / 100.0,
            drop > 10_000,
            np.concatenate([b[3] for b in blocks])[order[kept]],
        )
    return rows, cols


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
        explained: Explained,
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

    def rows(self, key: Any) -> list[int]:
        """Return the explained rows of key's results, best first, without building them (see ``results``)."""
        i = self._index[key]
        return self._rows[self._bounds[i] : self._bounds[i + 1]]

    def pairs(self, rows: list[int]) -> list[tuple[Any, Any, float, bool]]:
        """Return (participant id, place id, score, excluded) of explained rows, without building their results."""
        explained = self._explained
        p_ids, v_ids = explained.linked.parts.ids, explained.linked.vacs.ids
        sel = np.asarray(rows, dtype=np.int64)
        return [
            (p_ids[p], v_ids[v], score, flag != 0)
            for p, v, score, flag in zip(
                explained.pi[sel].tolist(),
                explained.vi[sel].tolist(),
                explained.score[sel].tolist(),
                explained.flags[sel].tolist(),
                strict=True,
            )
        ]

    def results(self, rows: list[int]) -> list[MatchResult]:
        """Return the MatchResults of explained rows, building the missing ones in one batch."""
        return self._explained.results(rows)

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


def merge_pairs(rows: Pairs, cols: Pairs) -> Pairs:
    """Return the distinct (participant, place, score, excluded, precision) pairs kept in either direction."""
    return merge_pairs_with_positions(rows, cols)[0]


def merge_pairs_with_positions(rows: Pairs, cols: Pairs) -> tuple[Pairs, np.ndarray, np.ndarray]:
    """Return the distinct pairs (see ``merge_pairs``) and where each row pair and each column pair is in them."""
    p, v, s, x, u = (np.concatenate([a, b]) for a, b in zip(rows, cols, strict=True))
    if not len(p):
        return (p, v, s, x, u), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    width = int(v.max()) + 1
    # Sorted by participant, then place; ``at`` is each pair's position among the distinct ones. A pair kept
    # both ways has the same values in both lists, so which copy is taken does not matter (no stable sort).
    keys = p * width + v
    order = np.argsort(keys)
    sorted_keys = keys[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = sorted_keys[1:] != sorted_keys[:-1]
    first = order[new]
    at = np.empty(len(keys), dtype=np.int64)
    at[order] = np.cumsum(new) - 1
    n_rows = len(rows[0])
    return (p[first], v[first], s[first], x[first], u[first]), at[:n_rows], at[n_rows:]
