"""Graded similarity between skill texts (matching.similarity): what earns partial credit and what stays out."""

from __future__ import annotations

import pytest
from matching_fixtures import make_engine, make_participant, make_vacancy, vocabulary

import matching.similarity as similarity_module
from matching.similarity import GRADED_MINIMUM, by_word, graded_pairs, text_vectors


def similarity(engine, skill: str, requirement: str) -> int:
    """Return the similarity (0-100) the explanation shows for one skill against one requirement, 0 if none."""
    participant = make_participant(skills=((skill, 3),))
    (result,) = engine.rank_places(
        participant, [make_vacancy(skills=((requirement, True, 1),))], include_excluded=True
    )
    return max((m["similarity"] for m in result.explanation["matched"]), default=0)


@pytest.fixture(scope="module")
def engine():
    return make_engine()


def test_shared_rare_words_earn_partial_credit(engine):
    assert 40 <= similarity(engine, "honden wassen", "honden verzorgen") < 80
    assert 40 <= similarity(engine, "bathe dogs", "clean dogs") < 80


def test_graded_credit_stays_off_in_the_all_or_nothing_mode():
    assert similarity(make_engine(graded=False), "honden wassen", "honden verzorgen") == 0


def test_a_word_subset_is_not_a_full_match(engine):
    assert similarity(engine, "heftruck", "heftruck instructeur met lesgeverservaring") < 60
    assert similarity(engine, "python", "python django") < 75


def test_a_short_substring_earns_nothing(engine):
    assert similarity(engine, "las", "glas snijden") == 0
    assert similarity(engine, "kassa", "kassasystemen installeren en herstellen") == 0


def test_a_typo_inside_a_vocabulary_word_still_counts():
    space = vocabulary().word_space()
    assert "magazijn" in space.index
    vectors = text_vectors(space, ["magazjin", "magazijn"])
    rows, others, cosine = graded_pairs(space, vectors[:1], by_word(vectors[1:]))
    assert list(rows) == [0] and cosine[0] >= 0.85


def test_unrelated_texts_give_no_pairs():
    space = vocabulary().word_space()
    vectors = text_vectors(space, ["koken", "heftruck rijden"])
    rows, _, _ = graded_pairs(space, vectors[:1], by_word(vectors[1:]))
    assert len(rows) == 0
    assert 0 < GRADED_MINIMUM < 1


def test_few_texts_in_numpy_equal_the_sparse_product_exactly(monkeypatch):
    space = vocabulary().word_space()
    forms = by_word(space.form_vectors)
    texts = text_vectors(
        space, ["heftruk rijden", "honden wassen", "magazjin orderpicking", "kassa", "onbekendwoord magazijn"]
    )
    few = graded_pairs(space, texts, forms)
    monkeypatch.setattr(similarity_module, "FEW_TEXTS", 0)
    sparse = graded_pairs(space, texts, forms)
    assert len(few[0]) > 5
    as_set = lambda found: sorted(zip(*(part.tolist() for part in found), strict=True))  # noqa: E731
    assert as_set(few) == as_set(sparse)  # the same pairs and bit-identical cosines
