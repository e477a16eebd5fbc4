"""Concept resolution: participants' skill texts joined to the places' requirement columns.

Every distinct normalised text is resolved once to the vocabulary. A participant text and a requirement
column are similar (0-1) when they resolve to the same entry (the product of how sure both resolutions
are, 1 for identical text), when their direct ``token_sort_ratio`` reaches the cut-off while one side is
not a vocabulary entry, or by graded word overlap (``matching.similarity``); the best of these counts.
``link`` turns that into the participant matrix the scoring kernel multiplies with the places' matrix,
and the share of each participant's profile a place uses (precision).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from matching.arrays import expand_ranges, in_two_halves
from matching.kernel import GROUP_CREDIT, LEVEL_FACTOR, NEUTRAL_SECTOR
from matching.models import SKILL_LEVELS
from matching.occupations import Occupations
from matching.similarity import graded_pairs, text_vectors
from matching.text import similar_pairs
from matching.vocabulary import Vocabulary

if TYPE_CHECKING:
    from matching.preparation import PreparedParticipants, PreparedPlaces
    from matching.ranking import Reach

#: How much a graded match through a synonym of a participant's text (another form of the Dutch vocabulary
#: entry it resolves to) counts, relative to a match of the text itself.
SYNONYM_CREDIT = 0.5
#: The cosine from which a synonym's word overlap counts.
SYNONYM_MINIMUM = 0.7
#: How much a text that names an occupation counts for an essential skill of it that is specific to it.
OCCUPATION_SKILL_CREDIT = 0.5


@dataclass
class Linked:
    """Participants and places joined through concepts, ready for scoring."""

    parts: PreparedParticipants
    vacs: PreparedPlaces
    n_concepts: int
    a_all: sp.csr_matrix | np.ndarray  # participants x (4 * concepts): best effective similarity per level
    best_keys: np.ndarray  # sorted participant * concepts + concept keys a participant has
    key_start: np.ndarray  # per key: its first entry (entries sorted by key, then slot)
    key_size: np.ndarray  # per key: how many of the participant's skill slots reach that concept
    entry_slot: np.ndarray  # per entry: the skill slot
    entry_value: np.ndarray  # per entry: the slot's similarity with the concept
    owner_text: sp.csr_matrix | None  # participants x texts: each skill slot's share of the profile
    text_use: sp.csr_matrix | None  # texts x places: how much of each text the place uses (capped at 1)
    sector_value: np.ndarray  # participants x sector codes
    declined: set[tuple[int, int]]
    reach: Reach | None = None  # places by distance from the participants (ranking.reach), when computed
    #: participants x places: the share of each participant's profile the place uses (``precision_matrix``)
    profile_use: sp.csr_matrix | np.ndarray | None = None

    def precision_matrix(self) -> sp.csr_matrix | np.ndarray:
        """Return the participants x places share of the profile used (the product computed on first use).

        The ranking computes it block by block for the pairs it scores (``ranking.top_pairs``) and passes
        it on; the whole matrix is for the dense test oracle and for pairs read one by one.
        """
        if self.profile_use is None:
            assert self.owner_text is not None and self.text_use is not None
            self.profile_use = (self.owner_text @ self.text_use).tocsr()
        return self.profile_use


@dataclass
class JoinedTexts:
    """Distinct participant skill texts joined to requirement columns: the best similarity per pair."""

    pos: dict[tuple[str, str | None], int]  # raw (text, taxonomy id) -> distinct text index
    n_texts: int
    text_of: np.ndarray  # sorted by (text, column); one row per pair with its best similarity
    column_of: np.ndarray
    value_of: np.ndarray


def link(
    parts: PreparedParticipants,
    vacs: PreparedPlaces,
    declined: Iterable[tuple[Any, Any]],
    vocabulary: Vocabulary,
    *,
    direct_cutoff: float,
    graded: bool = True,
    group_credit: float = GROUP_CREDIT,
    synonym_credit: float = SYNONYM_CREDIT,
    occupations: Occupations | None = None,
    occupation_credit: float = OCCUPATION_SKILL_CREDIT,
    threads: int = 1,
) -> Linked:
    """Join prepared participants and places through their skill concepts (``threads`` > 1: two at once)."""
    joined = join_texts(
        parts.slot_key,
        vacs,
        vocabulary,
        direct_cutoff=direct_cutoff,
        graded=graded,
        group_credit=group_credit,
        synonym_credit=synonym_credit,
        occupations=occupations,
        occupation_credit=occupation_credit,
    )
    p_pos, text_of, column_of, value_of = joined.pos, joined.text_of, joined.column_of, joined.value_of
    n_concepts = len(vacs.col_code)
    emb_count = np.bincount(text_of, minlength=joined.n_texts).astype(np.int64)
    emb_start = np.cumsum(emb_count) - emb_count

    # Join participant skill slots with their string embeddings.
    slot_string = np.asarray([p_pos[key] for key in parts.slot_key], dtype=np.int64).reshape(-1)
    n_p = len(parts.ids)
    skill_count = np.bincount(parts.slot_owner, minlength=n_p)
    slot_start = np.zeros(n_p + 1, dtype=np.int64)
    np.cumsum(skill_count, out=slot_start[1:])

    def skills_of(first: int, stop: int) -> SkillRun:
        """The best skills (``best_skills``) of participants first..stop-1, their keys and entries."""
        slot_rows, ent = expand_ranges(
            emb_start[slot_string[slot_start[first] : slot_start[stop]]],
            emb_count[slot_string[slot_start[first] : slot_start[stop]]],
        )
        slot_rows += slot_start[first]
        ent_key = (parts.slot_owner[slot_rows] - first) * n_concepts + column_of[ent]
        # Per (participant, concept): at each required level, the best skill (highest effective
        # similarity, first slot on ties). One sort by (key, slot); each group's best per level in O(n).
        order = np.argsort(ent_key, kind="stable")  # slot_rows ascend already: ties stay in slot order
        slot_rows, ent_val = slot_rows[order], value_of[ent[order]]
        keys, key_start, key_size, a_all = best_skills(
            ent_key[order], ent_val, parts.slot_level[slot_rows], stop - first, n_concepts, vacs.asked
        )
        return keys + first * n_concepts, key_start, key_size, a_all, slot_rows, ent_val

    # Precision: per skill slot, how much of it the place's requirements use (capped at 1), averaged
    # over the participant's skills. A skill the place does not ask for adds 0 and so never raises it.
    # A slot's row of similarities is its distinct text's row (the joined pairs, sorted by column), so the
    # text x places product stands for the slot x places one; each participant's row of the second
    # product lists its slots' texts in slot order (repeats included), which sums the same terms in the
    # same order as a slot x places product would.
    def text_uses() -> sp.csr_matrix:
        n_texts = joined.n_texts
        if (vacs.wn["precision"] > 0).any():
            text_indptr = np.zeros(n_texts + 1, dtype=np.int64)
            np.cumsum(emb_count, out=text_indptr[1:])
            text_sim = sp.csr_matrix((value_of, column_of, text_indptr), shape=(n_texts, n_concepts))
        else:  # no place weighs precision: an empty matrix, nothing to compute
            text_sim = sp.csr_matrix((n_texts, n_concepts))
        # texts x places: how much of each text a place uses (capped at 1)
        text_use = text_sim @ vacs.presence
        text_use.data = np.minimum(text_use.data, 1.0)
        return text_use

    if threads > 1 and n_p > 1:  # two halves of the participants side by side (numpy releases the GIL)
        first, second, text_use = in_two_halves(n_p, skills_of, text_uses)
        keys, key_start, key_size, a_all, entry_slot, entry_value = join_skill_halves([first, second], n_p)
    else:
        text_use = text_uses()
        keys, key_start, key_size, a_all, entry_slot, entry_value = skills_of(0, n_p)
    share = 1.0 / np.maximum(skill_count[parts.slot_owner], 1)
    owner_text = sp.csr_matrix((share, slot_string, slot_start), shape=(n_p, joined.n_texts))

    sector_codes = vacs.sector_codes
    # Sector preference: 1 when the place's sector is preferred, 0 when not, neutral without preferences.
    sector_value = np.full((n_p, max(len(sector_codes), 1)), NEUTRAL_SECTOR, dtype=np.float32)
    with_prefs = [i for i, prefs in enumerate(parts.sector_sets) if prefs]
    if with_prefs:
        # With preferences: 1 for a preferred sector, 0 for another, neutral for a place without one.
        no_sector = np.asarray([not name for name in sector_codes], dtype=bool)
        sector_value[with_prefs] = np.where(no_sector, np.float32(NEUTRAL_SECTOR), np.float32(0.0))
        liked = [
            (i, sector_codes[name])
            for i in with_prefs
            for name in parts.sector_sets[i]
            if name in sector_codes
        ]
        if liked:
            liked_rows, liked_codes = zip(*liked, strict=True)
            sector_value[list(liked_rows), list(liked_codes)] = 1.0

    declined_index: set[tuple[int, int]] = set()
    for p_id, v_id in declined:
        i = parts.index.get(p_id)
        j = vacs.index.get(v_id)
        if i is not None and j is not None:
            declined_index.add((i, j))

    return Linked(
        parts=parts,
        vacs=vacs,
        n_concepts=n_concepts,
        a_all=a_all,
        best_keys=keys,
        key_start=key_start,
        key_size=key_size,
        entry_slot=entry_slot,
        entry_value=entry_value,
        owner_text=owner_text,
        text_use=text_use,
        sector_value=sector_value,
        declined=declined_index,
    )


def best_skills(
    ent_key: np.ndarray,
    ent_val: np.ndarray,
    ent_level: np.ndarray,
    n_p: int,
    n_concepts: int,
    asked: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, sp.csr_matrix]:
    """Return the keys, each key's first entry and entry count, and the participant matrix.

    The entries are sorted by key, then slot. The matrix holds, per participant and concept at each level
    some place asks it (``asked``, levels x concepts), the best effective similarity of the participant's
    slots (the other levels would meet an empty row of the places' matrix). Which slot that is, only the
    explanations need: ``best_entries`` finds it for the pairs explained.
    """
    new_group = np.ones(len(ent_key), dtype=bool)
    new_group[1:] = ent_key[1:] != ent_key[:-1]
    starts = np.flatnonzero(new_group)
    keys = ent_key[starts]
    owner, concept = np.divmod(keys, n_concepts)
    n_levels = len(SKILL_LEVELS)
    # Most keys have one entry: its value is the best at every level. Only the groups of several entries
    # need a maximum.
    size = np.diff(starts, append=len(ent_key))
    is_multi = size > 1
    multi_rank = np.cumsum(is_multi) - 1  # a multi-entry key's position among them
    multi_size = size[is_multi]
    multi_entry = np.flatnonzero(np.repeat(is_multi, size))
    multi_val, multi_level = ent_val[multi_entry], ent_level[multi_entry]
    multi_start = np.cumsum(multi_size) - multi_size
    # The participant matrix's entries, level by level: (row, column, value).
    level_rows: list[np.ndarray] = []
    level_columns: list[np.ndarray] = []
    level_values: list[np.ndarray] = []
    for need in SKILL_LEVELS:
        chosen = np.flatnonzero(asked[need - 1][concept])
        if not len(chosen):
            continue
        factor = LEVEL_FACTOR[:, need]
        first_entry = starts[chosen]
        top = ent_val[first_entry] * factor[ent_level[first_entry]]
        if len(multi_size):
            several = np.flatnonzero(is_multi[chosen])
            top[several] = np.maximum.reduceat(multi_val * factor[multi_level], multi_start)[
                multi_rank[chosen[several]]
            ]
        level_rows.append(owner[chosen])
        level_columns.append((need - 1) * n_concepts + concept[chosen])
        level_values.append(top)
    # Row by row, level blocks in order and concepts ascending within each: the CSR arrays written directly.
    counts = [np.bincount(rows, minlength=n_p) for rows in level_rows]
    a_indptr = np.zeros(n_p + 1, dtype=np.int64)
    np.cumsum(sum(counts, np.zeros(n_p, dtype=np.int64)), out=a_indptr[1:])
    total = int(a_indptr[-1])
    a_data = np.empty(total)
    a_indices = np.empty(total, dtype=np.int64)
    before = a_indptr[:-1].copy()  # where each row's entries of the current level start
    for rows, columns, values, count in zip(level_rows, level_columns, level_values, counts, strict=True):
        first_of_row = np.cumsum(count) - count  # this level's entries are sorted by row
        at = before[rows] + np.arange(len(rows)) - first_of_row[rows]
        a_data[at] = values
        a_indices[at] = columns
        before += count
    a_all = sp.csr_matrix((a_data, a_indices, a_indptr), shape=(n_p, n_levels * n_concepts))
    return keys, starts, size, a_all


#: keys, each key's first entry and entry count, the participant matrix, the entries' slots and similarities
SkillRun = tuple[np.ndarray, np.ndarray, np.ndarray, sp.csr_matrix, np.ndarray, np.ndarray]


def join_skill_halves(halves: list[SkillRun], n_p: int) -> SkillRun:
    """Join the best skills of two consecutive runs of participants (keys, entries and matrix rows)."""
    (keys_a, start_a, size_a, a_a, slot_a, value_a), (keys_b, start_b, size_b, a_b, slot_b, value_b) = halves
    matrix = sp.csr_matrix(
        (
            np.concatenate([a_a.data, a_b.data]),
            np.concatenate([a_a.indices, a_b.indices]),
            np.concatenate([a_a.indptr, a_b.indptr[1:] + a_a.indptr[-1]]),
        ),
        shape=(n_p, a_a.shape[1]),
    )
    return (
        np.concatenate([keys_a, keys_b]),
        np.concatenate([start_a, start_b + len(slot_a)]),
        np.concatenate([size_a, size_b]),
        matrix,
        np.concatenate([slot_a, slot_b]),
        np.concatenate([value_a, value_b]),
    )


def best_entries(linked: Linked, position: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Return, per looked-up key (its position in ``best_keys``) and level asked, the entry of the best slot.

    The best slot has the highest effective similarity (similarity x level factor); ties go to the first
    slot. The participant matrix holds that effective similarity (``best_skills``).
    """
    start, size = linked.key_start[position], linked.key_size[position]
    entry = start.copy()
    several = np.flatnonzero(size > 1)
    if len(several):
        which, at = expand_ranges(start[several], size[several])
        level = linked.parts.slot_level[linked.entry_slot[at]]
        effective = linked.entry_value[at] * LEVEL_FACTOR[level, need[several][which]]
        group_start = np.cumsum(size[several]) - size[several]
        top = np.maximum.reduceat(effective, group_start)
        at_top = np.flatnonzero(effective == top[which])
        first = np.ones(len(at_top), dtype=bool)
        first[1:] = which[at_top[1:]] != which[at_top[:-1]]
        entry[several] = at[at_top[first]]
    return entry


def join_texts(
    slot_keys: list[tuple[str, str | None]],
    vacs: PreparedPlaces,
    vocabulary: Vocabulary,
    *,
    direct_cutoff: float,
    graded: bool = True,
    group_credit: float = GROUP_CREDIT,
    synonym_credit: float = SYNONYM_CREDIT,
    occupations: Occupations | None = None,
    occupation_credit: float = OCCUPATION_SKILL_CREDIT,
) -> JoinedTexts:
    """Resolve the distinct skill texts and return each one's best similarity with every requirement column."""
    cutoff = direct_cutoff
    scorer = vocabulary.scorer
    r_norm, r_code = vacs.r_norm, vacs.r_code
    r_sorted, r_order = vacs.r_sorted, vacs.r_order

    # Every distinct normalised participant skill text is a row of the similarity table.
    p_raw = list(dict.fromkeys(slot_keys))
    p_pos, p_keys, p_res = distinct_normalised(vocabulary, p_raw)
    p_norm = [res.normalised for res in p_res]
    p_entry, p_sure, _ = concepts_of(vocabulary, p_keys, p_res)

    # Same vocabulary entry (or same unknown taxonomy id): the product of how sure both resolutions are;
    # 1 for identical text. Joined with sorted arrays rather than Python loops.
    codes, norm_ids = vacs.codes, vacs.norm_ids
    p_code = np.asarray([-1 if e is None else codes.get(e, -1) for e in p_entry], dtype=np.int64)
    p_norm_id = np.asarray([norm_ids.get(n, -1) for n in p_norm], dtype=np.int64)
    lo = np.searchsorted(r_sorted, p_code, "left")
    hi = np.searchsorted(r_sorted, p_code, "right")
    p_rows, pos = expand_ranges(lo, np.where(p_code >= 0, hi - lo, 0))
    r_cols = r_order[pos]
    same = np.where(
        p_norm_id[p_rows] == vacs.col_norm_id[r_cols],
        1.0,
        np.asarray(p_sure)[p_rows] * vacs.col_sure[r_cols],
    )
    found_p = [p_rows]
    found_c = [r_cols]
    found_v = [same]
    # Direct fuzzy similarity where at least one side is not a vocabulary entry.
    # (Whether a text is loose is its own property, not whether the other places happen to list its
    # entry: a pair's similarity never depends on which other places or participants are ranked.)
    p_loose = np.asarray([e is None for e in p_entry], dtype=bool)
    r_loose = r_code < 0
    for p_sel, r_sel, r_index in (
        (np.flatnonzero(p_loose), np.arange(len(r_norm)), vacs.r_norm_index),
        (np.flatnonzero(~p_loose), np.flatnonzero(r_loose), vacs.loose_r_norm_index),
    ):
        if not len(p_sel) or not len(r_sel):
            continue
        a, b, scores = similar_pairs([p_norm[k] for k in p_sel], r_index, scorer, cutoff)
        found_p.append(p_sel[a])
        found_c.append(vacs.r_col[r_sel[b]])
        found_v.append(scores / 100.0)
    if graded:
        # Graded credit for shared informative words (soft TF-IDF), whatever each side resolved to.
        space = vocabulary.word_space()
        vectors = text_vectors(space, p_norm)
        # Against the requirement texts that have their own column ...
        text_rows, other_rows, cosine = graded_pairs(space, vectors, vacs.text_column_vectors)
        found_p.append(text_rows)
        found_c.append(vacs.text_column[other_rows])
        found_v.append(cosine)
        # ... and against every form of the vocabulary entries the places ask for (synonyms included).
        text_rows, other_rows, cosine = graded_pairs(space, vectors, vacs.asked_form_vectors)
        found_p.append(text_rows)
        found_c.append(vacs.asked_form_column[other_rows])
        found_v.append(cosine)
        if synonym_credit > 0:
            # ... and, for a text that resolves to an entry of the Dutch vocabulary, every form of that entry
            # against the same, so both sides' synonyms meet ("containerpark" is "recyclagepark", which shares
            # "recyclage"), at ``synonym_credit`` and as sure as the resolution. (ESCO's own skills are left
            # out: their labels are near-paraphrases of each other and of their neighbours.)
            text_rows, columns, cosine = synonym_pairs(vocabulary, p_entry, p_sure, vacs)
            found_p.append(text_rows)
            found_c.append(columns)
            found_v.append(synonym_credit * cosine)
    if occupations is not None and occupation_credit > 0:
        # A text that names an occupation ("beenhouwer") stands for having done that work: partial credit for
        # the occupation's essential ESCO skills the places ask for, by how specific each is to it.
        text_rows, columns, share = occupation_skill_pairs(vocabulary, occupations, p_keys, p_sure, vacs)
        found_p.append(text_rows)
        found_c.append(columns)
        found_v.append(occupation_credit * share)
    if group_credit > 0 and vocabulary.entry_groups.shape[1]:
        # Different skills of the same ESCO skill group: partial credit, as sure as both resolutions.
        text_rows, columns = same_group_pairs(vocabulary, p_entry, vacs)
        found_p.append(text_rows)
        found_c.append(columns)
        found_v.append(group_credit * np.asarray(p_sure)[text_rows] * vacs.col_sure[columns])

    text_of = np.concatenate(found_p).astype(np.int64)
    column_of = np.concatenate(found_c).astype(np.int64)
    value_of = np.concatenate(found_v).astype(np.float64)
    # One row per (text, column) with its best similarity: one sort of an integer key, a maximum per group.
    n_columns = max(len(vacs.col_code), 1)
    pair_key = text_of * n_columns + column_of
    order = np.argsort(pair_key, kind="stable")
    pair_key, value_of = pair_key[order], value_of[order]
    first = np.ones(len(pair_key), dtype=bool)
    first[1:] = pair_key[1:] != pair_key[:-1]
    starts = np.flatnonzero(first)
    best = np.maximum.reduceat(value_of, starts) if len(starts) else value_of
    text_of, column_of = np.divmod(pair_key[starts], n_columns)
    return JoinedTexts(p_pos, len(p_keys), text_of, column_of, best)


def synonym_pairs(
    vocabulary: Vocabulary, entries: list[Any], sure: list[float], vacs: PreparedPlaces
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (text, column, cosine x certainty) for texts whose Dutch entry's forms meet a requirement column.

    The forms are compared once per distinct entry (many texts share one), each entry keeping its best
    cosine per column, then joined back to the texts, scaled by how sure each text's resolution is.
    """
    texts = np.asarray(
        [k for k, e in enumerate(entries) if isinstance(e, int) and vocabulary.entries[e].variants],
        dtype=np.int64,
    )
    if not len(texts):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    distinct, entry_of_text = np.unique([entries[k] for k in texts.tolist()], return_inverse=True)
    known = entry_pairs(vocabulary, vacs, distinct.tolist())
    count = np.asarray([len(known[e][0]) for e in distinct.tolist()], dtype=np.int64)
    start = np.cumsum(count) - count
    column = np.concatenate([known[e][0] for e in distinct.tolist()])
    value = np.concatenate([known[e][1] for e in distinct.tolist()])
    text_rows, at = expand_ranges(start[entry_of_text], count[entry_of_text])
    text_rows = texts[text_rows]
    return text_rows, column[at], value[at] * np.asarray(sure)[text_rows]


#: The synonym pairs of each entry for the last prepared places and vocabulary (weakly held: places are
#: prepared rarely, and the engine keeps the last ones).
_entry_pairs_cache: tuple[weakref.ref, weakref.ref, dict[int, tuple[np.ndarray, np.ndarray]]] | None = None
_entry_pairs_lock = threading.Lock()


def entry_pairs(
    vocabulary: Vocabulary, vacs: PreparedPlaces, entries: list[int]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Return entry -> (columns, best cosine) of its forms' word overlap with the places' requirement columns.

    Computed once per entry and prepared places (cached for the last places), at or above ``SYNONYM_MINIMUM``.
    """
    global _entry_pairs_cache
    with _entry_pairs_lock:
        cached = _entry_pairs_cache
        if cached is None or cached[0]() is not vacs or cached[1]() is not vocabulary:
            cached = _entry_pairs_cache = (weakref.ref(vacs), weakref.ref(vocabulary), {})
        known = cached[2]
    todo = np.asarray([e for e in entries if e not in known], dtype=np.int64)
    if len(todo):
        which, rows = vocabulary.form_rows(todo)
        space = vocabulary.word_space()
        vectors = space.form_vectors[rows]
        pair_entry, pair_column, pair_value = [], [], []
        for others, other_column in (
            (vacs.text_column_vectors, vacs.text_column),
            (vacs.asked_form_vectors, vacs.asked_form_column),
        ):
            form_of, other_rows, cosine = graded_pairs(space, vectors, others)
            pair_entry.append(which[form_of])
            pair_column.append(other_column[other_rows])
            pair_value.append(cosine)
        entry = np.concatenate(pair_entry).astype(np.int64)
        column = np.concatenate(pair_column).astype(np.int64)
        value = np.concatenate(pair_value)
        close = value >= SYNONYM_MINIMUM - 1e-9
        entry, column, value = entry[close], column[close], value[close]
        order = np.lexsort((-value, column, entry))  # by entry, then column, best first
        entry, column, value = entry[order], column[order], value[order]
        first = np.ones(len(entry), dtype=bool)
        first[1:] = (entry[1:] != entry[:-1]) | (column[1:] != column[:-1])
        entry, column, value = entry[first], column[first], value[first]
        bounds = np.searchsorted(entry, np.arange(len(todo) + 1))
        for k, e in enumerate(todo.tolist()):
            known[e] = (column[bounds[k] : bounds[k + 1]], value[bounds[k] : bounds[k + 1]])
    return known


def occupation_skill_pairs(
    vocabulary: Vocabulary,
    occupations: Occupations,
    keys: list[tuple[str, str | None]],
    sure: list[float],
    vacs: PreparedPlaces,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (text, column, weight) where a text names an occupation one of whose essential skills a column is.

    Only texts the vocabulary does not resolve exactly count (its own reading of a word wins: "receptionist"
    is the skill "onthaal"). A skill weighs its specificity (``Occupations.specificity``: a skill few
    occupations need says more than HACCP), times the share of the occupations of that label that need it
    when several carry the label ("beenhouwer" is both "slager" and "slachter").
    """
    rows: list[int] = []
    columns: list[int] = []
    shares: list[float] = []
    named = [
        (k, occupations.named(normalised))
        for k, (normalised, tax) in enumerate(keys)
        if tax is None and normalised and sure[k] < 1.0
    ]
    named = [(k, found) for k, found in named if found]
    if named:
        entry_column = {int(e): c for c, e in enumerate(vacs.col_entry.tolist()) if e >= 0}
        for k, found in named:
            weight: dict[int, float] = {}
            for occupation in found:
                for uri in occupations.essential_skills(occupation):
                    column = entry_column.get(vocabulary.entry_of_uri(uri), -1)
                    if column >= 0:
                        weight[column] = weight.get(column, 0.0) + occupations.specificity(uri)
            for column, total in weight.items():
                rows.append(k)
                columns.append(column)
                shares.append(total / len(found))
    return (
        np.asarray(rows, dtype=np.int64),
        np.asarray(columns, dtype=np.int64),
        np.asarray(shares, dtype=np.float64),
    )


def same_group_pairs(
    vocabulary: Vocabulary, entries: list[Any], vacs: PreparedPlaces
) -> tuple[np.ndarray, np.ndarray]:
    """Return (text, column) pairs whose vocabulary entries share an ESCO skill group."""
    text_rows = np.asarray([k for k, e in enumerate(entries) if isinstance(e, int)], dtype=np.int64)
    if not len(text_rows) or not len(vacs.group_columns):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    # Text -> its entry's groups -> the columns of those groups, as index arithmetic on both CSR matrices.
    entry_groups, column_groups = vocabulary.entry_groups, vacs.column_groups
    text_entries = np.asarray([entries[k] for k in text_rows.tolist()], dtype=np.int64)
    starts = entry_groups.indptr[text_entries]
    which, at = expand_ranges(starts, entry_groups.indptr[text_entries + 1] - starts)
    groups = entry_groups.indices[at].astype(np.int64)
    starts = column_groups.indptr[groups]
    pair_text, at = expand_ranges(starts, column_groups.indptr[groups + 1] - starts)
    n_columns = column_groups.shape[1]
    # Two shared groups: one pair. The keys come in text order already (a stable sort finds the runs).
    pairs = np.sort(which[pair_text] * n_columns + column_groups.indices[at], kind="stable")
    if len(pairs):
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    return text_rows[pairs // n_columns], vacs.group_columns[pairs % n_columns]


def distinct_normalised(
    vocabulary: Vocabulary, raw: list[tuple[str, str | None]]
) -> tuple[dict[tuple[str, str | None], int], list[tuple[str, str | None]], list[Any]]:
    """Collapse texts that normalise alike: return raw key -> index, distinct (normalised, tax) keys, resolutions."""
    resolutions = vocabulary.resolve(name for name, _ in raw)
    index: dict[tuple[str, str | None], int] = {}
    pos: dict[tuple[str, str | None], int] = {}
    distinct: list[Any] = []
    for key, res in zip(raw, resolutions, strict=True):
        norm_key = (res.normalised, key[1])
        k = index.get(norm_key)
        if k is None:
            k = index[norm_key] = len(distinct)
            distinct.append(res)
        pos[key] = k
    return pos, list(index), distinct


def concepts_of(
    vocabulary: Vocabulary, keys: list[tuple[str, str | None]], resolutions: list[Any]
) -> tuple[list[Any], list[float], list[str | None]]:
    """Return per (text, taxonomy id): its concept (entry index, ("tax", id) or None), certainty, vocabulary id."""
    vocab = vocabulary
    entries: list[Any] = []
    sure: list[float] = []
    tax_ids: list[str | None] = []
    for (_, tax), res in zip(keys, resolutions, strict=True):
        entry = vocab.entry_for(tax) if tax is not None else -1
        if entry >= 0:
            entries.append(entry)
            sure.append(1.0)
            tax_ids.append(tax)
        elif tax is not None:
            entries.append(("tax", tax))
            sure.append(1.0)
            tax_ids.append(tax)
        elif res.entry >= 0:
            entries.append(res.entry)
            sure.append(res.similarity / 100.0)
            tax_ids.append(vocab.entries[res.entry].id)
        else:
            entries.append(None)
            sure.append(0.0)
            tax_ids.append(None)
    return entries, sure, tax_ids
