"""Array helpers shared by the engine's parts: id order, ranges, unit vectors, grouped top k, GC pauses."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np

Part = TypeVar("Part")


def id_sort_key(value: Any) -> tuple[int, Any]:
    """Order ids deterministically: integers numerically, then strings."""
    if isinstance(value, bool):
        return (1, str(value))
    if isinstance(value, int):
        return (0, value)
    return (1, str(value))


def id_ranks(ids: Sequence[Any]) -> np.ndarray:
    """Return each id's position in the deterministic id order."""
    order = sorted(range(len(ids)), key=lambda i: id_sort_key(ids[i]))
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[np.asarray(order, dtype=np.int64)] = np.arange(len(ids), dtype=np.int64)
    return ranks


def object_array(values: list[Any]) -> np.ndarray:
    """Return a 1-D object array of the given Python objects (gathered with fancy indexing)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def group_starts(groups: np.ndarray, n: int) -> np.ndarray:
    """Return where each of the groups 0..n-1 starts in a sorted array of group numbers (n + 1 bounds).

    The same as ``np.searchsorted(groups, np.arange(n + 1))``, counted in one pass.
    """
    bounds = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(groups, minlength=n)[:n], out=bounds[1:])
    return bounds


def expand_ranges(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows with ``counts[k]`` items starting at ``starts[k]``: return (row index, item index)."""
    total = int(counts.sum())
    rows = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, np.repeat(starts, counts) + offsets


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Return points (radians) as 3 x n float32 unit vectors, for chord distances."""
    cos_lat = np.cos(lat)
    return np.stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)]).astype(np.float32)


def in_two_halves(
    n: int, work: Callable[[int, int], Part], beside: Callable[[], Any] | None = None
) -> tuple[Part, Part, Any]:
    """Return work(0, n // 2), work(n // 2, n) and beside(): the second half on a second thread, the rest here.

    For numpy-heavy work, which releases the GIL, so the halves run side by side.
    """
    middle = n // 2
    with ThreadPoolExecutor(max_workers=1) as pool:
        second = pool.submit(work, middle, n)
        also = beside() if beside is not None else None
        first = work(0, middle)
        return first, second.result(), also


_GC_LOCK = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused(*, freeze: bool = True) -> Iterator[None]:
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


#: ``key_positions`` looks keys up in dense tables of about this many cells, one range of owners at a time.
LOOKUP_CELLS = 1 << 17
#: From this many keys on (fewer cost less by binary search).
LOOKUP_MIN_KEYS = 4096


def key_positions(table: np.ndarray, keys: np.ndarray, width: int) -> np.ndarray:
    """Return each key's position in the sorted ``table``, -1 where it is missing.

    Keys are ``owner * width + column``. When they come with their owners ascending (as pairs sorted by
    participant do), each range of owners is looked up in a small dense table of positions, which stays in
    cache, instead of a binary search over the whole table per key; otherwise ``searchsorted``.
    """
    out = np.full(len(keys), -1, dtype=np.int64)
    if not len(table) or not len(keys):
        return out
    owners = keys // width
    if len(keys) >= LOOKUP_MIN_KEYS and width <= LOOKUP_CELLS and bool((owners[1:] >= owners[:-1]).all()):
        step = max(1, LOOKUP_CELLS // width)
        edges = np.arange(int(owners[0]), int(owners[-1]) + step + 1, step) * width
        key_bounds = np.searchsorted(keys, edges).tolist()
        table_bounds = np.searchsorted(table, edges).tolist()
        dense = np.full(step * width, -1, dtype=np.int64)
        for k in range(len(edges) - 1):
            lo, hi = key_bounds[k], key_bounds[k + 1]
            if lo == hi:
                continue
            base = int(edges[k])
            present = table[table_bounds[k] : table_bounds[k + 1]] - base
            dense[present] = np.arange(table_bounds[k], table_bounds[k + 1])
            out[lo:hi] = dense[keys[lo:hi] - base]
            dense[present] = -1
        return out
    position = np.minimum(np.searchsorted(table, keys), len(table) - 1)
    return np.where(table[position] == keys, position, -1)


def first_per_group(keys: np.ndarray, span: int, k: int, groups: int, first_group: int = 0) -> np.ndarray:
    """Return the first k sorted keys of each group (group = key // span, in first_group..+groups)."""
    return keys[first_per_group_positions(keys, span, k, groups, first_group)]


def first_per_group_positions(
    keys: np.ndarray, span: int, k: int, groups: int, first_group: int = 0
) -> np.ndarray | slice:
    """Return where the first k sorted keys of each group are (see ``first_per_group``): indices or a slice."""
    if groups * 8 <= len(keys):  # few groups: their bounds by binary search
        bounds = np.searchsorted(
            keys, np.arange(first_group, first_group + groups + 1, dtype=np.int64) * span
        )
        if bounds[-1] - bounds[0] <= k:
            return slice(int(bounds[0]), int(bounds[-1]))
        first = np.repeat(bounds[:-1], np.diff(bounds))
        at = np.arange(int(bounds[0]), int(bounds[-1]))
        return at[at - first < k]
    # Many groups (as many as keys, or more): where the group changes, in one pass.
    lo, hi = np.searchsorted(
        keys, np.asarray([first_group, first_group + groups], dtype=np.int64) * span
    ).tolist()
    group = keys[lo:hi] // span
    if hi - lo <= k:
        return slice(lo, hi)
    new = np.ones(len(group), dtype=bool)
    new[1:] = group[1:] != group[:-1]
    heads = np.flatnonzero(new)
    rank = np.arange(len(group)) - np.repeat(heads, np.diff(heads, append=len(group)))
    return lo + np.flatnonzero(rank < k)
