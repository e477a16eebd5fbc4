"""The stored build of a vocabulary (matching.vocabulary_cache): a vocabulary read back from it resolves and
weighs exactly as one built from scratch, a changed entry or a damaged file never reuses a stale build."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from matching import vocabulary_cache
from matching.vocabulary import SkillEntry, Vocabulary, load_esco_skills, load_vocabulary, with_esco_skills

DATA = Path(__file__).parent / "data"


def entries() -> list[SkillEntry]:
    """Return the test vocabulary joined with a slice of ESCO's skills (small enough to build in a test)."""
    own = list(load_vocabulary(DATA / "skills.csv").entries)
    return with_esco_skills(own, load_esco_skills()[:300])


@pytest.fixture(autouse=True)
def cold():
    vocabulary_cache.forget()
    yield
    vocabulary_cache.forget()


def same(a: Vocabulary, b: Vocabulary) -> None:
    assert a.exact == b.exact and a.choices == b.choices and a.own_forms == b.own_forms
    assert np.array_equal(a.choice_owner, b.choice_owner)
    space_a, space_b = a.word_space(), b.word_space()
    assert space_a.words == space_b.words
    assert np.array_equal(space_a.weight, space_b.weight)
    assert (space_a.form_vectors != space_b.form_vectors).nnz == 0
    texts = ["heftruk rijden", "vorkheftruckchauffeur", "clean dogs", "transfer patiënts", "fotografie"]
    assert a.resolve(texts) == b.resolve(texts)


def test_vocabulary_from_disk_equals_a_fresh_build(tmp_path):
    fresh = Vocabulary(entries())
    vocabulary_cache.forget()
    first = Vocabulary(entries(), cache_dir=tmp_path)
    first.word_space()  # the word space joins the forms in the stored file
    (stored,) = tmp_path.glob("vocabulary-*.npz")
    vocabulary_cache.forget()  # a new process: only the file is left
    again = Vocabulary(entries(), cache_dir=tmp_path)
    assert again._prepared.words is not None  # read back, not rebuilt
    same(fresh, again)
    same(fresh, first)
    assert list(tmp_path.glob("vocabulary-*.npz")) == [stored]


def test_changed_entry_gets_its_own_build(tmp_path):
    base = entries()
    Vocabulary(base, cache_dir=tmp_path).word_space()
    changed = [replace(base[0], variants=(*base[0].variants, "palletwikkelaar")), *base[1:]]
    assert vocabulary_cache.build_key(changed) != vocabulary_cache.build_key(base)
    vocabulary_cache.forget()
    vocabulary = Vocabulary(changed, cache_dir=tmp_path)
    assert vocabulary.normalise("palletwikkelaar") in vocabulary.exact
    same(vocabulary, Vocabulary(changed))


def test_damaged_or_unwritable_cache_is_not_used(tmp_path):
    Vocabulary(entries(), cache_dir=tmp_path).word_space()
    (stored,) = tmp_path.glob("vocabulary-*.npz")
    stored.write_bytes(b"not a numpy file")
    vocabulary_cache.forget()
    same(Vocabulary(entries(), cache_dir=tmp_path), Vocabulary(entries()))
    blocked = tmp_path / "file"
    blocked.write_text("x")
    vocabulary_cache.forget()
    same(Vocabulary(entries(), cache_dir=blocked / "below"), Vocabulary(entries()))  # cannot write: still builds


def test_process_keeps_the_last_builds_only():
    for k in range(vocabulary_cache.KEPT_IN_MEMORY + 1):
        Vocabulary([SkillEntry(id=f"s{k}", label_nl=f"vaardigheid {k}", label_en="", group="", variants=(f"vaardigheid {k}",))])
    assert len(vocabulary_cache._memory) == vocabulary_cache.KEPT_IN_MEMORY
