"""Ranking quality on the labelled evaluation set: mean reciprocal rank and recall@5 of the right place.

The floors were set after measuring (see docs/matching.md) and are never lowered to make a change pass.
"""

from __future__ import annotations

import json

import pytest
from matching_fixtures import DATA, geo, make_engine, vocabulary

from matching import Engine, Vocabulary, load_geo, load_vocabulary
from matching.cli import parse_participants, parse_vacancies

# Measured with the token_sort scorer on 82 cases and 46 places (see docs/matching.md).
# Test vocabulary (tests/matching/data/skills.csv): MRR 0.979, recall@5 0.988.
MRR_FLOOR = 0.975
RECALL_AT_5_FLOOR = 0.985
# Project vocabulary (seeds/skills.csv, written independently of the evaluation set): MRR 0.904, recall@5 0.927.
SEEDS_MRR_FLOOR = 0.90
SEEDS_RECALL_AT_5_FLOOR = 0.92


def evaluate(engine) -> tuple[float, float, list[tuple[str, str, int | None]]]:
    """Return (MRR, recall@5, per-case ranks) of the expected place for every case."""
    data = json.loads((DATA / "evaluation.json").read_text(encoding="utf-8"))
    vacancies = parse_vacancies(data["vacancies"], engine.geo)
    participants = parse_participants([case["participant"] for case in data["cases"]], engine.geo)
    ranks = []
    for case, participant in zip(data["cases"], participants, strict=True):
        ranked = [r.vacancy_id for r in engine.rank_places(participant, vacancies, top=None)]
        rank = ranked.index(case["expected"]) + 1 if case["expected"] in ranked else None
        ranks.append((case["id"], case["kind"], rank))
    mrr = sum(1.0 / r for _, _, r in ranks if r) / len(ranks)
    recall = sum(1 for _, _, r in ranks if r and r <= 5) / len(ranks)
    return mrr, recall, ranks


def test_evaluation_set_is_large_enough():
    data = json.loads((DATA / "evaluation.json").read_text(encoding="utf-8"))
    assert len(data["cases"]) >= 60
    assert {case["expected"] for case in data["cases"]} <= {v["id"] for v in data["vacancies"]}


def test_ranking_quality_stays_above_the_measured_floor():
    mrr, recall, ranks = evaluate(make_engine())
    misses = [(case, kind, rank) for case, kind, rank in ranks if rank != 1]
    print(f"MRR={mrr:.3f} recall@5={recall:.3f} misses={misses}")
    assert mrr >= MRR_FLOOR, misses
    assert recall >= RECALL_AT_5_FLOOR, misses


def test_ranking_quality_with_the_project_vocabulary_stays_above_the_measured_floor():
    engine = Engine(vocabulary=load_vocabulary(), geo=load_geo())
    mrr, recall, ranks = evaluate(engine)
    misses = [(case, kind, rank) for case, kind, rank in ranks if rank != 1]
    print(f"seeds: MRR={mrr:.3f} recall@5={recall:.3f} misses={misses}")
    assert mrr >= SEEDS_MRR_FLOOR, misses
    assert recall >= SEEDS_RECALL_AT_5_FLOOR, misses


@pytest.mark.parametrize("lenient", ["token_set", "partial", "wratio"])
def test_token_sort_ranks_better_than_subset_and_substring_scorers(lenient):
    # The pool has decoy places whose skill text contains a participant's words as a subset
    # ("heftruck instructeur met lesgeverservaring"); lenient scorers call those perfect matches.
    # Measured on the resolution alone (no graded similarity, no precision), as when token_sort was chosen:
    alone = {"graded": False, "weights": {"precision": 0.0}}
    default_mrr, _, _ = evaluate(make_engine(**alone))
    other = Engine(vocabulary=Vocabulary(vocabulary().entries, scorer=lenient), geo=geo(), **alone)
    lenient_mrr, _, _ = evaluate(other)
    assert default_mrr > lenient_mrr + 0.05
    # With graded similarity and precision, which hold back subset matches themselves, it is still not worse.
    other = Engine(vocabulary=Vocabulary(vocabulary().entries, scorer=lenient), geo=geo())
    assert evaluate(make_engine())[0] >= evaluate(other)[0]
