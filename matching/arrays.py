"""Array helpers shared by the engine's parts: id order, ranges, unit vectors, grouped top k, GC pauses,
freed memory kept."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np


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


#: glibc ``mallopt`` parameters (malloc.h) and the values set: arrays under 32 MiB (glibc's largest dynamic
#: threshold) come from the heap, and during a full re-match freed heap memory is kept for the next array.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD = 32 << 20
_TRIM_KEPT, _TRIM_DEFAULT = (1 << 31) - 1, 128 << 10
_MEMORY_LOCK = threading.Lock()
_memory_holds = 0
_libc: Any = None


def _glibc() -> Any:
    """Return glibc (with ``mallopt`` and ``malloc_trim``), or None on another C library or platform."""
    global _libc
    if _libc is None:
        _libc = False
        name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
        try:
            libc = ctypes.CDLL(name) if name else None
            if libc is not None and hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim"):
                libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
                libc.malloc_trim.argtypes = [ctypes.c_size_t]
                if libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1:
                    _libc = libc
        except (OSError, AttributeError):
            pass
    return _libc or None


@contextmanager
def memory_kept() -> Iterator[None]:
    """Keep freed heap memory in the process while the block runs, and give it back at the end (nested, thread-safe).

    A full re-match allocates and frees arrays of 1-40 MB many times over; by default glibc returns each to
    the system (its own mapping, or the heap top trimmed), and the next array faults fresh zeroed pages
    in again, which cost up to a third of the run in kernel time. Only the allocator's thresholds change,
    never a result; elsewhere than glibc this does nothing.
    """
    global _memory_holds
    libc = _glibc()
    if libc is None:
        yield
        return
    with _MEMORY_LOCK:
        if _memory_holds == 0:
            libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_KEPT)
        _memory_holds += 1
    try:
        yield
    finally:
        with _MEMORY_LOCK:
            _memory_holds -= 1
            if _memory_holds == 0:
                libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_DEFAULT)
                libc.malloc_trim(0)


def first_per_group(keys: np.ndarray, span: int, k: int, groups: int, first_group: int = 0) -> np.ndarray:
    """Return the first k sorted keys of each group (group = key // span, in first_group..+groups)."""
    bounds = np.searchsorted(keys, np.arange(first_group, first_group + groups + 1, dtype=np.int64) * span)
    keys = keys[bounds[0] : bounds[-1]]
    if len(keys) <= k:
        return keys
    first = np.repeat(bounds[:-1] - bounds[0], np.diff(bounds))
    return keys[np.arange(len(keys)) - first < k]
