"""One participant against every place: the interactive path, on the dense 1 x places row throughout.

``Engine.rank_places`` and a one-participant ``Engine.rank_all`` (the web app's refresh of one participant)
come here. It returns exactly what ``matching.ranking.top_pairs`` returns for a one-row block, with a few
dozen numpy calls on arrays of the places' length instead of the sparse-block machinery:

* the participant's texts are joined to the requirement columns by ``matching.concepts.join_texts`` (the
  same code as the full re-match), each text's columns kept with the prepared places for the next call;
* the best skill per column and level is a small dense table over the columns the participant touches;
* skill coverage is, per place column of the places' requirement matrix, the sum of its (at most ``W``)
  terms in the order the sparse product adds them (ascending row), so the floating-point sums are the same;
* precision is summed per place over the participant's columns in ascending column order and then over the
  skills in slot order, as the two sparse products of ``matching.concepts.link`` do;
* the score is ``matching.kernel.combine`` on ``matching.kernel.components``, the top k one sort of the same
  integer key as ``top_pairs``, and the explanations ``matching.explanations.explain``.

``tests/matching`` checks the result against the dense oracle (``matching.reference``) on random inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from matching.arrays import expand_ranges
from matching.concepts import OCCUPATION_SKILL_CREDIT, SYNONYM_CREDIT, Linked, join_texts
from matching.kernel import LEVEL_FACTOR, NEUTRAL_SECTOR, combine, components, distances
from matching.models import SKILL_LEVELS
from matching.occupations import Occupations

if TYPE_CHECKING:
    from matching.preparation import PreparedParticipants, PreparedPlaces
    from matching.ranking import Pairs
    from matching.vocabulary import Vocabulary

#: Texts whose columns are kept with the prepared places; the cache starts again beyond this.
TEXT_CACHE_LIMIT = 200_000


@dataclass
class PlacesRow:
    """Per-places arrays the one-participant path reads, built once and kept with the prepared places."""

    # Coverage: terms[w, k] = row index (into the participant's 4 x concepts row, the last one a zero) and
    # weight of the w-th stored entry of column k of the requirement matrix (ascending row; padded).
    term_row: np.ndarray
    term_weight: np.ndarray
    concept_places_start: np.ndarray  # presence as CSR (concepts x places): where each concept's places start
    concept_places_count: np.ndarray
    concept_places: np.ndarray
    by_rank: np.ndarray  # place index of each id rank
    weighs_precision: bool
    texts: dict[tuple[str, str | None], tuple[np.ndarray, np.ndarray]]  # text -> its (columns, similarities)
    texts_key: tuple[Any, ...]


def places_row(vacs: PreparedPlaces, texts_key: tuple[Any, ...]) -> PlacesRow:
    """Return the one-participant arrays of these places (built on first use, kept with them)."""
    row = vacs.one_participant
    if row is not None:
        if row.texts_key != texts_key or len(row.texts) > TEXT_CACHE_LIMIT:
            row.texts = {}
            row.texts_key = texts_key
        return row
    n_rows = vacs.b_all.shape[0]
    by_column = vacs.b_all.tocsc()
    by_column.sort_indices()  # the sparse product adds a column's terms in ascending row order
    counts = np.diff(by_column.indptr)
    width = int(counts.max(initial=0))
    n_columns = by_column.shape[1]
    term_row = np.full((width, n_columns), n_rows, dtype=np.int64)  # row n_rows: the zero after the row
    term_weight = np.zeros((width, n_columns))
    column, at = expand_ranges(by_column.indptr[:-1], counts)
    position = at - by_column.indptr[column]
    term_row[position, column] = by_column.indices[at]
    term_weight[position, column] = by_column.data[at]
    presence = vacs.presence.tocsr()
    row = PlacesRow(
        term_row=term_row,
        term_weight=term_weight,
        concept_places_start=presence.indptr[:-1].astype(np.int64),
        concept_places_count=np.diff(presence.indptr).astype(np.int64),
        concept_places=presence.indices.astype(np.int64),
        by_rank=np.argsort(vacs.rank),
        weighs_precision=bool((vacs.wn["precision"] > 0).any()),
        texts={},
        texts_key=texts_key,
    )
    vacs.one_participant = row
    return row


def link_one(
    parts: PreparedParticipants,
    vacs: PreparedPlaces,
    declined: Iterable[tuple[Any, Any]],
    vocabulary: Vocabulary,
    *,
    direct_cutoff: float,
    graded: bool,
    group_credit: float,
    synonym_credit: float = SYNONYM_CREDIT,
    occupations: Occupations | None = None,
    occupation_credit: float = OCCUPATION_SKILL_CREDIT,
) -> tuple[Linked, np.ndarray, np.ndarray]:
    """Join one prepared participant with the places: (linked, coverage of every place column, precision).

    ``linked`` holds what the kernel and the explanations read (its ``profile_use`` the dense row); the
    coverage is float32 over the 2 x places columns (required, then nice-to-have), precision float64.
    """
    row = places_row(
        vacs,
        (
            id(vocabulary),
            direct_cutoff,
            graded,
            group_credit,
            synonym_credit,
            id(occupations),
            occupation_credit,
        ),
    )
    n_v, n_concepts = len(vacs.ids), len(vacs.col_code)
    slot_key = parts.slot_key
    # Each distinct text's columns: from the cache, else joined (all new texts in one call).
    cache = row.texts
    new = [key for key in dict.fromkeys(slot_key) if key not in cache]
    if new:
        joined = join_texts(
            new,
            vacs,
            vocabulary,
            direct_cutoff=direct_cutoff,
            graded=graded,
            group_credit=group_credit,
            synonym_credit=synonym_credit,
            occupations=occupations,
            occupation_credit=occupation_credit,
        )
        bounds = np.searchsorted(joined.text_of, np.arange(joined.n_texts + 1)).tolist()
        for key in new:
            k = joined.pos[key]
            cache[key] = (
                joined.column_of[bounds[k] : bounds[k + 1]],
                joined.value_of[bounds[k] : bounds[k + 1]],
            )
    per_slot = [cache[key] for key in slot_key]
    n_slots = len(per_slot)
    slot_columns = [columns for columns, _ in per_slot]
    all_columns = np.concatenate(slot_columns) if n_slots else np.empty(0, dtype=np.int64)
    touched = np.unique(all_columns)  # the columns the participant has (sorted: the best_keys)
    n_touched = len(touched)
    # Similarity of each skill slot with each touched column; -1 where the slot does not reach it.
    similarity = np.full((n_slots, n_touched), -1.0)
    if n_slots and n_touched:
        slot_of = np.repeat(np.arange(n_slots), [len(c) for c in slot_columns])
        similarity[slot_of, np.searchsorted(touched, all_columns)] = np.concatenate([v for _, v in per_slot])
    reached = similarity >= 0
    levels = parts.slot_level
    n_levels = len(SKILL_LEVELS)
    # The participant's row of the 4 x concepts matrix (plus one zero for padded terms).
    a_row = np.zeros(n_levels * n_concepts + 1)
    if n_touched:
        factor = LEVEL_FACTOR[levels][:, np.asarray(SKILL_LEVELS)]  # slots x levels asked
        for need in SKILL_LEVELS:
            effective = np.where(reached, similarity * factor[:, need - 1 : need], -1.0)
            a_row[(need - 1) * n_concepts + touched] = effective.max(axis=0)
    # The entries the explanations pick the best slot from (concepts.best_entries): by column, then slot.
    entry_column, entry_slot = np.nonzero(reached.T)
    key_size = np.bincount(entry_column, minlength=n_touched)
    # Coverage: each place column's terms in ascending row order, as the sparse product adds them.
    terms = a_row[row.term_row] * row.term_weight
    coverage = terms[0].copy() if len(terms) else np.zeros(2 * n_v)
    for w in range(1, len(terms)):
        coverage += terms[w]

    # Precision: per slot and place, the similarities of the place's concepts (ascending concept, capped
    # at 1), then the share of each slot summed in slot order; places sharing no concept stay 0.
    precision = np.zeros(n_v)
    if row.weighs_precision and n_touched:
        concept_at, member = expand_ranges(
            row.concept_places_start[touched], row.concept_places_count[touched]
        )
        place = row.concept_places[member]
        order = np.argsort(place * n_touched + concept_at, kind="stable")
        place, concept_at = place[order], concept_at[order]
        values = np.where(reached, similarity, 0.0)[:, concept_at]  # slots x (place, concept) terms
        starts = np.flatnonzero(np.concatenate(([True], place[1:] != place[:-1])))
        lengths = np.diff(np.append(starts, len(place)))
        used = values[:, starts]
        for step in range(1, int(lengths.max(initial=0))):
            more = lengths > step
            used[:, more] += values[:, starts[more] + step]
        np.minimum(used, 1.0, out=used)
        share = 1.0 / max(n_slots, 1)
        total = np.zeros(len(starts))
        for s in range(n_slots):
            total += share * used[s]
        precision[place[starts]] = total

    sector_value = np.full((1, max(len(vacs.sector_codes), 1)), NEUTRAL_SECTOR, dtype=np.float32)
    prefs = parts.sector_sets[0]
    if prefs:
        no_sector = np.asarray([not name for name in vacs.sector_codes], dtype=bool)
        sector_value[0] = np.where(no_sector, np.float32(NEUTRAL_SECTOR), np.float32(0.0))
        liked = [vacs.sector_codes[name] for name in prefs if name in vacs.sector_codes]
        sector_value[0, liked] = 1.0
    declined_index: set[tuple[int, int]] = set()
    for p_id, v_id in declined:
        j = vacs.index.get(v_id)
        if j is not None and p_id in parts.index:
            declined_index.add((0, j))
    linked = Linked(
        parts=parts,
        vacs=vacs,
        n_concepts=n_concepts,
        a_all=a_row[None, :-1],
        best_keys=touched,
        key_start=np.cumsum(key_size) - key_size,
        key_size=key_size,
        entry_slot=entry_slot,
        entry_value=similarity[entry_slot, entry_column],
        owner_text=None,
        text_use=None,
        profile_use=precision[None, :],
        sector_value=sector_value,
        declined=declined_index,
    )
    return linked, coverage.astype(np.float32), precision


def top_one(
    linked: Linked,
    coverage: np.ndarray,
    precision: np.ndarray,
    k_rows: int,
    k_cols: int,
    *,
    include_excluded: bool = False,
) -> tuple[Pairs, Pairs]:
    """Return what ``matching.ranking.top_pairs`` returns for this one participant (see there)."""
    parts, vacs = linked.parts, linked.vacs
    n_v = len(vacs.ids)
    k_rows = min(k_rows, n_v)
    k_cols = min(k_cols, 1)
    empty = np.empty(0, dtype=np.int64)
    nothing = (empty, empty, np.empty(0), np.empty(0, dtype=bool), np.empty(0, dtype=np.float32))
    if not n_v or not (k_rows or k_cols):
        return nothing, nothing
    row = vacs.one_participant
    assert row is not None  # set by link_one
    zero = np.zeros(1, dtype=np.int64)
    places = np.arange(n_v)
    dist = distances(linked, zero, places)
    ok = (
        vacs.open_ok
        & (vacs.dutch <= parts.dutch[0])
        & (parts.licence[0] | ~vacs.licence)
        & (vacs.hours32 <= parts.hours32[0])
        & (dist <= parts.max_km32[0])
    )
    for _, j in linked.declined:
        ok[j] = False
    if include_excluded:
        candidates = places
    else:
        candidates = np.flatnonzero(ok)
        dist = dist[candidates]
    pi = np.zeros(len(candidates), dtype=np.int64)
    precision32 = precision.astype(np.float32)
    values = components(linked, pi, candidates, dist, precision=precision32[candidates])
    score = combine(linked, candidates, values, coverage[candidates], coverage[candidates + n_v])
    drop = (10_000 - score).astype(np.int64)
    good = ok[candidates]
    drop += np.where(good, 0, 10_001)
    rows = cols = nothing
    if k_rows:
        keys = np.sort(drop * n_v + vacs.rank[candidates])[:k_rows]
        kept = keys // n_v
        places_kept = row.by_rank[keys % n_v]
        rows = (
            np.zeros(len(keys), dtype=np.int64),
            places_kept,
            (10_000 - kept % 10_001) / 100.0,
            kept > 10_000,
            precision32[places_kept],
        )
    if k_cols:  # one participant: every candidate heads its place's list
        cols = (
            pi,
            candidates.astype(np.int64),
            (10_000 - drop % 10_001) / 100.0,
            drop > 10_000,
            precision32[candidates],
        )
    return rows, cols
