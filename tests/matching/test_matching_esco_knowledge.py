"""ESCO knowledge in the vocabulary: any ESCO label resolves to its skill, linked by URI to the Dutch
entries, and different skills of one ESCO skill group earn partial credit (seeds/esco_skills.csv)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import pytest

from matching import Engine, Participant, SkillClaim, SkillRequirement, Vacancy, load_geo, load_vocabulary
from matching.kernel import GROUP_CREDIT
from matching.vocabulary import SEEDS_DIR, load_esco_skills


@lru_cache(maxsize=1)
def engine() -> Engine:
    """Return one engine on the project's vocabulary (Dutch entries plus ESCO's skills)."""
    return Engine(vocabulary=load_vocabulary(), geo=load_geo())


def esco_rows() -> dict[str, dict[str, str]]:
    with (SEEDS_DIR / "esco_skills.csv").open(newline="", encoding="utf-8") as handle:
        return {row["label_en"]: row for row in csv.DictReader(handle)}


def pair(skills: list[str], asked: list[str]) -> tuple[Participant, Vacancy]:
    participant = Participant(
        id=1,
        skills=tuple(SkillClaim(name, 3) for name in skills),
        postal_code="9000",
        max_distance_km=None,
        hours_per_week=38,
        dutch_level="B2",
        driving_licence=True,
    )
    vacancy = Vacancy(
        id="v",
        title="Stageplaats",
        sector="",
        skills=tuple(SkillRequirement(name) for name in asked),
        postal_code="9000",
        hours_per_week=30,
        dutch_level="A2",
        driving_licence_required=False,
    )
    return participant, vacancy


def score(skills: list[str], asked: list[str], on: Engine | None = None):
    participant, vacancy = pair(skills, asked)
    (result,) = (on or engine()).rank_places(participant, [vacancy], include_excluded=True)
    return result


def test_esco_seeds_hold_entry_level_skills_with_labels_groups_and_links():
    rows = esco_rows()
    assert len(rows) >= 4000
    assert all(row["esco_uri"].startswith("http://data.europa.eu/esco/skill/") for row in rows.values())
    assert sum(1 for row in rows.values() if row["groups"]) / len(rows) > 0.95
    # Linked by URI to the Dutch vocabulary: every esco_uri of seeds/skills.csv is there, with its id.
    with (SEEDS_DIR / "skills.csv").open(newline="", encoding="utf-8") as handle:
        linked = {row["esco_uri"]: row["id"] for row in csv.DictReader(handle) if row["esco_uri"]}
    by_uri = {row["esco_uri"]: row for row in rows.values()}
    assert {uri: by_uri[uri]["vocabulary_id"] for uri in linked} == linked


def test_every_label_of_an_esco_skill_resolves_to_that_skill():
    vocabulary = engine().vocabulary
    skills = load_esco_skills()
    sample = skills[:: len(skills) // 60]
    for skill in sample:
        entry = vocabulary.entries[vocabulary.resolve([skill.label])[0].entry]
        assert entry.esco_uri == skill.uri
        for label in skill.alt_labels[:3]:
            resolution = vocabulary.resolve([label])[0]
            # A label two ESCO skills share resolves to one of them; the others resolve to their own.
            owner = vocabulary.entries[resolution.entry]
            assert owner.esco_uri == skill.uri or label in owner.forms, (label, skill.uri)


def test_an_english_label_of_a_linked_skill_resolves_to_the_dutch_entry():
    vocabulary = engine().vocabulary
    row = esco_rows()["operate forklift"]
    assert row["vocabulary_id"] == "heftruck-rijden"
    for label in ("drive a forklift", "run a forklift", "operate forklift"):
        assert vocabulary.entries[vocabulary.resolve([label])[0].entry].id == "heftruck-rijden"


def test_a_misspelt_esco_label_still_resolves_to_its_skill():
    vocabulary = engine().vocabulary
    resolution = vocabulary.resolve(["transfer patiënts to medical facilties"])[0]
    assert vocabulary.entries[resolution.entry].label_en == "transport patient to medical facility"
    assert 85 <= resolution.similarity < 100


def test_a_skill_of_the_same_esco_group_earns_partial_credit_and_an_unrelated_one_none():
    asked = ["assist social service users with physical disabilities"]
    same_group = score(["lift patients"], asked)  # "transfer patients": same ESCO skill group
    unrelated = score(["operate forklift"], asked)
    exact = score(["help social service user with physical disabilities"], asked)
    [matched] = same_group.explanation["matched"]
    assert matched["similarity"] == round(100 * GROUP_CREDIT)
    assert unrelated.explanation["matched"] == []
    assert unrelated.score < same_group.score < exact.score
    # Without group credit the same pair gets nothing.
    alone = Engine(vocabulary=engine().vocabulary, geo=engine().geo, group_credit=0.0)
    assert score(["lift patients"], asked, alone).explanation["matched"] == []


@pytest.mark.parametrize("path", [Path("tests/matching/data/skills.csv")])
def test_a_vocabulary_loaded_from_a_file_gets_esco_only_when_asked(path):
    root = Path(__file__).resolve().parents[2]
    assert all(not e.esco_labels for e in load_vocabulary(root / path).entries)
    with_esco = load_vocabulary(root / path, esco=True)
    assert sum(1 for e in with_esco.entries if e.esco_labels) >= 4000


def test_the_matching_suite_never_reads_the_shared_esco_folder():
    root = Path(__file__).resolve().parents[2]
    folder = "/".join(("shared", "esco"))  # spelt apart so that this file does not name it
    for source in [*(root / "matching").glob("*.py"), *(root / "tests" / "matching").glob("*.py")]:
        assert folder not in source.read_text(encoding="utf-8").replace("\\", "/"), source
