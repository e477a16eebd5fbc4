"""Normalisation of Dutch skill text and the reasons behind the scorer choice."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching_fixtures import vocabulary
from rapidfuzz import fuzz, process

from matching.text import (
    DEFAULT_SCORER,
    SCORERS,
    LengthIndex,
    Normaliser,
    character_mask,
    character_masks,
    fold,
    similar_pairs,
)


def resolve(text: str) -> str | None:
    res = vocabulary().resolve([text])[0]
    return vocabulary().entries[res.entry].id if res.entry >= 0 else None


def test_default_scorer_is_token_sort():
    assert DEFAULT_SCORER == "token_sort"


def test_token_set_ratio_calls_a_subset_a_perfect_match_token_sort_does_not():
    # The trap: "python" is a subset of "python django", token_set_ratio says 100.
    assert fuzz.token_set_ratio("python", "python django") == 100
    assert SCORERS[DEFAULT_SCORER]("python", "python django") < 85


def test_partial_ratio_and_wratio_reward_short_substrings_token_sort_does_not():
    long_name = "bank of america corporation"
    assert fuzz.partial_ratio("america", long_name) == 100
    assert fuzz.WRatio("america", long_name) >= 85
    assert SCORERS[DEFAULT_SCORER]("america", long_name) < 85
    # The same trap with skills: a short skill inside a longer, different one.
    assert fuzz.partial_ratio("las", "glas snijden") == 100
    assert SCORERS[DEFAULT_SCORER]("las", "glas snijden") < 85


def test_token_sort_ignores_word_order_and_tolerates_typos():
    scorer = SCORERS[DEFAULT_SCORER]
    assert scorer("rijden heftruck", "heftruck rijden") == 100
    assert scorer("heftruk", "heftruck") >= 85
    assert scorer("ordepicking", "orderpicking") >= 85


def test_subset_skill_does_not_resolve_to_a_longer_different_skill():
    # "hoogtewerker bedienen" exists; "werker" alone must not resolve to it.
    assert resolve("werker") is None


def test_fold_removes_case_accents_and_punctuation():
    assert fold("Industriële  Reiniging!") == "industriele reiniging"
    assert fold("Kassa's") == "kassas"
    assert fold("VCA-attest") == "vca attest"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Heftruck", "heftruck-rijden"),
        ("HEFTRUCKS", "heftruck-rijden"),
        ("ervaring met heftruck", "heftruck-rijden"),
        ("rijden met de heftruck", "heftruck-rijden"),
        ("heftruk", "heftruck-rijden"),
        ("vorkheftruckchauffeur", "heftruck-rijden"),
        ("heftruckchauffeurs", "heftruck-rijden"),
        ("forklift", "heftruck-rijden"),
        ("VCA-attest", "vca"),
        ("attest VCA", "vca"),
        ("Kassa's", "kassa"),
        ("kassabediende", "kassa"),
        ("poetsen", "schoonmaken"),
        ("schoonmaakwerk", "schoonmaken"),
        ("cleaning", "schoonmaken"),
        ("orders picken", "orderpicking"),
        ("orderpiking", "orderpicking"),
        ("stapelen van pallets", "pallets-stapelen"),
        ("magazijnmedewerker", "magazijnwerk"),
        ("verkoopsmedewerker", "verkoop"),
        ("Excel", "computer"),
        ("rijbewijs B", "rijbewijs-b"),
        ("zelfstandig kunnen werken", "zelfstandig-werken"),
        ("lassen", "lassen"),
        ("ramen wassen", "ramen-wassen"),
    ],
)
def test_flemish_skill_text_resolves_to_the_vocabulary_entry(text, expected):
    assert resolve(text) == expected


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("wassen", "lassen"),
        ("reachtruck", "heftruck-rijden"),
        ("bakken", "inpakken"),
        ("koken", "kassa"),
    ],
)
def test_near_miss_decoys_do_not_resolve_to_the_wrong_entry(text, not_expected):
    assert resolve(text) != not_expected


def test_compound_is_split_into_vocabulary_words():
    normalise = vocabulary().normalise
    assert normalise("vorkheftruckchauffeur").split() == ["vork", "heftruck", "chauffeur"] or (
        "heftruck" in normalise("vorkheftruckchauffeur").split()
    )
    assert normalise("magazijnmedewerker") == "magazijn medewerker"


def test_plural_and_diminutive_endings_are_stemmed_alike():
    normalise = vocabulary().normalise
    assert normalise("pallets") == normalise("pallet")
    assert normalise("palletjes") == normalise("pallet")
    assert normalise("heftrucks") == normalise("heftruck")
    assert normalise("bestellingen") == normalise("bestelling")


# Normalised text as the engine compares it: single spaces, none at the ends.
_words = st.text("abcehkrstuy0 -", min_size=0, max_size=14).map(lambda text: " ".join(text.split()))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(_words, min_size=1, max_size=12),
    st.lists(_words, min_size=1, max_size=40),
    st.sampled_from([fuzz.ratio, fuzz.token_sort_ratio]),
    st.sampled_from([60.0, 85.0, 92.0]),
)
def test_similar_pairs_returns_the_pairs_and_scores_of_one_dense_cdist(queries, choices, scorer, cutoff):
    """The length bands and the character-mask filter skip only pairs below the cut-off."""
    rows, cols, scores = similar_pairs(queries, LengthIndex(choices), scorer, cutoff)
    dense = process.cdist(queries, choices, scorer=scorer, score_cutoff=cutoff, dtype=np.uint8)
    want = {(int(a), int(b), int(dense[a, b])) for a, b in zip(*np.nonzero(dense), strict=True)}
    got = list(zip(rows.tolist(), cols.tolist(), scores.tolist(), strict=True))
    assert len(got) == len(set(got))
    assert set(got) == want


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "Heftruck rijden",
                    "heftruck",
                    "vorkheftruckchauffeur",
                    "Ervaring met kassa's",
                    "kookervaring",
                    "poetsvrouwtjes",
                    "VCA-attest",
                    "2 jaar ervaring",
                    "schoonmaakt",
                ]
            ),
            st.text("abcdefhiklmnorstuvkééè' -0", max_size=30),
        ),
        max_size=30,
    )
)
def test_normalising_many_texts_at_once_equals_one_by_one(texts):
    words = [v for e in vocabulary().entries for v in e.variants]
    one_by_one, at_once = Normaliser(words), Normaliser(words)
    assert at_once.many(texts) == [one_by_one(text) for text in texts]
    assert at_once.many(texts) == [at_once(text) for text in texts]  # from its caches, the same again


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=20))
def test_character_masks_of_many_texts_equal_one_by_one(texts):
    assert character_masks(texts).tolist() == [character_mask(text) for text in texts]
