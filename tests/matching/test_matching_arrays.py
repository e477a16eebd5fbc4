"""The array helpers the engine's parts share: their fast paths return what the plain versions would."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import arrays
from matching.arrays import key_positions


def plain_positions(table: np.ndarray, keys: np.ndarray) -> list[int]:
    """Each key's position in the sorted table by a dict, -1 where missing."""
    at = {key: k for k, key in enumerate(table.tolist())}
    return [at.get(key, -1) for key in keys.tolist()]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),  # width (columns per owner)
    st.integers(1, 300),  # owners
    st.floats(0.0, 1.0),  # share of cells in the table
    st.integers(0, 900),  # keys looked up
    st.booleans(),  # owners ascending, or in any order
    st.integers(1, 200),  # cells per dense table (small: many ranges of owners)
    st.integers(0, 2**32 - 1),
)
def test_key_positions_equal_a_dict_lookup(width, owners, density, n_keys, ascending, cells, seed):
    rng = np.random.default_rng(seed)
    grid = np.arange(width * owners, dtype=np.int64)
    table = np.sort(grid[rng.random(len(grid)) < density])
    owner = rng.integers(0, owners, n_keys)
    if ascending:
        owner = np.sort(owner)
    keys = owner * width + rng.integers(0, width, n_keys)
    with mock.patch.object(arrays, "LOOKUP_CELLS", cells), mock.patch.object(arrays, "LOOKUP_MIN_KEYS", 1):
        assert key_positions(table, keys, width).tolist() == plain_positions(table, keys)
    assert key_positions(table, keys, width).tolist() == plain_positions(table, keys)


def test_key_positions_with_an_empty_table_or_no_keys():
    assert key_positions(np.empty(0, dtype=np.int64), np.arange(5), 3).tolist() == [-1] * 5
    assert key_positions(np.arange(5), np.empty(0, dtype=np.int64), 3).tolist() == []


def plain_first_per_group(keys: list[int], span: int, k: int, groups: int, first_group: int) -> list[int]:
    """The first k keys of each group in range, by counting."""
    seen: dict[int, int] = {}
    out = []
    for key in keys:
        group = key // span
        if first_group <= group < first_group + groups and seen.get(group, 0) < k:
            seen[group] = seen.get(group, 0) + 1
            out.append(key)
    return out


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 5_000), max_size=400),
    st.integers(1, 60),  # span
    st.integers(0, 5),  # k
    st.integers(0, 200),  # groups: fewer or more than an eighth of the keys (both ways of finding them)
    st.integers(0, 40),  # first group
)
def test_first_per_group_equals_counting(values, span, k, groups, first_group):
    keys = np.sort(np.asarray(values, dtype=np.int64))
    got = arrays.first_per_group(keys, span, k, groups, first_group)
    assert got.tolist() == plain_first_per_group(keys.tolist(), span, k, groups, first_group)


@given(st.lists(st.integers(0, 30), max_size=200), st.integers(0, 40))
def test_group_starts_equal_searchsorted(values, extra):
    groups = np.sort(np.asarray(values, dtype=np.int64))
    n = int(groups.max(initial=-1)) + 1 + extra
    assert arrays.group_starts(groups, n).tolist() == np.searchsorted(groups, np.arange(n + 1)).tolist()
