"""Engine behaviour: constraints, scores, explanations, rankings both ways and assignment."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from matching_fixtures import make_engine, make_participant, make_vacancy

from matching import ENGINE_VERSION, InputError, SkillClaim, SkillRequirement, Weights
from matching.geo import haversine_km


def codes(result) -> list[str]:
    return [e["code"] for e in result.explanation["exclusions"]]


def only(engine, participant, vacancy, **kwargs):
    results = engine.rank_places(participant, [vacancy], include_excluded=True, **kwargs)
    assert len(results) == 1
    return results[0]


def test_engine_version_is_a_string():
    assert isinstance(ENGINE_VERSION, str) and ENGINE_VERSION


def test_matching_skill_gives_a_high_explained_score(engine):
    participant = make_participant(skills=(("heftruk", 3),), hours_per_week=30, sectors=("logistiek",))
    result = only(engine, participant, make_vacancy())
    assert not result.excluded
    assert result.score == 100.0
    (matched,) = result.explanation["matched"]
    assert matched["requirement"] == "heftruck rijden"
    assert matched["requirement_id"] == "heftruck-rijden"
    assert matched["skill"] == "heftruk"
    assert matched["level"] == 3 and matched["min_level"] == 2 and matched["required"] is True
    assert result.explanation["missing"] == []
    json.dumps(result.to_dict())


def test_missing_required_skill_is_listed_and_suggested(engine):
    vacancy = make_vacancy(skills=(("heftruck rijden", True, 2), ("VCA", True, 1)))
    result = only(engine, make_participant(skills=(("heftruck", 3),)), vacancy)
    assert [m["requirement"] for m in result.explanation["missing"]] == ["VCA"]
    assert result.explanation["components"]["required"]["value"] == 0.5
    top = result.explanation["improvements"][0]
    assert top["code"] == "add_skill" and top["skill"] == "VCA" and top["gain"] > 0


def test_score_components_add_up_to_the_score(engine):
    vacancy = make_vacancy(
        skills=(("heftruck rijden", True, 2), ("orderpicking", False, 1)), postal_code="2800"
    )
    result = only(engine, make_participant(skills=(("heftruck", 3),), sectors=("logistiek",)), vacancy)
    components = result.explanation["components"]
    assert set(components) == {"required", "nice", "precision", "distance", "hours", "sector"}
    assert sum(c["weight"] for c in components.values()) == pytest.approx(1.0, abs=1e-3)
    assert sum(c["points"] for c in components.values()) == pytest.approx(result.score, abs=0.05)


def test_level_below_minimum_counts_partly_and_suggests_raising_it(engine):
    vacancy = make_vacancy(skills=(("heftruck rijden", True, 3),))
    low = only(engine, make_participant(skills=(("heftruck", 1),)), vacancy)
    high = only(engine, make_participant(skills=(("heftruck", 3),)), vacancy)
    assert 0 < low.explanation["components"]["required"]["value"] < 1
    assert low.score < high.score
    assert low.explanation["improvements"][0]["code"] == "raise_level"


def test_unresolved_free_text_still_matches_similar_free_text(engine):
    participant = make_participant(skills=(("fotografie", 2),))
    vacancy = make_vacancy(skills=(("fotograaf", True, 1), ("fotografie", True, 1)))
    result = only(engine, participant, vacancy)
    assert [m["requirement"] for m in result.explanation["matched"]] == ["fotografie"]
    assert result.explanation["matched"][0]["requirement_id"] is None


def test_taxonomy_id_is_trusted_over_the_text(engine):
    participant = make_participant(skills=())
    participant = participant.__class__(
        **{
            **{f: getattr(participant, f) for f in participant.__dataclass_fields__},
            "skills": (SkillClaim("iets heel anders", 2, taxonomy_id="vca"),),
        }  # fmt: skip
    )
    vacancy = make_vacancy(skills=())
    vacancy = vacancy.__class__(
        **{
            **{f: getattr(vacancy, f) for f in vacancy.__dataclass_fields__},
            "skills": (SkillRequirement("veiligheidsattest bouw", True, 1, taxonomy_id="vca"),),
        }  # fmt: skip
    )
    result = only(engine, participant, vacancy)
    assert result.explanation["matched"][0]["requirement_id"] == "vca"


@pytest.mark.parametrize(
    ("participant_overrides", "vacancy_overrides", "code"),
    [
        ({"dutch_level": "A2"}, {"dutch_level": "B1"}, "dutch_level"),
        ({"driving_licence": False}, {"driving_licence_required": True}, "licence"),
        ({"hours_per_week": 20}, {"hours_per_week": 38}, "hours"),
        ({"postal_code": "2000", "max_distance_km": 10}, {"postal_code": "9000"}, "distance"),
        ({}, {"places": 2, "filled": 2}, "place_full"),
        ({}, {"is_open": False}, "not_open"),
    ],
)
def test_each_hard_constraint_excludes_with_a_reason(engine, participant_overrides, vacancy_overrides, code):
    participant = make_participant(**participant_overrides)
    vacancy = make_vacancy(**vacancy_overrides)
    result = only(engine, participant, vacancy)
    assert result.excluded
    assert codes(result) == [code]
    assert engine.rank_places(participant, [vacancy]) == []
    assert engine.rank_participants(vacancy, [participant]) == []


def test_exclusion_reasons_carry_their_parameters(engine):
    participant = make_participant(dutch_level="A2", hours_per_week=20, max_distance_km=10)
    vacancy = make_vacancy(dutch_level="B1", hours_per_week=38, postal_code="9000")
    reasons = {e["code"]: e for e in only(engine, participant, vacancy).explanation["exclusions"]}
    assert reasons["dutch_level"] == {"code": "dutch_level", "need": "B1", "have": "A2"}
    assert reasons["hours"] == {"code": "hours", "need": 38.0, "have": 20.0}
    assert reasons["distance"]["max_km"] == 10 and reasons["distance"]["km"] > 40


def test_declined_pair_is_excluded(engine):
    participant, vacancy = make_participant(id="p1"), make_vacancy(id="v1")
    result = only(engine, participant, vacancy, declined={("p1", "v1")})
    assert result.excluded and codes(result) == ["declined"]
    assert engine.rank_places(participant, [vacancy], declined={("p1", "v1")}) == []
    assert engine.rank_all([participant], [vacancy], declined={("p1", "v1")})["by_participant"]["p1"] == []


def test_distance_lowers_the_score_and_suggests_more_travel(engine):
    participant = make_participant(max_distance_km=60)
    near = only(engine, participant, make_vacancy(postal_code="2000"))
    far = only(engine, participant, make_vacancy(postal_code="2800"))
    assert far.explanation["distance_km"] > near.explanation["distance_km"]
    assert far.score < near.score
    assert any(i["code"] == "more_distance" for i in far.explanation["improvements"])


def test_sector_preference_raises_the_score(engine):
    vacancy = make_vacancy(sector="logistiek")
    liked = only(engine, make_participant(sectors=("Logistiek",)), vacancy)
    other = only(engine, make_participant(sectors=("zorg",)), vacancy)
    neutral = only(engine, make_participant(sectors=()), vacancy)
    assert liked.score > neutral.score > other.score


def test_weights_are_configuration():
    vacancy = make_vacancy(postal_code="2800")
    participant = make_participant(max_distance_km=60)
    default = only(make_engine(), participant, vacancy)
    skills_only = only(make_engine(weights={"distance": 0, "hours": 0, "sector": 0}), participant, vacancy)
    assert skills_only.score == 100.0 and default.score < 100.0
    with pytest.raises(ValueError, match="unknown weight"):
        Weights.from_value({"charm": 1})


def test_rank_places_orders_by_score_then_id_deterministically(engine):
    participant = make_participant()
    vacancies = [make_vacancy(id=i) for i in (5, 3, 9, 1)]
    ids = [r.vacancy_id for r in engine.rank_places(participant, vacancies)]
    assert ids == [1, 3, 5, 9]
    assert [r.vacancy_id for r in engine.rank_places(participant, list(reversed(vacancies)))] == ids


def test_top_limits_and_excluded_come_last(engine):
    participant = make_participant()
    vacancies = [make_vacancy(id=1, is_open=False), make_vacancy(id=2), make_vacancy(id=3, skills=())]
    results = engine.rank_places(participant, vacancies, include_excluded=True)
    assert [r.vacancy_id for r in results] == [2, 3, 1]
    assert [r.excluded for r in results] == [False, False, True]
    assert len(engine.rank_places(participant, vacancies, top=1)) == 1


def test_rank_participants_ranks_best_candidates_first(engine):
    vacancy = make_vacancy(skills=(("heftruck rijden", True, 2), ("VCA", True, 1)))
    people = [
        make_participant(id="a", skills=(("poetsen", 2),)),
        make_participant(id="b", skills=(("heftruck", 3), ("vca", 2))),
        make_participant(id="c", skills=(("heftruck", 3),)),
    ]
    assert [r.participant_id for r in engine.rank_participants(vacancy, people)] == ["b", "c", "a"]


def test_rank_all_agrees_with_single_rankings(engine):
    people = [
        make_participant(id=i, skills=skills, postal_code=pc)
        for i, (skills, pc) in enumerate(
            [((("heftruck", 3),), "2000"), ((("poetsen", 2),), "2800"), ((("kassa", 2), ("vca", 1)), "2000")]
        )
    ]
    places = [
        make_vacancy(id="h", skills=(("heftruck rijden", True, 2),)),
        make_vacancy(id="s", skills=(("schoonmaken", True, 1),), postal_code="2800"),
        make_vacancy(id="k", skills=(("kassa", True, 1), ("VCA", False, 1))),
    ]
    both = engine.rank_all(people, places, top=2)
    for p in people:
        single = engine.rank_places(p, places, top=2)
        assert [(r.vacancy_id, r.score) for r in both["by_participant"][p.id]] == [
            (r.vacancy_id, r.score) for r in single
        ]
        assert [r.explanation for r in both["by_participant"][p.id]] == [r.explanation for r in single]
    for v in places:
        single = engine.rank_participants(v, people, top=2)
        assert [(r.participant_id, r.score) for r in both["by_vacancy"][v.id]] == [
            (r.participant_id, r.score) for r in single
        ]


def test_unknown_postal_code_names_the_record_and_field(engine):
    with pytest.raises(InputError, match=r"participant #0 \(id 1\): field 'postal_code'"):
        engine.rank_places(make_participant(postal_code="0000"), [make_vacancy()])


def test_bad_skill_level_names_the_record_and_field(engine):
    bad = make_vacancy(id="v9", skills=(("heftruck", True, 7),))
    with pytest.raises(InputError, match=r"vacancy #0 \(id 'v9'\): field 'skills\[0\].min_level'"):
        engine.rank_places(make_participant(), [bad])


def test_duplicate_ids_are_refused(engine):
    with pytest.raises(InputError, match="duplicate id"):
        engine.rank_places(make_participant(), [make_vacancy(id=1), make_vacancy(id=1)])


def test_assignment_respects_capacity_and_beats_naive_congestion():
    engine = make_engine()
    people = [make_participant(id=i, skills=(("heftruck", 3), ("poetsen", 2))) for i in range(4)]
    places = [
        make_vacancy(id="best", skills=(("heftruck rijden", True, 1),), places=2),
        make_vacancy(id="other", skills=(("schoonmaken", True, 1),), places=2, postal_code="2800"),
    ]
    result = engine.assign(people, places)
    per_place = {}
    for a in result.assignments:
        per_place[a.vacancy_id] = per_place.get(a.vacancy_id, 0) + 1
    assert per_place == {"best": 2, "other": 2}
    assert result.coverage == 1.0 and result.max_per_place == 2
    assert result.naive["max_per_place"] == 4 and result.naive["turned_away"] == 2
    assert len({a.participant_id for a in result.assignments}) == 4
    json.dumps(result.to_dict())


def test_assignment_skips_excluded_and_full_places():
    engine = make_engine()
    people = [make_participant(id=1), make_participant(id=2, dutch_level="A1")]
    places = [make_vacancy(id="a", places=3, filled=1), make_vacancy(id="b", places=1, filled=1)]
    result = engine.assign(people, places)
    assert [(a.participant_id, a.vacancy_id) for a in result.assignments] == [(1, "a")]
    assert result.coverage == 0.5


def test_sparse_assignment_on_candidate_graph_matches_dense_optimum():
    profiles = [
        (("heftruck", 3), ("vca", 2)),
        (("heftruck", 2),),
        (("poetsen", 3),),
        (("kassa", 2), ("rekken vullen", 2)),
        (("kassa", 1),),
        (("poetsen", 1), ("strijken", 2)),
    ]
    people = [make_participant(id=i, skills=s, max_distance_km=80) for i, s in enumerate(profiles * 3)]
    places = [
        make_vacancy(id="h", skills=(("heftruck rijden", True, 2), ("VCA", False, 1)), places=2),
        make_vacancy(id="s", skills=(("schoonmaken", True, 1),), places=3, postal_code="2800"),
        make_vacancy(id="k", skills=(("kassa", True, 1), ("rekken vullen", False, 1)), places=2),
    ]
    dense = make_engine().assign(people, places)
    sparse = make_engine(dense_assignment_limit=0, assignment_candidates=3).assign(people, places)
    assert dense.method == "linear_sum_assignment"
    assert sparse.method == "min_weight_full_bipartite_matching"
    assert sparse.total_score == pytest.approx(dense.total_score)
    assert sparse.assigned == dense.assigned == 7


def test_prepared_places_are_reused_only_when_equal(engine):
    participant = make_participant()
    first = [make_vacancy(id=1), make_vacancy(id=2)]
    assert [r.vacancy_id for r in engine.rank_places(participant, first)] == [1, 2]
    equal_copies = [make_vacancy(id=1), make_vacancy(id=2)]
    assert [r.vacancy_id for r in engine.rank_places(participant, equal_copies)] == [1, 2]
    changed = [make_vacancy(id=1, is_open=False), make_vacancy(id=2)]
    assert [r.vacancy_id for r in engine.rank_places(participant, changed)] == [2]
    renamed = [make_vacancy(id=1, skills=(("kassa", True, 1),)), make_vacancy(id=2)]
    assert [r.vacancy_id for r in engine.rank_places(participant, renamed)] == [2, 1]


def test_blocks_and_threads_do_not_change_results():
    people = [
        make_participant(id=i, skills=s, max_distance_km=80, postal_code=pc)
        for i, (s, pc) in enumerate(
            [((("heftruck", 3),), "2000"), ((("poetsen", 2),), "2800"), ((("kassa", 2),), "9000")] * 4
        )
    ]
    places = [
        make_vacancy(id="h", skills=(("heftruck rijden", True, 2),)),
        make_vacancy(id="s", skills=(("schoonmaken", True, 1),), postal_code="2800"),
        make_vacancy(id="k", skills=(("kassa", True, 1),), postal_code="9000", places=2),
    ]
    one = make_engine(threads=1).rank_all(people, places, top=3)
    many = make_engine(threads=2, block_rows=2).rank_all(people, places, top=3)
    for side in ("by_participant", "by_vacancy"):
        assert {k: [r.to_dict() for r in v] for k, v in one[side].items()} == {
            k: [r.to_dict() for r in v] for k, v in many[side].items()
        }
    assert make_engine(threads=2, block_rows=2, dense_assignment_limit=0).assign(
        people, places
    ).total_score == (make_engine(threads=1).assign(people, places).total_score)


def test_the_second_thread_in_link_and_explain_does_not_change_results(monkeypatch):
    """With many participants and pairs, reach runs beside the text join, and each half of the participants'
    best skills and of the pairs' explanations has its own thread; the results equal one thread's, excluded
    and declined pairs and the assignment included."""
    from matching import engine as engine_module
    from matching import explanations

    monkeypatch.setattr(engine_module, "THREADED_LINK_MIN", 1)
    monkeypatch.setattr(explanations, "THREADED_MIN_PAIRS", 1)
    names = ["heftruck", "poetsen", "kassa", "magazijn", "koken", "onthaal"]
    people = [
        make_participant(
            id=i,
            skills=((names[i % 6], 1 + i % 4), (names[(i * 5) % 6], 2)),
            max_distance_km=10 + 7 * (i % 9),
            postal_code=("2000", "2800", "9000", "3000")[i % 4],
        )
        for i in range(40)
    ]
    places = [
        make_vacancy(
            id=f"v{j}",
            skills=((names[j % 6], True, 1 + j % 3), (names[(j + 2) % 6], False, 2)),
            postal_code=("2000", "2800", "9000", "3000", "8000")[j % 5],
        )
        for j in range(15)
    ]
    declined = {(i, f"v{i % 15}") for i in range(0, 40, 3)}
    for kwargs in (
        {"top": 4},
        {"top": 5, "declined": declined},
        {"top": 6, "include_excluded": True, "declined": declined, "vacancy_top": 3},
    ):
        one = make_engine(threads=1).rank_all(people, places, **kwargs)
        two = make_engine(threads=2, block_rows=7).rank_all(people, places, **kwargs)
        for side in ("by_participant", "by_vacancy"):
            want = {k: [r.to_dict() for r in v] for k, v in one[side].items()}
            assert want == {k: [r.to_dict() for r in v] for k, v in two[side].items()}
            assert sum(map(len, want.values())) > 30
    one = make_engine(threads=1, dense_assignment_limit=0).assign(people, places, declined=declined)
    two = make_engine(threads=2, block_rows=7, dense_assignment_limit=0).assign(
        people, places, declined=declined
    )
    assert (one.assignments, one.total_score) == (two.assignments, two.total_score)


def test_distance_is_within_a_hundredth_of_a_percent_of_the_great_circle(engine):
    participant = make_participant(postal_code="8400", max_distance_km=300)
    for code in ("9000", "2000", "3600", "1000"):
        result = only(engine, participant, make_vacancy(postal_code=code))
        lat1, lon1 = engine.geo.radians(["8400"])
        lat2, lon2 = engine.geo.radians([code])
        exact = float(haversine_km(lat1, lon1, lat2, lon2)[0, 0])
        assert result.explanation["distance_km"] == pytest.approx(exact, rel=1e-4, abs=0.05)
        assert np.isfinite(exact)


def test_rank_all_results_are_a_read_only_mapping_built_when_read(engine):
    people = [
        make_participant(id=i, skills=s, postal_code=pc)
        for i, (s, pc) in enumerate(
            [((("heftruck", 3),), "2000"), ((("poetsen", 2),), "2800"), ((("kassa", 2),), "2000")]
        )
    ]
    places = [
        make_vacancy(id="h", skills=(("heftruck rijden", True, 2),)),
        make_vacancy(id="k", skills=(("kassa", True, 1),)),
    ]
    ranked = engine.rank_all(people, places, top=2)
    by_p, by_v = ranked["by_participant"], ranked["by_vacancy"]
    assert list(by_p) == [0, 1, 2] and len(by_v) == 2 and "h" in by_v and "zz" not in by_v and [] not in by_v
    with pytest.raises(KeyError):
        by_p[99]
    first = by_p[0]
    # One object per pair, whichever side reads it first; the same object again on a second read.
    assert first[0] is by_p[0][0]
    assert any(r is first[0] for r in by_v[first[0].vacancy_id])
    assert dict(by_p.items()) == by_p == {k: by_p[k] for k in by_p}
    assert by_v["h"][0].participant_id == 0 and by_v["k"][0].participant_id == 2
    fresh = engine.rank_all(people, places, top=2)
    assert {k: [r.to_dict() for r in v] for k, v in fresh["by_vacancy"].items()} == {
        k: [r.to_dict() for r in by_v[k]] for k in by_v
    }


def test_a_place_exactly_at_the_maximum_distance_is_within_reach(engine):
    same_town = make_participant(id="p", postal_code="2000", max_distance_km=0)
    here, there = make_vacancy(id="here", postal_code="2018"), make_vacancy(id="there", postal_code="2900")
    ranked = engine.rank_all([same_town], [here, there])
    assert [r.vacancy_id for r in ranked["by_participant"]["p"]] == ["here"]
    assert [r.vacancy_id for r in engine.rank_places(same_town, [here, there])] == ["here"]


def test_precision_shows_how_much_of_the_profile_the_place_uses(engine):
    participant = make_participant(skills=(("heftruck", 3), ("kassa", 2), ("schilderen", 2), ("koken", 2)))
    specific = make_vacancy(id="specific", skills=(("heftruck rijden", True, 1), ("kassawerk", True, 1)))
    generic = make_vacancy(id="generic", skills=(("heftruck rijden", True, 1),))
    specific_result, generic_result = (only(engine, participant, v) for v in (specific, generic))
    assert specific_result.explanation["components"]["precision"]["value"] == pytest.approx(0.5, abs=0.01)
    assert generic_result.explanation["components"]["precision"]["value"] == pytest.approx(0.25, abs=0.01)
    # Both cover everything they ask; the place that uses more of the profile ranks first.
    assert specific_result.explanation["components"]["required"]["value"] == pytest.approx(1.0)
    assert generic_result.explanation["components"]["required"]["value"] == pytest.approx(1.0)
    ranked = engine.rank_places(participant, [generic, specific])
    assert [r.vacancy_id for r in ranked] == ["specific", "generic"]


def test_a_place_that_asks_for_no_skills_uses_none_of_the_profile(engine):
    result = only(engine, make_participant(), make_vacancy(skills=()))
    assert result.explanation["components"]["precision"]["value"] == 0.0
    assert "required" not in result.explanation["components"]


def test_an_occupation_wish_must_be_a_short_text(engine):
    with pytest.raises(InputError, match=r"field 'occupations\[0\]': must be at most 200 characters"):
        engine.rank_places(
            dataclasses.replace(make_participant(), occupations=("x" * 5000,)), [make_vacancy()]
        )
    with pytest.raises(InputError, match="field 'occupations': must be a list of strings"):
        engine.rank_places(dataclasses.replace(make_participant(), occupations="kok"), [make_vacancy()])


def test_the_same_occupation_counts_fully_and_one_of_its_unit_group_partly(engine):
    wishing = dataclasses.replace(make_participant(), occupations=("magazijnmedewerkr",))
    same, near, other = (
        make_vacancy(id=k, title=t) for k, t in ((1, "magazijnmedewerker"), (2, "orderpicker"), (3, "kok"))
    )
    values = {
        r.vacancy_id: r.explanation["components"]["occupation"]["value"]
        for r in engine.rank_places(wishing, [same, near, other])
    }
    assert values[1] == 1.0 and values[3] == 0.0
    assert values[2] == 0.5  # orderpicker: ISCO 9333 like magazijnmedewerker
    assert [r.vacancy_id for r in engine.rank_places(wishing, [other, same])] == [1, 3]


def test_a_kept_participant_list_is_prepared_once(monkeypatch):
    import dataclasses

    import matching.engine as engine_module
    from matching import Engine, Participant, SkillClaim, SkillRequirement, Vacancy

    monkeypatch.setattr(engine_module, "PARTICIPANT_CACHE_MIN", 2)
    engine = Engine()
    people = [
        Participant(
            id=i,
            skills=(SkillClaim("heftruck", 3),),
            postal_code="9000",
            max_distance_km=20,
            hours_per_week=30,
            dutch_level="B1",
            driving_licence=False,
        )
        for i in range(3)
    ]
    place = Vacancy(
        id=1,
        title="Magazijn",
        sector="logistiek",
        skills=(SkillRequirement("heftruck", True, 2),),
        postal_code="9000",
        hours_per_week=30,
        dutch_level="A2",
        driving_licence_required=False,
    )
    first = engine.prepared_participants(people)
    assert engine.prepared_participants(people) is first  # the same objects: prepared once
    copies = [dataclasses.replace(p) for p in people]
    assert engine.prepared_participants(copies) is not first  # other objects are prepared again
    assert engine.rank_participants(place, copies, top=None) == engine.rank_participants(
        place, people, top=None
    )
    assert engine.prepared_participants(people[:1]) is not engine.prepared_participants(
        people[:1]
    )  # short lists are not kept


def test_precision_gathered_from_dense_row_ranges_equals_sparse_sampling(monkeypatch):
    """kernel.profile_use gathers many pairs from dense copies of ranges of rows: the stored values."""
    import random

    from matching import kernel

    rng = random.Random(5)
    names = [e.label_nl for e in make_engine().vocabulary.entries[:40]]
    people = [
        make_participant(
            id=i, skills=[(rng.choice(names), rng.randint(1, 4)) for _ in range(rng.randint(0, 5))]
        )
        for i in range(60)
    ]
    places = [
        make_vacancy(
            id=j, skills=[(rng.choice(names), rng.random() < 0.7, 2) for _ in range(rng.randint(0, 4))]
        )
        for j in range(30)
    ]
    linked = make_engine().link(people, places)
    assert linked.precision_matrix().nnz
    pi = np.asarray([rng.randrange(60) for _ in range(500)])
    vi = np.asarray([rng.randrange(30) for _ in range(500)])
    want = np.asarray(linked.precision_matrix()[pi, vi], dtype=np.float32).reshape(-1)
    monkeypatch.setattr(kernel, "DENSE_PROFILE_USE", 0)
    for cells in (1, 45, 1 << 21):  # one row at a time, a few rows, all rows
        monkeypatch.setattr(kernel, "DENSE_PROFILE_ROWS_CELLS", cells)
        assert kernel.profile_use(linked, pi, vi).tolist() == want.tolist()
        assert kernel.profile_use(linked, pi[:, None], vi[None, :50]).shape == (500, 50)
