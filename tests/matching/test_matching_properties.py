"""Property tests (hypothesis): bounded scores, monotonic skills, hard constraints always exclude, determinism."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from matching_fixtures import geo, make_engine, vocabulary

from matching import Participant, SkillClaim, SkillRequirement, Vacancy
from matching.models import DUTCH_LEVELS
from matching.one_participant import top_one
from matching.ranking import top_pairs
from matching.reference import rank_participants_dense, rank_places_dense

SKILL_NAMES = sorted({v for e in vocabulary().entries for v in e.variants[:3]}) + [
    "fotografie", "python django", "heftruk", "poetsvrouw", "kassa's", "vorkheftruckchauffeur",
    "orderpiking", "kasssa", "schoonmakn", "heftrukc rijden", "vca atest",
]  # fmt: skip
POSTAL_CODES = sorted(geo().coordinates)
SETTINGS = settings(max_examples=60, deadline=None)
# Occupation wishes and titles: same occupation, same ISCO unit group, typos, and text that resolves to none.
OCCUPATION_TEXTS = [
    "magazijnmedewerker",
    "magazijnier",
    "orderpicker",
    "kok",
    "keukenhulp",
    "schoonmaker",
    "xqzv",
]

skill_name = st.sampled_from(SKILL_NAMES)
level = st.integers(1, 4)
dutch = st.sampled_from(DUTCH_LEVELS)
hours = st.sampled_from([8, 16, 19, 24, 30, 32, 38, 40])

participants = st.builds(
    Participant,
    id=st.integers(1, 10_000),
    skills=st.lists(st.builds(SkillClaim, skill_name, level), max_size=6).map(tuple),
    postal_code=st.sampled_from(POSTAL_CODES),
    max_distance_km=st.one_of(st.none(), st.floats(0, 150)),
    hours_per_week=hours,
    dutch_level=dutch,
    driving_licence=st.booleans(),
    sectors=st.lists(st.sampled_from(["logistiek", "horeca", "retail", "zorg", "bouw"]), max_size=2).map(
        tuple
    ),
    occupations=st.lists(st.sampled_from(OCCUPATION_TEXTS), max_size=2).map(tuple),
)
vacancies = st.builds(
    Vacancy,
    id=st.text("abcdef", min_size=1, max_size=4),
    title=st.sampled_from(["Stageplaats", *OCCUPATION_TEXTS]),
    sector=st.sampled_from(["logistiek", "horeca", "retail", "zorg", "bouw", ""]),
    skills=st.lists(st.builds(SkillRequirement, skill_name, st.booleans(), level), max_size=6).map(tuple),
    postal_code=st.sampled_from(POSTAL_CODES),
    hours_per_week=hours,
    dutch_level=st.one_of(st.none(), dutch),
    driving_licence_required=st.booleans(),
    places=st.integers(0, 3),
    filled=st.integers(0, 3),
    is_open=st.booleans(),
)
vacancy_lists = st.lists(vacancies, min_size=1, max_size=8, unique_by=lambda v: v.id)

ENGINE = make_engine()


def score_of(participant, vacancy):
    (result,) = ENGINE.rank_places(participant, [vacancy], include_excluded=True)
    return result


@SETTINGS
@given(participants, vacancy_lists)
def test_scores_stay_between_0_and_100(participant, places):
    for result in ENGINE.rank_places(participant, places, include_excluded=True, top=None):
        assert 0.0 <= result.score <= 100.0
        for component in result.explanation["components"].values():
            assert 0.0 <= component["value"] <= 1.0


@SETTINGS
@given(participants, vacancies, st.data())
def test_adding_a_required_skill_the_participant_has_never_lowers_the_score(participant, vacancy, data):
    name = data.draw(skill_name)
    min_level = data.draw(level)
    participant = dataclasses.replace(participant, skills=(*participant.skills, SkillClaim(name, 4)))
    before = score_of(participant, vacancy)
    after = score_of(
        participant,
        dataclasses.replace(vacancy, skills=(*vacancy.skills, SkillRequirement(name, True, min_level))),
    )
    assert after.score >= before.score
    assert after.excluded == before.excluded


@SETTINGS
@given(participants, vacancies, st.data(), level)
def test_adding_a_skill_the_place_requires_to_the_participant_never_lowers_the_score(
    participant, vacancy, data, claim_level
):
    asked = [r.name for r in vacancy.skills]
    if not asked:
        vacancy = dataclasses.replace(vacancy, skills=(SkillRequirement(data.draw(skill_name)),))
        asked = [vacancy.skills[0].name]
    name = data.draw(st.sampled_from(asked))
    before = score_of(participant, vacancy)
    richer = dataclasses.replace(participant, skills=(*participant.skills, SkillClaim(name, 4)))
    assert score_of(richer, vacancy).score >= before.score


# Words no vocabulary form and no place uses (rare letters only): a skill no place asks for.
unrelated_skill = st.text("qxzjvw", min_size=6, max_size=12)


@SETTINGS
@given(participants, vacancies, unrelated_skill, level)
def test_adding_a_skill_the_place_does_not_ask_for_never_raises_the_score(
    participant, vacancy, name, claim_level
):
    before = score_of(participant, vacancy)
    richer = dataclasses.replace(participant, skills=(*participant.skills, SkillClaim(name, claim_level)))
    after = score_of(richer, vacancy)
    assert after.score <= before.score
    assert after.excluded == before.excluded


VIOLATIONS = {
    "dutch_level": (
        lambda p: dataclasses.replace(p, dutch_level="A1"),
        lambda v: dataclasses.replace(v, dutch_level="B2"),
    ),
    "licence": (
        lambda p: dataclasses.replace(p, driving_licence=False),
        lambda v: dataclasses.replace(v, driving_licence_required=True),
    ),
    "hours": (
        lambda p: dataclasses.replace(p, hours_per_week=10),
        lambda v: dataclasses.replace(v, hours_per_week=30),
    ),
    "distance": (
        lambda p: dataclasses.replace(p, postal_code="8400", max_distance_km=20),
        lambda v: dataclasses.replace(v, postal_code="3600"),
    ),
    "place_full": (lambda p: p, lambda v: dataclasses.replace(v, places=2, filled=2, is_open=True)),
    "not_open": (lambda p: p, lambda v: dataclasses.replace(v, is_open=False)),
}


@SETTINGS
@given(participants, vacancies, st.sampled_from(sorted(VIOLATIONS)))
def test_a_violated_hard_constraint_always_excludes(participant, vacancy, code):
    fix_participant, fix_vacancy = VIOLATIONS[code]
    participant, vacancy = fix_participant(participant), fix_vacancy(vacancy)
    result = score_of(participant, vacancy)
    assert result.excluded
    assert code in [e["code"] for e in result.explanation["exclusions"]]
    assert ENGINE.rank_places(participant, [vacancy]) == []
    assert ENGINE.rank_participants(vacancy, [participant]) == []
    assert ENGINE.rank_all([participant], [vacancy])["by_participant"][participant.id] == []


@SETTINGS
@given(participants, vacancy_lists, st.randoms(use_true_random=False))
def test_results_are_deterministic_and_independent_of_input_order(participant, places, rnd):
    first = [
        r.to_dict() for r in make_engine().rank_places(participant, places, include_excluded=True, top=None)
    ]
    again = [r.to_dict() for r in ENGINE.rank_places(participant, places, include_excluded=True, top=None)]
    shuffled = list(places)
    rnd.shuffle(shuffled)
    reordered = [
        r.to_dict() for r in ENGINE.rank_places(participant, shuffled, include_excluded=True, top=None)
    ]
    assert first == again == reordered


# Near one another, with generous limits: most pairs are feasible, so ties, limits and declines matter.
NEARBY = ["2000", "2018", "2060", "2500", "2800", "2900"]  # Antwerpen (one point), Lier, Mechelen, Schoten
nearby_participants = participants.map(
    lambda p: dataclasses.replace(p, postal_code=NEARBY[p.id % len(NEARBY)], hours_per_week=40)
)
nearby_vacancies = vacancies.map(
    lambda v: dataclasses.replace(v, postal_code=NEARBY[len(v.id) % len(NEARBY)], is_open=True, filled=0)
)
participant_lists = st.lists(
    st.one_of(participants, nearby_participants), min_size=1, max_size=12, unique_by=lambda p: p.id
)
place_lists = st.lists(
    st.one_of(vacancies, nearby_vacancies), min_size=1, max_size=8, unique_by=lambda v: v.id
)
BLOCKED = make_engine(block_rows=3, threads=2)


@SETTINGS
@given(participant_lists, place_lists, st.integers(1, 5), st.data())
def test_rank_all_equals_one_by_one_rankings(people, places, top, data):
    """rank_all scores only pairs within reach and sorts keys per block; the one-by-one rankings score
    every pair densely. Both must agree exactly, declined pairs included."""
    feasible = [
        (p.id, r.vacancy_id) for p in people for r in ENGINE.rank_places(p, places, top=None)
    ]  # declining an infeasible pair would change nothing
    declined = set(data.draw(st.lists(st.sampled_from(feasible), max_size=4))) if feasible else set()
    both = BLOCKED.rank_all(people, places, top=top, declined=declined)
    for p in people:
        single = ENGINE.rank_places(p, places, top=top, declined=declined)
        assert [r.to_dict() for r in both["by_participant"][p.id]] == [r.to_dict() for r in single]
    for v in places:
        single = ENGINE.rank_participants(v, people, top=top, declined=declined)
        assert [r.to_dict() for r in both["by_vacancy"][v.id]] == [r.to_dict() for r in single]


@SETTINGS
@given(participant_lists, place_lists, st.one_of(st.none(), st.integers(1, 5)), st.booleans(), st.data())
def test_the_fast_path_equals_the_dense_oracle(people, places, top, include_excluded, data):
    """rank_places and rank_participants take their pairs from the production fast path (reach, one
    sorted key per pair); matching.reference scores every pair densely. Both must return exactly the
    same results, excluded pairs, ties, limits and declines included."""
    pairs = [(p.id, v.id) for p in people for v in places]
    declined = set(data.draw(st.lists(st.sampled_from(pairs), max_size=4)))
    for engine in (ENGINE, BLOCKED):
        for p in people:
            fast = engine.rank_places(
                p, places, top=top, declined=declined, include_excluded=include_excluded
            )
            dense = rank_places_dense(
                engine, p, places, top=top, declined=declined, include_excluded=include_excluded
            )
            assert [r.to_dict() for r in fast] == [r.to_dict() for r in dense]
        for v in places:
            fast = engine.rank_participants(
                v, people, top=top, declined=declined, include_excluded=include_excluded
            )
            dense = rank_participants_dense(
                engine, v, people, top=top, declined=declined, include_excluded=include_excluded
            )
            assert [r.to_dict() for r in fast] == [r.to_dict() for r in dense]


def _sparse_pairs(engine, participant, places, k_rows, k_cols, declined, include_excluded):
    """The pairs the sparse-block path (``top_pairs``) keeps for this one participant."""
    linked = engine.link([participant], places, declined)
    return top_pairs(linked, k_rows, k_cols, include_excluded=include_excluded, block_rows=engine.block_rows)


@SETTINGS
@given(
    st.one_of(participants, nearby_participants),
    place_lists,
    st.one_of(st.none(), st.integers(0, 5)),
    st.one_of(st.none(), st.integers(0, 2)),
    st.booleans(),
    st.data(),
)
def test_the_one_participant_path_equals_the_sparse_path_and_the_dense_oracle(
    participant, places, top, vacancy_top, include_excluded, data
):
    """rank_places and a one-participant rank_all work on the dense places row (matching.one_participant).
    Their pairs must equal the sparse blocks' (top_pairs) and their results the dense oracle's, with ties
    (places cloned under other ids), declines and limits; a second call (texts kept) must not differ."""
    drawn = data.draw(st.lists(st.sampled_from(places), max_size=4))
    clones = [dataclasses.replace(v, id=f"{v.id}z{k}") for k, v in enumerate(drawn)]  # ids never hold z
    places = [*places, *clones]
    declined = set(data.draw(st.lists(st.sampled_from([(participant.id, v.id) for v in places]), max_size=3)))
    engine = make_engine()
    k_rows = len(places) if top is None else top
    k_cols = k_rows if vacancy_top is None else vacancy_top
    for _ in range(2):  # the second call reads every text's columns from the prepared places
        linked, coverage, precision = engine.link_one(participant, places, declined)
        fast = top_one(linked, coverage, precision, k_rows, k_cols, include_excluded=include_excluded)
        sparse = _sparse_pairs(engine, participant, places, k_rows, k_cols, declined, include_excluded)
        # The sums themselves, bit for bit (scores are rounded to hundredths, so they would hide a drift).
        blocks = engine.link([participant], places, declined)
        assert coverage.tolist() == (blocks.a_all @ blocks.vacs.b_all).toarray()[0].astype("float32").tolist()
        assert precision.tolist() == blocks.precision_matrix().toarray()[0].tolist()
        assert linked.best_keys.tolist() == blocks.best_keys.tolist()
        for name in ("key_start", "key_size", "entry_slot", "entry_value"):
            assert getattr(linked, name).tolist() == getattr(blocks, name).tolist(), name
        for got, want in zip(fast, sparse, strict=True):
            for a, b in zip(got, want, strict=True):
                assert a.tolist() == b.tolist()
        ranked = engine.rank_places(
            participant, places, top=top, declined=declined, include_excluded=include_excluded
        )
        dense = rank_places_dense(
            engine, participant, places, top=top, declined=declined, include_excluded=include_excluded
        )
        assert [r.to_dict() for r in ranked] == [r.to_dict() for r in dense]
        both = engine.rank_all(
            [participant],
            places,
            top=k_rows,
            declined=declined,
            include_excluded=include_excluded,
            vacancy_top=vacancy_top,
        )
        assert [r.to_dict() for r in both["by_participant"][participant.id]] == [r.to_dict() for r in dense]
        for v in places:
            want = rank_participants_dense(
                engine, v, [participant], top=k_cols, declined=declined, include_excluded=include_excluded
            )
            assert [r.to_dict() for r in both["by_vacancy"][v.id]] == [r.to_dict() for r in want]
