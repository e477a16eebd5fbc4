"""Explanations: what each scored pair's score is made of, computed as arrays, built as dicts when read.

An explanation lists the components (value, renormalised weight, points), the matched requirements
with the participant's skill, similarity and level, the missing ones, the distance, the exclusions
and the two changes that would add the most points. See docs/matching.md for the format.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from matching.arrays import (
    expand_ranges,
    first_per_group,
    gc_paused,
    group_starts,
    in_two_halves,
    key_positions,
)
from matching.concepts import best_entries
from matching.kernel import (
    COMPONENTS,
    EXCL_DECLINED,
    EXCL_DISTANCE,
    EXCL_DUTCH,
    EXCL_FULL,
    EXCL_HOURS,
    EXCL_LICENCE,
    EXCL_NOT_OPEN,
    LEVEL_FACTOR,
    components,
    distances,
)
from matching.kernel import flags as exclusion_flags
from matching.models import DUTCH_LEVELS, MatchResult

if TYPE_CHECKING:
    from matching.concepts import Linked

MORE_DISTANCE_STEP_KM = 10
#: From this many pairs on, ``explain`` works on two threads (when it may).
THREADED_MIN_PAIRS = 50_000
#: Up to this many rows, equal component dicts are found with a dict rather than ``np.unique``.
FEW_ROWS = 256


def explain(
    linked: Linked,
    pi: np.ndarray,
    vi: np.ndarray,
    score: np.ndarray,
    excluded: np.ndarray | None = None,
    precision: np.ndarray | None = None,
    *,
    threads: int = 1,
) -> Explained:
    """Compute the explanations of the given pairs as arrays (objects are built when read).

    ``precision`` (float32) is the pairs' share of the profile used when the ranking has it already. With
    ``threads`` > 1 and many pairs, each half of the pairs is explained on its own thread (numpy releases
    the GIL) and the two halves are joined; every pair's explanation depends on that pair only.
    """
    n_pairs = len(pi)
    if threads < 2 or n_pairs < THREADED_MIN_PAIRS:
        return Explained(linked=linked, **explain_arrays(linked, pi, vi, score, excluded, precision))

    def half(start: int, stop: int) -> dict[str, Any]:
        sel = slice(start, stop)
        return explain_arrays(
            linked,
            pi[sel],
            vi[sel],
            score[sel],
            None if excluded is None else excluded[sel],
            None if precision is None else precision[sel],
        )

    first, second, _ = in_two_halves(n_pairs, half)
    return Explained(linked=linked, **join_halves(first, second))


def join_halves(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Join the explanation arrays of two consecutive runs of pairs."""
    out: dict[str, Any] = {}
    for name, a in first.items():
        b = second[name]
        if name == "components":
            out[name] = {
                key: (
                    np.concatenate([value, b[key][0]]),
                    None if mask is None else np.concatenate([mask, b[key][1]]),
                )
                for key, (value, mask) in a.items()
            }
        elif name == "weights":
            out[name] = {key: np.concatenate([value, b[key]]) for key, value in a.items()}
        elif name.endswith("_start"):  # row bounds per pair: the second run's rows come after the first's
            out[name] = np.concatenate([a[:-1], b + a[-1]])
        else:
            out[name] = np.concatenate([a, b])
    return out


