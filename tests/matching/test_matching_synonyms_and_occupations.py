"""Both sides' synonyms and occupations named as skills (matching/concepts.py, seeds/occupation_skills.csv).

A participant's text that resolves to an entry of the Dutch vocabulary also meets the places' requirements
through the entry's other forms, at half credit; a text that is the Dutch label of an ESCO occupation, and
not a skill the vocabulary knows, earns partial credit for that occupation's essential skills.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from matching import Engine, Participant, SkillClaim, SkillRequirement, Vacancy, load_geo, load_vocabulary
from matching.concepts import OCCUPATION_SKILL_CREDIT, SYNONYM_CREDIT
from matching.occupations import default_occupations


@lru_cache(maxsize=4)
def engine(
    synonym_credit: float = SYNONYM_CREDIT, occupation_credit: float = OCCUPATION_SKILL_CREDIT
) -> Engine:
    """Return an engine on the project's vocabulary with the given credits."""
    return Engine(
        vocabulary=load_vocabulary(),
        geo=load_geo(),
        synonym_credit=synonym_credit,
        occupation_credit=occupation_credit,
    )


def result(skills: list[str], asked: list[str], on: Engine):
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
    (found,) = on.rank_places(participant, [vacancy], include_excluded=True)
    return found


def similarity(skills: list[str], asked: str, on: Engine) -> int:
    """Return the explained similarity (0-100) of the requirement, 0 when it is missing."""
    matched = [m for m in result(skills, [asked], on).explanation["matched"] if m["requirement"] == asked]
    return matched[0]["similarity"] if matched else 0


def test_a_synonym_of_the_participants_text_meets_the_requirement_at_most_at_half_credit():
    # "containerpark" is a variant of "recyclagepark bemannen", whose form "recyclagepark" shares "recyclage".
    with_synonyms = similarity(["containerpark"], "recyclage", engine())
    assert 0 < with_synonyms <= 100 * SYNONYM_CREDIT
    assert similarity(["containerpark"], "recyclage", engine(synonym_credit=0.0)) == 0


def test_an_english_word_meets_a_dutch_requirement_through_its_entrys_dutch_forms():
    # "carpentry" is the entry schrijnwerk, whose form "schrijnwerk" shares its word with houtbewerking's
    # variant "schrijnwerkerij" (split "schrijnwerk erij").
    assert similarity(["carpentry"], "houtbewerking", engine()) > 0
    assert similarity(["carpentry"], "houtbewerking", engine(synonym_credit=0.0)) == 0


@pytest.mark.parametrize(
    ("skill", "asked"),
    [
        ("heftruck", "heftruck instructeur met lesgeverservaring"),
        ("las", "glas snijden"),
        ("kassa", "kassasystemen installeren en herstellen"),
        ("heftruckchauffeur", "heftruck instructeur met lesgeverservaring"),
    ],
)
def test_the_pinned_traps_stay_out_with_the_synonyms(skill, asked):
    # A word subset or substring never becomes a full match: the synonyms add at most their half credit.
    with_synonyms = similarity([skill], asked, engine())
    without = similarity([skill], asked, engine(synonym_credit=0.0))
    assert with_synonyms < 60
    assert with_synonyms <= max(without, 100 * SYNONYM_CREDIT)


def test_an_occupation_named_as_a_skill_earns_partial_credit_for_its_specific_tasks():
    # "beenhouwer" is no skill of the vocabulary but the Dutch label of ESCO's "slager" and "slachter";
    # "vlees versnijden" is linked to "handle knives for meat processing activities", essential to "slager".
    alone = engine(synonym_credit=0.0)
    credit = similarity(["beenhouwer"], "vlees versnijden", alone)
    assert 0 < credit <= 100 * OCCUPATION_SKILL_CREDIT / 2  # one of the label's two occupations needs it
    assert similarity(["beenhouwer"], "vlees versnijden", engine(0.0, 0.0)) == 0


def test_a_common_essential_skill_counts_less_than_a_specific_one():
    occupations = default_occupations()
    vocabulary = load_vocabulary()
    haccp = vocabulary.entries[vocabulary.index_by_id["haccp"]].esco_uri
    knives = vocabulary.entries[vocabulary.index_by_id["vlees-versnijden"]].esco_uri
    assert 0 < occupations.specificity(haccp) < occupations.specificity(knives) <= 1
    # Both of the label's occupations need HACCP and splitting carcasses; few others split carcasses.
    split = "split animal carcasses"
    (carcasses,) = vocabulary.resolve([split])
    assert occupations.specificity(haccp) < occupations.specificity(
        vocabulary.entries[carcasses.entry].esco_uri
    )
    alone = engine(synonym_credit=0.0)
    assert 0 < similarity(["beenhouwer"], "HACCP", alone) < similarity(["beenhouwer"], split, alone)


def test_a_word_the_vocabulary_knows_as_a_skill_is_not_read_as_an_occupation():
    # "receptionist" is the skill "onthaal" (a variant) and also an ESCO occupation that needs
    # "klantvriendelijkheid": the vocabulary's reading wins, the occupation adds nothing.
    occupations = default_occupations()
    assert occupations.named("receptionist")
    on, off = engine(synonym_credit=0.0), engine(0.0, 0.0)
    for asked in (["klantvriendelijkheid"], ["onthaal", "klantvriendelijkheid"]):
        assert result(["receptionist"], asked, on).score == result(["receptionist"], asked, off).score


def test_a_label_names_every_occupation_that_carries_it():
    occupations = default_occupations()
    named = {occupations.occupations[k].label for k in occupations.named("Beenhouwer")}
    assert {"slager", "slachter"} <= named
    assert occupations.named("beenhouw") == ()
    for k in occupations.named("beenhouwer"):
        skills = occupations.essential_skills(k)
        assert skills and all(uri.startswith("http://data.europa.eu/esco/skill/") for uri in skills)


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("veiligheidsattest", "vca"),  # Flemish name of the VCA safety certificate
        ("kringloopwinkel", "hergebruik-sorteren"),  # the Netherlands' kringwinkel (ESCO's Dutch labels)
        ("fysiek zwaar werk", "fysiek-werk"),  # the entry's own label without "aankunnen"
        ("vlees uitbenen", "vlees-versnijden"),
    ],
)
def test_the_added_dutch_words_resolve_to_their_entries(text, entry):
    vocabulary = load_vocabulary()
    (resolution,) = vocabulary.resolve([text])
    assert vocabulary.entries[resolution.entry].id == entry
    assert resolution.similarity == 100
