"""Ranking quality on a labelled evaluation set: MRR and recall@5 of the right place, for the engine and
for the obvious per-pair ``WRatio`` loop it must clearly beat (both measured in the same run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, utils

from matching.cli import parse_participants, parse_vacancies
from matching.models import DUTCH_LEVELS

DATA = Path(__file__).resolve().parent / "data"


def load_set(name: str) -> dict[str, Any]:
    """Return an evaluation set from tests/matching/data."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def summarise(ranks: list[int | None]) -> tuple[float, float]:
    """Return (MRR, recall@5) of the expected places' ranks (None: not ranked)."""
    mrr = sum(1.0 / r for r in ranks if r) / len(ranks)
    recall = sum(1 for r in ranks if r and r <= 5) / len(ranks)
    return mrr, recall


def evaluate(engine, data: dict[str, Any]) -> tuple[float, float, list[tuple[str, str, int | None]]]:
    """Return (MRR, recall@5, per-case ranks) of the expected place with the engine."""
    vacancies = parse_vacancies(data["vacancies"], engine.geo)
    participants = parse_participants([case["participant"] for case in data["cases"]], engine.geo)
    ranking = engine.rank_all(participants, vacancies, top=len(vacancies))["by_participant"]
    ranks = []
    for case, participant in zip(data["cases"], participants, strict=True):
        ranked = [r.vacancy_id for r in ranking[participant.id]]
        rank = ranked.index(case["expected"]) + 1 if case["expected"] in ranked else None
        ranks.append((case["id"], case.get("kind", ""), rank))
    mrr, recall = summarise([r for _, _, r in ranks])
    return mrr, recall, ranks


def wratio_loop(engine, data: dict[str, Any]) -> tuple[float, float]:
    """Return (MRR, recall@5) of the obvious way: per pair, the mean over the place's skills of the best
    ``WRatio`` with the participant's skills (and occupation wishes against the title), the same hard
    constraints, ties broken by id."""
    geo = engine.geo
    vacancies = parse_vacancies(data["vacancies"], geo)
    participants = parse_participants([case["participant"] for case in data["cases"]], geo)
    levels = {level: i for i, level in enumerate(DUTCH_LEVELS)}
    ranks = []
    for case, p in zip(data["cases"], participants, strict=True):
        wishes = list(getattr(p, "occupations", ()) or ())
        claims = [c.name for c in p.skills] + wishes
        scored = []
        for v in vacancies:
            km = float(geo.distance_km(p.postal_code, v.postal_code))
            feasible = (
                v.is_open
                and v.filled < v.places
                and levels.get(p.dutch_level or "", -1) >= levels.get(v.dutch_level or "", -1)
                and (p.driving_licence or not v.driving_licence_required)
                and p.hours_per_week >= v.hours_per_week
                and (p.max_distance_km is None or km <= p.max_distance_km)
            )
            if not feasible:
                continue
            wanted = [r.name for r in v.skills] + ([v.title] if wishes else [])
            best = [
                max((fuzz.WRatio(c, w, processor=utils.default_process) for c in claims), default=0.0)
                for w in wanted
            ]
            scored.append((-sum(best) / len(best), v.id))
        scored.sort(key=lambda item: (item[0], str(item[1])))
        ranked = [vid for _, vid in scored]
        ranks.append(ranked.index(case["expected"]) + 1 if case["expected"] in ranked else None)
    return summarise(ranks)