def explain_arrays(
    linked: Linked,
    pi: np.ndarray,
    vi: np.ndarray,
    score: np.ndarray,
    excluded: np.ndarray | None,
    precision: np.ndarray | None,
) -> dict[str, Any]:
    """Return the arrays of ``Explained`` for the given pairs (see ``explain``)."""
    parts, vacs = linked.parts, linked.vacs
    n_pairs = len(pi)
    dist = distances(linked, pi, vi)
    values = components(linked, pi, vi, dist, precision)
    if excluded is None or not excluded.any():
        flags = np.zeros(n_pairs, dtype=np.int64)
    else:
        flags = exclusion_flags(linked, pi, vi, dist)

    # Per requirement of each pair: the participant's best skill for that concept at that level.
    pair_of, req = expand_ranges(vacs.req_start[vi], vacs.req_count[vi])
    n_concepts = linked.n_concepts
    keys = pi[pair_of] * n_concepts + vacs.req_concept[req]
    need_level = vacs.req_min[req]
    position = key_positions(linked.best_keys, keys, n_concepts)
    found = np.flatnonzero(position >= 0)
    entry = best_entries(linked, position[found], need_level[found])
    slot = np.full(len(req), -1, dtype=np.int64)
    slot[found] = linked.entry_slot[entry]
    val = np.zeros(len(req))
    val[found] = linked.entry_value[entry]
    matched_row = slot >= 0
    have_level = np.zeros(len(req), dtype=np.int64)
    have_level[matched_row] = parts.slot_level[slot[matched_row]]
    eff = val * LEVEL_FACTOR[have_level, need_level]
    weight = vacs.req_weight[req]
    is_required = vacs.req_required[req]
    # One bincount for both components: bin 2 * pair for required, 2 * pair + 1 for nice-to-have.
    both = np.bincount(2 * pair_of + ~is_required, eff * weight, minlength=2 * n_pairs).reshape(n_pairs, 2)
    required_value, nice_value = both[:, 0], both[:, 1]
    share = values["occupation_share"].astype(np.float64)
    wn = {name: value[vi] * (1.0 - share) for name, value in vacs.wn.items()}
    wn["occupation"] = share

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
    cand_key = first_per_group(cand_key, top_gain * slots, 2, n_pairs)
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
    m_req = req[m_rows]
    return dict(
        pi=pi,
        vi=vi,
        score=np.round(score, 2),
        flags=flags,
        dist_km=np.round(dist64, 1),
        components={
            "required": (required_value, wn["required"] > 0),
            "nice": (nice_value, wn["nice"] > 0),
            "precision": (values["precision"].astype(np.float64), wn["precision"] > 0),
            "distance": (values["distance"].astype(np.float64), None),
            "hours": (values["hours"].astype(np.float64), None),
            "sector": (values["sector"].astype(np.float64), None),
            "occupation": (values["occupation"].astype(np.float64), share > 0),
        },
        weights=wn,
        m_start=group_starts(pair_of[m_rows], n_pairs),
        m_req=m_req,
        m_slot=slot[m_rows],
        m_similarity=np.rint(val[m_rows] * 100).astype(np.int64),
        m_level=have_level[m_rows],
        x_start=group_starts(pair_of[x_rows], n_pairs),
        x_req=req[x_rows],
        i_start=group_starts(cand_pair, n_pairs),
        i_req=cand_req,
        i_code=cand_code,
        i_gain=cand_gain,
    )


def exclusions(linked: Linked, p: int, v: int, flag: int, km: float) -> list[dict[str, Any]]:
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


