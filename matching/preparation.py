"""Preparation: participants and places become validated arrays (the places' side cached by the engine).

``prepare_participants`` and ``prepare_places`` validate every record (``matching.validation``) and hold
what the scoring kernel reads as numpy arrays; ``prepare_places`` also resolves the requirement texts
to concept columns and builds the place-side requirement matrix and the renormalised weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from matching import validation
from matching.arrays import id_ranks, object_array, unit_vectors
from matching.concepts import concepts_of, distinct_normalised
from matching.errors import InputError
from matching.geo import Geo
from matching.kernel import DISTANCE_REFERENCE_KM, EXCL_FULL, EXCL_NOT_OPEN
from matching.models import SKILL_LEVELS, Participant, Vacancy, Weights
from matching.occupations import Occupations
from matching.similarity import by_word, text_vectors
from matching.text import LengthIndex, fold
from matching.vocabulary import Vocabulary

_NO_SECTORS: frozenset[str] = frozenset()


@dataclass
class PreparedParticipants:
    """Participants as arrays, plus their skill slots (one per claim) in participant order."""

    ids: list[Any]
    index: dict[Any, int]
    rank: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    xyz: np.ndarray
    max_km: np.ndarray
    hours: np.ndarray
    dutch: np.ndarray
    licence: np.ndarray
    sector_sets: list[frozenset[str]]
    hours32: np.ndarray
    inv_hours: np.ndarray
    max_km32: np.ndarray
    inv_ref: np.ndarray
    slot_owner: np.ndarray
    slot_key: list[tuple[str, str | None]]
    slot_level: np.ndarray
    slot_name_arr: np.ndarray
    wish_text: list[str]  # every wish, in participant order
    wish_owner: np.ndarray
    wish_occupation: np.ndarray  # occupation index of each wish, -1 when it resolves to none
    has_wishes: np.ndarray
    wish_group: np.ndarray  # ISCO unit group index of each wish, -1 for none
    wish_keys: np.ndarray  # sorted participant * n_occupations + occupation of their wishes
    wish_group_keys: np.ndarray  # sorted participant * n_groups + ISCO unit group of their wishes
    n_occupations: int
    n_groups: int


@dataclass
class PreparedPlaces:
    """Places as arrays, their requirement rows, concept columns, requirement matrix and weights."""

    ids: list[Any]
    index: dict[Any, int]
    rank: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    xyz: np.ndarray
    hours: np.ndarray
    dutch: np.ndarray
    licence: np.ndarray
    flags: np.ndarray
    capacity: np.ndarray
    sector: list[str]
    hours32: np.ndarray
    inv_hours: np.ndarray
    open_ok: np.ndarray
    req_owner: np.ndarray
    req_key: list[tuple[str, str | None]]
    req_min: np.ndarray
    req_required: np.ndarray
    req_name: list[str]
    req_start: np.ndarray
    req_count: np.ndarray
    n_required: np.ndarray
    n_nice: np.ndarray
    occupation_index: np.ndarray  # per place, -1 when its occupation (or title) resolves to none
    occupation_group: np.ndarray  # its ISCO unit group index, -1 for none
    # Filled by index_requirements (cached with the prepared places):
    r_norm: list[str] = field(default_factory=list)
    r_norm_index: Any = None  # LengthIndex of r_norm, and of the texts that resolve to no entry
    loose_r_norm_index: Any = None
    r_code: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    codes: dict[Any, int] = field(default_factory=dict)
    norm_ids: dict[str, int] = field(default_factory=dict)
    r_norm_id: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    r_order: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    r_col: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    col_code: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    col_sure: np.ndarray = field(default_factory=lambda: np.empty(0))
    col_norm_id: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    r_sorted: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    req_concept: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    req_tax: list[str | None] = field(default_factory=list)
    req_tax_arr: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    req_name_arr: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    req_weight: np.ndarray = field(default_factory=lambda: np.empty(0))
    b_all: Any = None
    presence: Any = None  # concepts x places: 1 where the place lists the concept
    asked: np.ndarray = field(default_factory=lambda: np.zeros((4, 0), dtype=bool))  # levels x concepts asked
    text_column_vectors: Any = (
        None  # unit word vectors (words x texts) of the texts that have their own column
    )
    text_column: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    asked_form_vectors: Any = (
        None  # unit word vectors (words x forms) of the forms of entries that have a column
    )
    asked_form_column: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # their column
    col_entry: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # entry, -1 for none
    group_columns: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # with an entry
    column_groups: Any = None  # ESCO skill groups x those columns, 1 where the column's entry belongs
    wn: dict[str, np.ndarray] = field(default_factory=dict)
    wn32: dict[str, np.ndarray] = field(default_factory=dict)
    occupation_share: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float32))
    sector_codes: dict[str, int] = field(default_factory=dict)
    locations: Any = None  # (first place, location index per place) of the distinct coordinates, set by reach
    vac_sector_code: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    one_participant: Any = None  # matching.one_participant.PlacesRow, built on the first one-participant call


def prepare_participants(
    participants: list[Participant], geo: Geo, occupations: Occupations
) -> PreparedParticipants:
    """Validate participants and return them as arrays."""
    wish_texts: list[str] = []
    wish_count = np.zeros(len(participants), dtype=np.int64)
    objs = list(participants)
    ids = [p.id for p in objs]
    index: dict[Any, int] = {}
    hours = np.empty(len(objs))
    max_km = np.empty(len(objs))
    dutch = np.empty(len(objs), dtype=np.int64)
    licence = np.empty(len(objs), dtype=bool)
    sector_sets: list[frozenset[str]] = []
    skill_count = np.empty(len(objs), dtype=np.int64)
    slot_key: list[tuple[str, str | None]] = []
    slot_level: list[int] = []
    coordinates = geo.coordinates
    kind = "participant"
    for i, p in enumerate(objs):
        if p.id in index:
            raise InputError(kind, i, p.id, "id", "duplicate id")
        index[p.id] = i
        if p.postal_code not in coordinates and str(p.postal_code).strip() not in geo:
            raise InputError(kind, i, p.id, "postal_code", f"unknown postal code {p.postal_code!r}")
        hours[i] = validation.number(p.hours_per_week, kind, i, p.id, "hours_per_week", positive=True)
        if p.max_distance_km is None:
            max_km[i] = np.inf
        else:
            max_km[i] = validation.number(p.max_distance_km, kind, i, p.id, "max_distance_km")
        dutch[i] = validation.dutch_level(p.dutch_level, kind, i, p.id)
        licence[i] = bool(p.driving_licence)
        sector_sets.append(frozenset(filter(None, map(fold, p.sectors))) if p.sectors else _NO_SECTORS)
        if p.occupations:
            wishes = validation.occupation_texts(p.occupations, kind, i, p.id)
            wish_texts.extend(wishes)
            wish_count[i] = len(wishes)
        skill_count[i] = len(p.skills)
        for claim in p.skills:
            name, level = claim.name, claim.level
            if (
                type(name) is not str
                or not name
                or name.isspace()
                or type(level) is not int
                or not 1 <= level <= 4
            ):
                k = p.skills.index(claim)
                validation.skill_name(name, kind, i, p.id, f"skills[{k}].name")
                validation.skill_level(level, kind, i, p.id, f"skills[{k}].level")
            slot_key.append((name, claim.taxonomy_id))
            slot_level.append(level)
    lat, lon = geo.radians(p.postal_code for p in objs)
    wish_occupation = np.asarray(occupations.resolve(wish_texts), dtype=np.int64)
    wish_owner = np.repeat(np.arange(len(objs), dtype=np.int64), wish_count)
    known = wish_occupation >= 0
    n_occupations = max(len(occupations), 1)
    n_groups = int(occupations.group.max(initial=0)) + 1
    ref_km = np.where(np.isfinite(max_km), np.maximum(max_km, 1.0), DISTANCE_REFERENCE_KM)
    return PreparedParticipants(
        ids=ids,
        index=index,
        rank=id_ranks(ids),
        lat=lat,
        lon=lon,
        xyz=unit_vectors(lat, lon),
        max_km=max_km,
        hours=hours,
        dutch=dutch,
        licence=licence,
        sector_sets=sector_sets,
        hours32=hours.astype(np.float32),
        inv_hours=(1.0 / hours).astype(np.float32),
        max_km32=max_km.astype(np.float32),
        inv_ref=(1.0 / ref_km).astype(np.float32),
        slot_owner=np.repeat(np.arange(len(objs), dtype=np.int64), skill_count),
        slot_key=slot_key,
        slot_level=np.asarray(slot_level, dtype=np.int64),
        slot_name_arr=object_array([name for name, _ in slot_key]),
        wish_text=wish_texts,
        wish_owner=wish_owner,
        wish_occupation=wish_occupation,
        has_wishes=wish_count > 0,
        wish_group=np.where(
            known, occupations.group[np.maximum(wish_occupation, 0)] if len(occupations) else -1, -1
        ),
        wish_keys=np.unique(wish_owner[known] * n_occupations + wish_occupation[known]),
        wish_group_keys=np.unique(
            wish_owner[known] * n_groups + occupations.group[wish_occupation[known]]
            if known.any()
            else np.empty(0, dtype=np.int64)
        ),
        n_occupations=n_occupations,
        n_groups=n_groups,
    )


def prepare_places(
    vacancies: list[Vacancy], geo: Geo, vocabulary: Vocabulary, weights: Weights, occupations: Occupations
) -> PreparedPlaces:
    """Validate places, resolve their requirement texts and return them as arrays and matrices."""
    objs = list(vacancies)
    n = len(objs)
    ids = [v.id for v in objs]
    index: dict[Any, int] = {}
    hours = np.empty(n)
    dutch = np.empty(n, dtype=np.int64)
    licence = np.empty(n, dtype=bool)
    flags = np.zeros(n, dtype=np.int64)
    capacity = np.zeros(n, dtype=np.int64)
    sector: list[str] = []
    req_owner: list[int] = []
    req_key: list[tuple[str, str | None]] = []
    req_min: list[int] = []
    req_required: list[bool] = []
    req_name: list[str] = []
    occupation_texts: list[str] = []
    n_required = np.zeros(n, dtype=np.int64)
    n_nice = np.zeros(n, dtype=np.int64)
    kind = "vacancy"
    for j, v in enumerate(objs):
        if v.id in index:
            raise InputError(kind, j, v.id, "id", "duplicate id")
        index[v.id] = j
        if str(v.postal_code).strip() not in geo:
            raise InputError(kind, j, v.id, "postal_code", f"unknown postal code {v.postal_code!r}")
        hours[j] = validation.number(v.hours_per_week, kind, j, v.id, "hours_per_week", positive=True)
        dutch[j] = validation.dutch_level(v.dutch_level, kind, j, v.id)
        licence[j] = bool(v.driving_licence_required)
        places = validation.count(v.places, kind, j, v.id, "places")
        filled = validation.count(v.filled, kind, j, v.id, "filled")
        if not v.is_open:
            flags[j] |= EXCL_NOT_OPEN
        elif filled >= places:
            flags[j] |= EXCL_FULL
        else:
            capacity[j] = places - filled
        sector.append(fold(v.sector or ""))
        occupation_texts.append(validation.occupation_of(v.occupation, v.title, kind, j, v.id))
        for k, req in enumerate(v.skills):
            name = req.name
            if type(name) is not str or not name or name.isspace():
                validation.skill_name(name, kind, j, v.id, f"skills[{k}].name")
            req_owner.append(j)
            req_key.append((name, req.taxonomy_id))
            level = req.min_level
            if type(level) is not int or not 1 <= level <= 4:
                validation.skill_level(level, kind, j, v.id, f"skills[{k}].min_level")
            req_min.append(level)
            req_required.append(bool(req.required))
            req_name.append(name)
            if req.required:
                n_required[j] += 1
            else:
                n_nice[j] += 1
    lat, lon = geo.radians(v.postal_code for v in objs)
    occupation_index = np.asarray(occupations.resolve(occupation_texts), dtype=np.int64)
    req_count = n_required + n_nice
    prepared = PreparedPlaces(
        ids=ids,
        index=index,
        rank=id_ranks(ids),
        lat=lat,
        lon=lon,
        xyz=unit_vectors(lat, lon),
        hours=hours,
        dutch=dutch,
        licence=licence,
        flags=flags,
        capacity=capacity,
        sector=sector,
        hours32=hours.astype(np.float32),
        inv_hours=(1.0 / hours).astype(np.float32),
        open_ok=flags == 0,
        req_owner=np.asarray(req_owner, dtype=np.int64),
        req_key=req_key,
        req_min=np.asarray(req_min, dtype=np.int64),
        req_required=np.asarray(req_required, dtype=bool),
        req_name=req_name,
        req_start=np.cumsum(req_count) - req_count,
        req_count=req_count,
        n_required=n_required,
        n_nice=n_nice,
        occupation_index=occupation_index,
        occupation_group=np.where(
            occupation_index >= 0,
            occupations.group[np.maximum(occupation_index, 0)] if len(occupations) else -1,
            -1,
        ),
    )
    index_requirements(prepared, vocabulary, weights)
    return prepared


def index_requirements(vacs: PreparedPlaces, vocabulary: Vocabulary, weights: Weights) -> None:
    """Resolve the places' requirement texts and build the place-side matrices (cached with the places)."""
    n_v = len(vacs.ids)
    # Every distinct normalised requirement text (with its taxonomy id) is a column ("concept").
    r_raw = list(dict.fromkeys(vacs.req_key))
    r_pos, r_keys, r_res = distinct_normalised(vocabulary, r_raw)
    r_entry, r_sure, r_tax = concepts_of(vocabulary, r_keys, r_res)
    codes: dict[Any, int] = {}
    vacs.r_norm = [res.normalised for res in r_res]
    vacs.r_code = np.asarray(
        [-1 if e is None else codes.setdefault(e, len(codes)) for e in r_entry], dtype=np.int64
    )
    vacs.codes = codes
    vacs.r_norm_index = LengthIndex(vacs.r_norm)
    vacs.loose_r_norm_index = LengthIndex([vacs.r_norm[k] for k in np.flatnonzero(vacs.r_code < 0).tolist()])
    norm_ids: dict[str, int] = {}
    vacs.r_norm_id = np.asarray([norm_ids.setdefault(n, len(norm_ids)) for n in vacs.r_norm], dtype=np.int64)
    vacs.norm_ids = norm_ids

    # Columns ("concepts"): texts that resolve exactly to the same vocabulary entry behave alike for
    # every participant, so they share one column; fuzzily resolved and unresolved texts keep their own.
    columns: dict[tuple[str, int], int] = {}
    r_col = np.empty(len(r_keys), dtype=np.int64)
    col_code: list[int] = []
    col_sure: list[float] = []
    col_norm_id: list[int] = []
    for k, (code, sure, norm_id) in enumerate(
        zip(vacs.r_code.tolist(), r_sure, vacs.r_norm_id.tolist(), strict=True)
    ):
        key = ("entry", code) if code >= 0 and sure == 1.0 else ("text", k)
        col = columns.get(key)
        if col is None:
            col = columns[key] = len(col_code)
            col_code.append(code)
            col_sure.append(sure)
            col_norm_id.append(-2 if key[0] == "entry" else norm_id)
        r_col[k] = col
    vacs.r_col = r_col
    vacs.col_code = np.asarray(col_code, dtype=np.int64)
    vacs.col_sure = np.asarray(col_sure, dtype=np.float64)
    vacs.col_norm_id = np.asarray(col_norm_id, dtype=np.int64)
    vacs.r_order = np.argsort(vacs.col_code, kind="stable")
    vacs.r_sorted = vacs.col_code[vacs.r_order]

    # Requirement weights per concept, level and component.
    n_concepts = len(col_code)
    req_concept = r_col[np.asarray([r_pos[key] for key in vacs.req_key], dtype=np.int64)]
    vacs.req_concept = req_concept
    vacs.req_tax = [r_tax[r_pos[key]] for key in vacs.req_key]
    vacs.req_tax_arr = object_array(vacs.req_tax)
    vacs.req_name_arr = object_array(vacs.req_name)
    count = np.where(vacs.req_required, vacs.n_required[vacs.req_owner], vacs.n_nice[vacs.req_owner])
    vacs.req_weight = 1.0 / np.maximum(count, 1)
    b_rows = (vacs.req_min - 1) * n_concepts + req_concept
    vacs.asked = np.zeros((len(SKILL_LEVELS), n_concepts), dtype=bool)
    vacs.asked[vacs.req_min - 1, req_concept] = True
    b_cols = vacs.req_owner + np.where(vacs.req_required, 0, n_v)
    vacs.b_all = sp.csr_matrix(
        (vacs.req_weight, (b_rows, b_cols)), shape=(len(SKILL_LEVELS) * n_concepts, 2 * n_v)
    )

    vacs.presence = sp.csr_matrix(
        (np.ones(len(req_concept)), (req_concept, vacs.req_owner)), shape=(n_concepts, n_v)
    )
    vacs.presence.data = np.minimum(vacs.presence.data, 1.0)
    # For graded similarity: the texts with their own column, and every vocabulary form of an entry that
    # has a column (-1 for the other forms).
    own = np.flatnonzero(vacs.col_norm_id[r_col] != -2)
    vacs.text_column_vectors = by_word(
        text_vectors(vocabulary.word_space(), [vacs.r_norm[k] for k in own.tolist()])
    )
    vacs.text_column = r_col[own]
    entry_column = np.full(len(vocabulary), -1, dtype=np.int64)
    entry_of_code = {c: e for e, c in codes.items() if isinstance(e, int)}
    for column, (code, norm_id) in enumerate(zip(col_code, col_norm_id, strict=True)):
        if norm_id == -2 and code in entry_of_code:
            entry_column[entry_of_code[code]] = column
    form_column = entry_column[vocabulary.choice_owner] if len(vocabulary) else np.empty(0, dtype=np.int64)
    asked = np.flatnonzero(form_column >= 0)
    vacs.asked_form_vectors = by_word(vocabulary.word_space().form_vectors[asked])
    vacs.asked_form_column = form_column[asked]
    vacs.col_entry = np.asarray(
        [entry_of_code.get(code, -1) if code >= 0 else -1 for code in col_code], dtype=np.int64
    )
    vacs.group_columns = np.flatnonzero(vacs.col_entry >= 0)
    vacs.column_groups = vocabulary.entry_groups[vacs.col_entry[vacs.group_columns]].T.tocsr()

    # Component weights renormalised over the components that apply to each place.
    w = weights
    raw = {
        "required": np.where(vacs.n_required > 0, w.required, 0.0),
        "nice": np.where(vacs.n_nice > 0, w.nice, 0.0),
        "precision": np.full(n_v, w.precision),  # 0 when the place asks for nothing
        "distance": np.full(n_v, w.distance),
        "hours": np.full(n_v, w.hours),
        "sector": np.full(n_v, w.sector),
    }
    total = sum(raw.values())
    total = np.where(total > 0, total, 1.0)
    # A participant with occupation wishes adds the occupation component on top (per pair, see kernel).
    vacs.occupation_share = (w.occupation / (total + w.occupation)).astype(np.float32)
    vacs.wn = {name: value / total for name, value in raw.items()}
    vacs.wn32 = {name: value.astype(np.float32) for name, value in vacs.wn.items()}
    vacs.sector_codes = {name: k for k, name in enumerate(sorted(set(vacs.sector)))}
    vacs.vac_sector_code = np.asarray([vacs.sector_codes[s] for s in vacs.sector], dtype=np.int64)
