"""Loading the skill vocabulary and postal-code coordinates from CSV files."""

from __future__ import annotations

import pytest

from matching import load_geo, load_vocabulary
from matching.geo import default_geo
from matching.vocabulary import default_vocabulary


def test_vocabulary_needs_its_columns(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text("id,label_nl\nx,iets\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        load_vocabulary(path)


def test_vocabulary_refuses_duplicate_ids(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text(
        "id,label_nl,variants_nl,label_en,variants_en,esco_uri,group\n"
        "a,kassa,,cashier,,,retail\na,poetsen,,cleaning,,,schoonmaak\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="duplicate skill id"):
        load_vocabulary(path)


def test_vocabulary_reads_dutch_and_english_variants(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text(
        "id,label_nl,variants_nl,label_en,variants_en,esco_uri,group\n"
        "kassa,kassawerk,kassier|afrekenen,cashier work,till operation,,retail\n",
        encoding="utf-8",
    )
    vocabulary = load_vocabulary(path)
    assert vocabulary.entries[0].variants == (
        "kassawerk",
        "kassier",
        "afrekenen",
        "cashier work",
        "till operation",
    )
    assert [r.entry for r in vocabulary.resolve(["Kassier", "till operation", "lassen"])] == [0, 0, -1]


def test_geo_needs_coordinates(tmp_path):
    path = tmp_path / "postal_codes.csv"
    path.write_text("postal_code,municipality\n2000,Antwerpen\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        load_geo(path)


def test_project_seeds_load_lazily_and_resolve_common_skills():
    vocabulary = default_vocabulary()
    assert len(vocabulary) >= 350
    entry = vocabulary.resolve(["heftruck"])[0].entry
    assert vocabulary.entries[entry].id == "heftruck-rijden"
    assert "2000" in default_geo() and "9000" in default_geo()