class Explained:
    """Explanations of a list of pairs, held as arrays; MatchResult objects are built for the rows read.

    Every figure of an explanation is computed in explain. Building the Python objects is
    done per batch of rows on first read and cached, so equal rows return the same object.
    """

    # The arrays explain() computes (one row per pair; m_/x_/i_ are matched, missing, improvements by range).
    pi: np.ndarray
    vi: np.ndarray
    score: np.ndarray
    flags: np.ndarray
    dist_km: np.ndarray
    components: dict[str, tuple[np.ndarray, np.ndarray | None]]
    weights: dict[str, np.ndarray]
    m_start: np.ndarray
    m_req: np.ndarray
    m_slot: np.ndarray
    m_similarity: np.ndarray
    m_level: np.ndarray
    x_start: np.ndarray
    x_req: np.ndarray
    i_start: np.ndarray
    i_req: np.ndarray
    i_code: np.ndarray
    i_gain: np.ndarray

    def __init__(self, *, linked: Linked, **arrays: Any) -> None:
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
        req_name, req_tax = vacs.req_name, vacs.req_tax
        # Many small acyclic dicts: keep the cyclic GC from rescanning them (and for a large batch, hand
        # them to the oldest generation at once).
        with gc_paused(freeze=len(sel) >= 10_000):
            m_slices, m_idx = item_ranges(self.m_start, sel)
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
            x_slices, x_idx = item_ranges(self.x_start, sel)
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
            i_slices, i_idx = item_ranges(self.i_start, sel)
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
                packed = (v_int << 28) | (w_int << 14) | p_int
                if len(sel) <= FEW_ROWS:  # a few rows (one participant's): a dict costs less than a sort
                    keys = packed.tolist()
                    first: dict[int, int] = {}
                    positions = [first.setdefault(key, len(first)) for key in keys]
                    unique_keys = list(first)
                else:
                    unique, inverse = np.unique(packed, return_inverse=True)
                    unique_keys = unique.tolist()
                    positions = inverse.reshape(-1).tolist()
                objs = [
                    {
                        "value": (key >> 28) / 1000,
                        "weight": ((key >> 14) & 0x3FFF) / 10000,
                        "points": (key & 0x3FFF) / 100,
                    }
                    for key in unique_keys
                ]
                if applies is None:
                    return [objs[i] for i in positions]
                return [
                    objs[i] if ok else None for i, ok in zip(positions, applies[sel].tolist(), strict=True)
                ]

            components = [
                {key: c for key, c in zip(COMPONENTS, values, strict=True) if c is not None}
                for values in zip(*(component(name) for name in COMPONENTS), strict=True)
            ]
            pi_l, vi_l = self.pi[sel].tolist(), self.vi[sel].tolist()
            flags_l = self.flags[sel].tolist()
            dist_km = self.dist_km[sel].tolist()
            score_l = self.score[sel].tolist()
            p_ids, v_ids = parts.ids, vacs.ids
            exclusion_lists = [
                exclusions(linked, p, v, f, km) if f else []
                for p, v, f, km in zip(pi_l, vi_l, flags_l, dist_km, strict=True)
            ]
            wishes = [
                _wish(linked, p, v) if comp.get("occupation") and comp["occupation"]["value"] > 0 else None
                for p, v, comp in zip(pi_l, vi_l, components, strict=True)
            ]
            built = self._built
            for row, p, v, sc, f, km, excl, comp, wish, (m0, m1), (x0, x1), (i0, i1) in zip(
                sel.tolist(),
                pi_l,
                vi_l,
                score_l,
                flags_l,
                dist_km,
                exclusion_lists,
                components,
                wishes,
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
                        **({"occupation": wish} if wish else {}),
                    },
                )


def item_ranges(starts: np.ndarray, sel: np.ndarray) -> tuple[list[tuple[int, int]], np.ndarray]:
    """For rows ``sel`` whose items are ``starts[r]:starts[r + 1]``: (slice bounds per row, item indices)."""
    lo = starts[sel]
    counts = starts[sel + 1] - lo
    _, items = expand_ranges(lo, counts)
    ends = np.cumsum(counts)
    return list(zip((ends - counts).tolist(), ends.tolist(), strict=True)), items


def _wish(linked: Linked, p: int, v: int) -> dict[str, Any] | None:
    """Return the participant's wish that the place's occupation answers: {"wish", "match": "same"|"group"}."""
    parts, vacs = linked.parts, linked.vacs
    occupation, group = int(vacs.occupation_index[v]), int(vacs.occupation_group[v])
    mine = np.flatnonzero(parts.wish_owner == p)
    for match, hits in (
        ("same", mine[parts.wish_occupation[mine] == occupation]),
        ("group", mine[parts.wish_group[mine] == group]),
    ):
        if occupation >= 0 and len(hits):
            return {"wish": parts.wish_text[int(hits[0])], "match": match}
    return None
